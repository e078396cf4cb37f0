//! Threads, computed when a message is indexed and stored with it.
//!
//! A message joins the thread of any indexed message it names in
//! `References` or `In-Reply-To` (RFC 5322 §3.6.4), of any message that names
//! it, and of any message with the same `Message-ID`; when those are several
//! threads they are merged. A message with none of these links but with a
//! reply prefix in its subject ("Re:", "Fwd:") joins the latest thread with
//! the same base subject (RFC 5256 §2.1). A thread id is the row id of a
//! message in it.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::parse::Parsed;

fn links(p: &Parsed) -> Vec<&str> {
    let mut links: Vec<&str> = p.references.iter().map(String::as_str).collect();
    if !p.in_reply_to.is_empty() {
        links.push(&p.in_reply_to);
    }
    links.sort_unstable();
    links.dedup();
    links
}

/// Stores a message's links without assigning its thread (bulk builds call
/// [`assign_all`] at the end).
pub(crate) fn record_links(tx: &Transaction<'_>, id: i64, p: &Parsed) -> rusqlite::Result<()> {
    let mut ins = tx.prepare_cached("INSERT INTO refs(msg, ref) VALUES(?1, ?2)")?;
    for l in links(p) {
        ins.execute(params![id, l])?;
    }
    Ok(())
}

/// Computes every thread at once after a bulk build: the same links and
/// subject fallback as [`assign`], with a union-find in memory.
pub(crate) fn assign_all(conn: &Connection) -> rusqlite::Result<()> {
    struct Row {
        id: i64,
        message_id: String,
        subject_sort: String,
        is_reply: bool,
        date: i64,
        has_links: bool,
    }
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT id, message_id, subject_sort, subject, date_sort, EXISTS(SELECT 1 FROM refs WHERE msg = messages.id)
             FROM messages ORDER BY id",
        )?
        .query_map([], |r| {
            Ok(Row {
                id: r.get(0)?,
                message_id: r.get(1)?,
                is_reply: crate::parse::is_reply(&r.get::<_, String>(3)?, &r.get::<_, String>(2)?),
                subject_sort: r.get(2)?,
                date: r.get(4)?,
                has_links: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    fn union(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi] = lo;
        }
    }
    let mut by_msgid: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.message_id.is_empty() {
            continue;
        }
        match by_msgid.get(r.message_id.as_str()) {
            Some(&j) => union(&mut parent, i, j),
            None => {
                by_msgid.insert(&r.message_id, i);
            }
        }
    }
    let mut linked = vec![false; rows.len()];
    {
        let mut stmt = conn.prepare("SELECT msg, ref FROM refs")?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let msg: i64 = r.get(0)?;
            let target: String = r.get(1)?;
            if let (Some(&i), Some(&j)) = (index.get(&msg), by_msgid.get(target.as_str())) {
                union(&mut parent, i, j);
                linked[i] = true;
                linked[j] = true;
            }
        }
    }
    // Subject fallback for replies without any link: the latest earlier
    // message with the same base subject.
    let mut by_subject: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if !r.subject_sort.is_empty() {
            by_subject.entry(&r.subject_sort).or_default().push(i);
        }
    }
    for (i, r) in rows.iter().enumerate() {
        if r.has_links || linked[i] || !r.is_reply || r.subject_sort.is_empty() {
            continue;
        }
        let candidates = &by_subject[r.subject_sort.as_str()];
        let best = candidates
            .iter()
            .filter(|&&j| j != i && rows[j].date <= r.date)
            .max_by_key(|&&j| (rows[j].date, rows[j].id));
        if let Some(&j) = best {
            union(&mut parent, i, j);
        }
    }
    let tx = conn.unchecked_transaction()?;
    {
        let mut upd = tx.prepare("UPDATE messages SET thread_id = ?1 WHERE id = ?2")?;
        for i in 0..rows.len() {
            let root = find(&mut parent, i);
            upd.execute(params![rows[root].id, rows[i].id])?;
        }
    }
    tx.commit()
}

pub(crate) fn assign(tx: &Transaction<'_>, id: i64, p: &Parsed) -> rusqlite::Result<i64> {
    let links = links(p);
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
