//! Threads, computed when a message is indexed and stored with it.
//!
//! # The rule
//!
//! References decide (RFC 5322 §3.6.4, as JWZ's algorithm and RFC 5256
//! THREAD=REFERENCES read them): a message is linked by its own
//! `Message-ID` and by every id it names in `References` and `In-Reply-To`,
//! and two messages linked by the same id are in one thread — also when no
//! message with that id is in the mailbox (two replies to a message that was
//! deleted, or never received, stay together, as JWZ's empty containers
//! keep them).
//!
//! Only a message that names no other message at all, and whose subject
//! carries a reply or forward prefix ("Re:", "Fwd:", "AW:"; a list tag such
//! as "[dev]" is not one), falls back on its subject: it joins the thread of
//! the latest message with the same base subject (RFC 5256 §2.1) dated at
//! most [`SUBJECT_WINDOW_SECS`] before it. That joins a message to one
//! thread; it never merges two threads that references keep apart, and it
//! does not chain a common subject ("Re: meeting") across the years.
//!
//! A thread id is the row id of a message in it.
//!
//! # Cost
//!
//! A bulk build computes every thread at the end, in memory ([`assign_all`]).
//! A message indexed later looks up the threads of the ids it is linked by
//! and, when it links several, rewrites the rows of the smaller ones: the
//! work is bounded by the threads it joins, never by the mailbox. Removing
//! messages recomputes only the threads they were in ([`repair`]).

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::parse::Parsed;

/// How far back a message without references looks for a message with the
/// same base subject.
pub(crate) const SUBJECT_WINDOW_SECS: i64 = 30 * 86_400;

fn links(p: &Parsed) -> Vec<&str> {
    let mut links: Vec<&str> = p
        .references
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
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

/// One message, as threading sees it.
struct Node {
    id: i64,
    message_id: String,
    subject_sort: String,
    is_reply: bool,
    date: i64,
    links: Vec<String>,
}

/// The thread id of each node: the smallest row id of its component under
/// the rule in the module documentation.
fn thread_ids(nodes: &[&Node]) -> Vec<i64> {
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
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    // Every id, whether a message carries it or only names it, belongs to
    // the first node that mentioned it.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(nodes.len() * 2);
    for (i, n) in nodes.iter().enumerate() {
        let own = (!n.message_id.is_empty()).then_some(n.message_id.as_str());
        for id in own.into_iter().chain(n.links.iter().map(String::as_str)) {
            match first.get(id) {
                Some(&j) => union(&mut parent, i, j),
                None => {
                    first.insert(id, i);
                }
            }
        }
    }
    // Subject fallback: per base subject, nodes in (date, id) order; a node
    // without links joins its predecessor when that is recent enough.
    let mut by_subject: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if !n.subject_sort.is_empty() {
            by_subject.entry(&n.subject_sort).or_default().push(i);
        }
    }
    for group in by_subject.values_mut() {
        group.sort_unstable_by_key(|&i| (nodes[i].date, nodes[i].id));
        for k in 1..group.len() {
            let (i, j) = (group[k], group[k - 1]);
            let n = &nodes[i];
            if n.links.is_empty() && n.is_reply && n.date - nodes[j].date <= SUBJECT_WINDOW_SECS {
                union(&mut parent, i, j);
            }
        }
    }
    let mut smallest: HashMap<usize, i64> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let root = find(&mut parent, i);
        let e = smallest.entry(root).or_insert(n.id);
        *e = (*e).min(n.id);
    }
    (0..nodes.len())
        .map(|i| smallest[&find(&mut parent, i)])
        .collect()
}

/// Reads nodes: the messages `filter` selects (an SQL condition on `m`).
fn load(conn: &Connection, filter: &str, args: &[i64]) -> rusqlite::Result<Vec<(Node, i64)>> {
    let mut nodes: Vec<(Node, i64)> = conn
        .prepare(&format!(
            "SELECT m.id, m.message_id, m.subject_sort, m.subject, m.date_sort, m.thread_id
             FROM messages m WHERE {filter} ORDER BY m.id"
        ))?
        .query_map(rusqlite::params_from_iter(args), |r| {
            let subject_sort: String = r.get(2)?;
            Ok((
                Node {
                    id: r.get(0)?,
                    message_id: r.get(1)?,
                    is_reply: crate::parse::is_reply(&r.get::<_, String>(3)?, &subject_sort),
                    subject_sort,
                    date: r.get(4)?,
                    links: Vec::new(),
                },
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let index: HashMap<i64, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.id, i))
        .collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT r.msg, r.ref FROM refs r JOIN messages m ON m.id = r.msg WHERE {filter}"
    ))?;
    let mut q = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = q.next()? {
        if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
            nodes[i].0.links.push(r.get(1)?);
        }
    }
    Ok(nodes)
}

