//! Threads, computed when a message is indexed and stored with it.
//!
//! A message joins the thread of any indexed message it names in
//! `References` or `In-Reply-To` (RFC 5322 §3.6.4), of any message that names
//! it, and of any message with the same `Message-ID`; when those are several
//! threads they are merged. A message with none of these links but with a
//! reply prefix in its subject ("Re:", "Fwd:") joins the latest thread with
//! the same base subject (RFC 5256 §2.1). A thread id is the row id of a
//! message in it.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::parse::Parsed;

pub(crate) fn assign(tx: &Transaction<'_>, id: i64, p: &Parsed) -> rusqlite::Result<i64> {
    let mut links: Vec<&str> = p.references.iter().map(String::as_str).collect();
    if !p.in_reply_to.is_empty() {
        links.push(&p.in_reply_to);
    }
    links.sort_unstable();
    links.dedup();
    let mut threads = BTreeSet::new();
    {
        let mut by_id = tx.prepare_cached(
            "SELECT DISTINCT thread_id FROM messages WHERE message_id = ?1 AND id != ?2",
        )?;
        let mut lookup = |mid: &str, threads: &mut BTreeSet<i64>| -> rusqlite::Result<()> {
            for t in by_id.query_map(params![mid, id], |r| r.get::<_, i64>(0))? {
                threads.insert(t?);
            }
            Ok(())
        };
        for l in &links {
            lookup(l, &mut threads)?;
        }
        if !p.message_id.is_empty() {
            lookup(&p.message_id, &mut threads)?;
            let mut by_ref = tx.prepare_cached(
                "SELECT DISTINCT m.thread_id FROM refs r JOIN messages m ON m.id = r.msg
                 WHERE r.ref = ?1",
            )?;
            for t in by_ref.query_map([&p.message_id], |r| r.get::<_, i64>(0))? {
                threads.insert(t?);
            }
        }
    }
    if threads.is_empty() && links.is_empty() && p.is_reply && !p.subject_sort.is_empty() {
        let t: Option<i64> = tx
            .prepare_cached(
                "SELECT thread_id FROM messages WHERE subject_sort = ?1 AND id != ?2
                 ORDER BY date_sort DESC LIMIT 1",
            )?
            .query_row(params![p.subject_sort, id], |r| r.get(0))
            .optional()?;
        threads.extend(t);
    }
    let thread = threads.first().copied().unwrap_or(id);
    for other in threads.iter().skip(1) {
        tx.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE thread_id = ?2")?
            .execute(params![thread, other])?;
    }
    tx.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE id = ?2")?
        .execute(params![thread, id])?;
    let mut ins = tx.prepare_cached("INSERT INTO refs(msg, ref) VALUES(?1, ?2)")?;
    for l in links {
        ins.execute(params![id, l])?;
    }
    Ok(thread)
}