/// Writes the computed thread ids of rows whose id changed.
fn store(conn: &Connection, nodes: &[(Node, i64)], ids: &[i64]) -> rusqlite::Result<()> {
    let mut upd = conn.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE id = ?2")?;
    for ((n, old), &new) in nodes.iter().zip(ids) {
        if *old != new {
            upd.execute(params![new, n.id])?;
        }
    }
    Ok(())
}

/// Computes every thread at once after a bulk build.
pub(crate) fn assign_all(conn: &Connection) -> rusqlite::Result<()> {
    let nodes = load(conn, "1", &[])?;
    let ids = thread_ids(&nodes.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let tx = conn.unchecked_transaction()?;
    store(&tx, &nodes, &ids)?;
    tx.commit()
}

/// Recomputes `threads` after some of their messages were
/// removed: a message that linked two parts may have gone. Costs the size
/// of those threads.
pub(crate) fn repair(conn: &Connection, threads: &BTreeSet<i64>) -> rusqlite::Result<()> {
    for &t in threads {
        let nodes = load(conn, "m.thread_id = ?1", &[t])?;
        if nodes.is_empty() {
            continue;
        }
        let ids = thread_ids(&nodes.iter().map(|(n, _)| n).collect::<Vec<_>>());
        store(conn, &nodes, &ids)?;
    }
    Ok(())
}

/// Assigns the thread of a message just inserted (row `id`), merging the
/// threads it links.
pub(crate) fn assign(tx: &Transaction<'_>, id: i64, p: &Parsed) -> rusqlite::Result<i64> {
    let links = links(p);
    let mut threads = BTreeSet::new();
    {
        let mut linked = tx.prepare_cached(
            "SELECT thread_id FROM messages WHERE message_id = ?1 AND id != ?2
             UNION
             SELECT m.thread_id FROM refs r JOIN messages m ON m.id = r.msg
             WHERE r.ref = ?1 AND r.msg != ?2",
        )?;
        let own = (!p.message_id.is_empty()).then_some(p.message_id.as_str());
        for l in own.into_iter().chain(links.iter().copied()) {
            for t in linked.query_map(params![l, id], |r| r.get::<_, i64>(0))? {
                threads.insert(t?);
            }
        }
    }
    if links.is_empty() && p.is_reply && !p.subject_sort.is_empty() {
        let date: i64 = tx
            .prepare_cached("SELECT date_sort FROM messages WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let t: Option<i64> = tx
            .prepare_cached(
                "SELECT thread_id FROM messages
                 WHERE subject_sort = ?1 AND date_sort BETWEEN ?2 AND ?3 AND id != ?4
                 ORDER BY date_sort DESC, id DESC LIMIT 1",
            )?
            .query_row(
                params![
                    p.subject_sort,
                    date.saturating_sub(SUBJECT_WINDOW_SECS),
                    date,
                    id
                ],
                |r| r.get(0),
            )
            .optional()?;
        threads.extend(t);
    }
    // Keep the biggest thread's id and move the others' rows into it.
    let mut sized = Vec::with_capacity(threads.len());
    {
        let mut count = tx.prepare_cached("SELECT count(*) FROM messages WHERE thread_id = ?1")?;
        for &t in &threads {
            sized.push((count.query_row([t], |r| r.get::<_, i64>(0))?, t));
        }
    }
    sized.sort_unstable_by_key(|&(n, t)| (std::cmp::Reverse(n), t));
    let thread = sized.first().map_or(id, |&(_, t)| t);
    for &(_, other) in sized.iter().skip(1) {
        tx.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE thread_id = ?2")?
            .execute(params![thread, other])?;
    }
    tx.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE id = ?2")?
        .execute(params![thread, id])?;
    record_links(tx, id, p)?;
    Ok(thread)
}
