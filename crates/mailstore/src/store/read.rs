//! Reading: pages of a folder or of search results in any sort order, a
//! message's neighbours in such a list, threads, and the raw message.

use super::*;

/// `ORDER BY` for `key`, every column in one direction.
fn order_by(key: SortColumn, descending: bool) -> String {
    let d = if descending { "DESC" } else { "ASC" };
    sort_columns(key)
        .iter()
        .map(|c| format!("{c} {d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns `key` sorts by, each with a database index, the row id last
/// (every order is total).
fn sort_columns(key: SortColumn) -> Vec<&'static str> {
    let cols: &[&str] = match key {
        SortColumn::Date => &["m.date_sort"],
        SortColumn::Arrival => &["m.arrival"],
        SortColumn::From => &["m.from_sort"],
        SortColumn::To => &["m.to_sort"],
        SortColumn::Subject => &["m.subject_sort"],
        SortColumn::Size => &["m.size"],
        SortColumn::MessageId => &["m.message_id"],
        SortColumn::Flagged => &["m.flagged", "m.date_sort"],
        SortColumn::Attachment => &["m.has_attachment", "m.date_sort"],
    };
    cols.iter().copied().chain(["m.id"]).collect()
}

/// A set of messages in a sort order, for finding a message's neighbours
/// by keyset: the row just before or after its sort values, read from the
/// sort's index, instead of numbering the whole set.
struct Keyset<'a> {
    from: &'a str,
    /// A condition on `m` with `?` placeholders for `values`.
    wh: &'a str,
    values: Vec<rusqlite::types::Value>,
}

impl Keyset<'_> {
    /// The sort values of (`folder_id`, `uid`) if it is in the set.
    fn sort_values(
        &self,
        conn: &Connection,
        sort: SortColumn,
        folder_id: i64,
        uid: Uid,
    ) -> rusqlite::Result<Option<Vec<rusqlite::types::Value>>> {
        let cols = sort_columns(sort);
        let sql = format!(
            "SELECT {} FROM {} WHERE ({}) AND m.folder_id = ? AND m.uid = ?",
            cols.join(", "),
            self.from,
            self.wh
        );
        let mut values = self.values.clone();
        values.push(folder_id.into());
        values.push(i64::from(uid).into());
        conn.prepare_cached(&sql)?
            .query_row(params_from_iter(values.iter()), |r| {
                (0..cols.len()).map(|i| r.get(i)).collect()
            })
            .optional()
    }

    /// The row listed just before (or, with `next`, just after) the one
    /// whose sort values are `at`, read with `row` from `select`.
    #[allow(clippy::too_many_arguments)]
    fn adjacent<T>(
        &self,
        conn: &Connection,
        sort: SortColumn,
        descending: bool,
        at: &[rusqlite::types::Value],
        next: bool,
        select: &str,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        let cols = sort_columns(sort);
        let (id, keys) = cols.split_last().expect("the row id is last");
        // The next row of an ascending list has greater values, and so on.
        let greater = next != descending;
        let (op, dir) = if greater { (">", "ASC") } else { ("<", "DESC") };
        // First among rows with the same sort values (ordered by row id: a
        // range on the index), then beyond them. One row-value comparison
        // over all the columns would scan every tie (the To column of an
        // Inbox is mostly the owner).
        let same = format!(
            "SELECT {select} FROM {} WHERE ({}) AND {} AND {id} {op} ? ORDER BY {id} {dir} LIMIT 1",
            self.from,
            self.wh,
            keys.iter()
                .map(|c| format!("{c} = ?"))
                .collect::<Vec<_>>()
                .join(" AND "),
        );
        let beyond = format!(
            "SELECT {select} FROM {} WHERE ({}) AND ({}) {op} ({}) ORDER BY {} LIMIT 1",
            self.from,
            self.wh,
            keys.join(", "),
            vec!["?"; keys.len()].join(", "),
            order_by(sort, !greater),
        );
        let mut row = Some(row);
        for (sql, n) in [(same, at.len()), (beyond, keys.len())] {
            let values = self.values.iter().chain(&at[..n]);
            let found = conn
                .prepare_cached(&sql)?
                .query_row(params_from_iter(values), |r| {
                    (row.take().expect("read once"))(r)
                })
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

/// One page of a longer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items the whole list has.
    pub total: u64,
    /// The position of the first item in the whole list.
    pub offset: u64,
}

/// What a message list shows about a message; all of it comes from the
/// index, without opening the message file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// The folder it is in.
    pub folder: String,
    /// Its UID in that folder.
    pub uid: Uid,
    /// Flags and keywords.
    pub flags: FlagSet,
    /// When it arrived (seconds since the epoch; the file's mtime, as IMAP
    /// INTERNALDATE in Dovecot).
    pub arrival: i64,
    /// The Date header (seconds since the epoch), if valid.
    pub date: Option<i64>,
    /// The sender's decoded display name (may be empty).
    pub from_name: String,
    /// The sender's address (may be empty).
    pub from_addr: String,
    /// Decoded To recipients, `Name <addr>, …`.
    pub to: String,
    /// Decoded Cc recipients.
    pub cc: String,
    /// Decoded subject.
    pub subject: String,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// The thread this message belongs to.
    pub thread_id: i64,
    /// Size in bytes (RFC822.SIZE as stored).
    pub size: u64,
    /// Size with every line ending as CRLF (what IMAP reports).
    pub vsize: u64,
    /// Whether it has attachments (inline images referenced by the body do
    /// not count).
    pub has_attachment: bool,
    /// 1 (highest) to 5 (lowest); 3 is normal.
    pub priority: u8,
    /// Where a read receipt was requested to go (RFC 8098), if anywhere.
    pub mdn_to: Option<String>,
    /// The first words of the text, whitespace collapsed.
    pub snippet: String,
}

const SUMMARY_COLS: &str = "f.name, m.uid, m.flags, m.keywords, m.arrival, m.date, m.from_name,
    m.from_addr, m.to_text, m.cc_text, m.subject, m.message_id, m.thread_id, m.size, m.vsize,
    m.has_attachment, m.priority, m.mdn_to, m.snippet";
/// How many columns [`SUMMARY_COLS`] has (the index of a column after them).
const SUMMARY_COL_COUNT: usize = 19;

/// Whether `term` (lower-cased, three characters or more) has so many
/// candidates in the trigram table `table` (`hdr_fts` or `from_fts`) that
/// scanning its texts is cheaper than checking each candidate: at least an
/// eighth of the messages (and at least 1,000). Counting stops at that
/// bound, so asking costs little either way; a term the index cannot take
/// is not common.
fn trigrams_common(conn: &Connection, table: &str, term: &str) -> bool {
    let chars: Vec<char> = term.chars().collect();
    let mut grams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    if grams.is_empty() {
        return false;
    }
    let expr = grams
        .iter()
        .map(|g| format!("\"{}\"", g.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ");
    let messages: i64 = conn
        .query_row("SELECT COALESCE(SUM(total), 0) FROM folders", [], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    let bound = (messages / 8).max(COMMON_TRIGRAMS_MIN);
    conn.prepare_cached(&format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ?1 LIMIT ?2)"
    ))
    .and_then(|mut st| st.query_row(params![expr, bound], |r| r.get::<_, i64>(0)))
    .is_ok_and(|n| n >= bound)
}

/// How to look `term` up in `table`: for the sender table, by its rarest
/// trigrams (or a scan when even those are in most messages); for the
/// header table, by its trigrams unless they are common.
fn term_plan(conn: &Connection, docs: &TrigramDocs, table: &str, term: &str) -> TermPlan {
    if table == "from_fts"
        && let Some(plan) = rarest_trigrams(conn, docs, table, term)
    {
        return plan;
    }
    if trigrams_common(conn, table, term) {
        TermPlan::Scan
    } else {
        TermPlan::Index
    }
}

/// How many of the rarest trigrams a lookup uses.
const RAREST_TRIGRAMS: usize = 3;

/// Trigram document counts remembered per user (see `Shared::trigram_docs`).
type TrigramDocs = std::sync::Mutex<std::collections::HashMap<String, i64>>;

/// The most trigram counts remembered per user; then they are counted anew.
const TRIGRAM_DOCS_KEPT: usize = 20_000;

/// The plan for `term` by the document counts of its trigrams in `table`
/// (FTS5's vocabulary, one B-tree lookup each): a scan when even the
/// rarest is in at least an eighth of the messages, else the rarest few.
/// `None` when the counts cannot be read.
fn rarest_trigrams(
    conn: &Connection,
    docs: &TrigramDocs,
    table: &str,
    term: &str,
) -> Option<TermPlan> {
    let chars: Vec<char> = term.chars().collect();
    let mut grams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    if grams.is_empty() {
        return None;
    }
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_vocab \
         USING fts5vocab(main, {table}, 'row');"
    ))
    .ok()?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT doc FROM temp.{table}_vocab WHERE term = ?1"
        ))
        .ok()?;
    let mut known = docs.lock().unwrap_or_else(|e| e.into_inner());
    if known.len() > TRIGRAM_DOCS_KEPT {
        known.clear();
    }
    let mut counted: Vec<(i64, String)> = Vec::with_capacity(grams.len());
    for g in grams {
        let n = match known.get(&g) {
            Some(n) => *n,
            None => {
                let n: i64 = stmt
                    .query_row([&g], |r| r.get(0))
                    .optional()
                    .ok()?
                    .unwrap_or(0);
                // A trigram not there yet may arrive with the next message.
                if n > 0 {
                    known.insert(g.clone(), n);
                }
                n
            }
        };
        counted.push((n, g));
    }
    drop(known);
    counted.sort();
    let messages: i64 = conn
        .query_row("SELECT COALESCE(SUM(total), 0) FROM folders", [], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    if counted[0].0 >= (messages / 8).max(COMMON_TRIGRAMS_MIN) {
        return Some(TermPlan::Scan);
    }
    Some(TermPlan::Rarest(
        counted
            .iter()
            .take(RAREST_TRIGRAMS)
            .map(|(_, g)| format!("\"{}\"", g.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND "),
    ))
}

/// The fewest trigram candidates for which a header scan is preferred.
const COMMON_TRIGRAMS_MIN: i64 = 1_000;

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageSummary> {
    let keywords: String = r.get(3)?;
    let mdn: String = r.get(17)?;
    Ok(MessageSummary {
        folder: r.get(0)?,
        uid: r.get(1)?,
        flags: FlagSet::from_parts(r.get(2)?, &keywords),
        arrival: r.get(4)?,
        date: r.get(5)?,
        from_name: r.get(6)?,
        from_addr: r.get(7)?,
        to: r.get(8)?,
        cc: r.get(9)?,
        subject: r.get(10)?,
        message_id: r.get(11)?,
        thread_id: r.get(12)?,
        size: r.get::<_, i64>(13)? as u64,
        vsize: r.get::<_, i64>(14)? as u64,
        has_attachment: r.get(15)?,
        priority: r.get(16)?,
        mdn_to: (!mdn.is_empty()).then_some(mdn),
        snippet: r.get(18)?,
    })
}

impl Mailstore {
    /// One page of a folder, sorted in SQL.
    pub fn list(
        &self,
        folder: &str,
        sort: SortColumn,
        descending: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<MessageSummary>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let f = self.folder_row(conn, folder)?;
            let sql = format!(
                "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE m.folder_id = ?1 ORDER BY {} LIMIT ?2 OFFSET ?3",
                order_by(sort, descending)
            );
            let items = conn
                .prepare_cached(&sql)?
                .query_map(params![f.id, limit as i64, offset as i64], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page {
                items,
                total: f.total.max(0) as u64,
                offset,
            })
        })
    }

    /// One page of search results, sorted in SQL.
    pub fn search(
        &self,
        query: &Query,
        sort: SortColumn,
        descending: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<MessageSummary>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let docs = &self.shared.trigram_docs;
            let (wh, mut values) =
                query.to_sql_with(&|table, term| term_plan(conn, docs, table, term))?;
            let count = |hint: &str| -> Result<u64> {
                let n: i64 = conn.query_row(
                    &format!("SELECT COUNT(*) FROM messages m {hint} WHERE {wh}"),
                    params_from_iter(values.iter()),
                    |r| r.get(0),
                )?;
                Ok(n as u64)
            };
            if query.has_text_terms() {
                // The matches are found once, by their ids (rowid lookups
                // beat the folder index, which SQLite would walk whole),
                // then counted and sorted.
                let mut with_page = values.clone();
                with_page.push((limit as i64).into());
                with_page.push((offset as i64).into());
                let sql = format!(
                    "WITH hits(id) AS MATERIALIZED
                       (SELECT m.id FROM messages m NOT INDEXED WHERE {wh})
                     SELECT {SUMMARY_COLS}, (SELECT COUNT(*) FROM hits)
                     FROM hits JOIN messages m ON m.id = hits.id
                     JOIN folders f ON f.id = m.folder_id
                     ORDER BY {} LIMIT ? OFFSET ?",
                    order_by(sort, descending)
                );
                let mut total = 0;
                let items = conn
                    .prepare_cached(&sql)?
                    .query_map(params_from_iter(with_page.iter()), |r| {
                        total = r.get::<_, i64>(SUMMARY_COL_COUNT)? as u64;
                        summary_row(r)
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                // Past the last page the count comes on its own.
                if items.is_empty() && offset > 0 {
                    total = count("NOT INDEXED")?;
                }
                return Ok(Page {
                    items,
                    total,
                    offset,
                });
            }
            let total = count("")?;
            values.push((limit as i64).into());
            values.push((offset as i64).into());
            let sql = format!(
                "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE {wh} ORDER BY {} LIMIT ? OFFSET ?",
                order_by(sort, descending)
            );
            let items = conn
                .prepare_cached(&sql)?
                .query_map(params_from_iter(values.iter()), summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page {
                items,
                total,
                offset,
            })
        })
    }

    /// The summary of one message.
    pub fn summary(&self, folder: &str, uid: Uid) -> Result<Option<MessageSummary>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                     WHERE m.folder_id = ?1 AND m.uid = ?2"
                ))?
                .query_row(params![f.id, uid], summary_row)
                .optional()?)
        })
    }

    /// The messages before and after `uid` in `folder` listed in this order
    /// (for "previous" and "next" in the reader). `None` at either end, and
    /// for both when the message is not in the folder. Two keyset lookups
    /// on the sort's index, however big the folder.
    pub fn neighbors(
        &self,
        folder: &str,
        uid: Uid,
        sort: SortColumn,
        descending: bool,
    ) -> Result<(Option<Uid>, Option<Uid>)> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let scope = Keyset {
                from: "messages m",
                wh: "m.folder_id = ?",
                values: vec![f.id.into()],
            };
            let Some(at) = scope.sort_values(conn, sort, f.id, uid)? else {
                return Ok((None, None));
            };
            let side = |next| {
                scope.adjacent(conn, sort, descending, &at, next, "m.uid", |r| {
                    r.get::<_, Uid>(0)
                })
            };
            Ok((side(false)?, side(true)?))
        })
    }

    /// The messages before and after (`folder`, `uid`) in the results of
    /// `query` listed in this order, as (folder, uid): search results may
    /// span folders. `None` at either end, and for both when the message is
    /// not among the results.
    pub fn search_neighbors(
        &self,
        query: &Query,
        folder: &str,
        uid: Uid,
        sort: SortColumn,
        descending: bool,
    ) -> Result<(Option<FolderUid>, Option<FolderUid>)> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let docs = &self.shared.trigram_docs;
            let (wh, values) =
                query.to_sql_with(&|table, term| term_plan(conn, docs, table, term))?;
            let f = self.folder_row(conn, folder)?;
            let scope = Keyset {
                from: "messages m JOIN folders f ON f.id = m.folder_id",
                wh: &wh,
                values,
            };
            let Some(at) = scope.sort_values(conn, sort, f.id, uid)? else {
                return Ok((None, None));
            };
            let side = |next| {
                scope.adjacent(conn, sort, descending, &at, next, "f.name, m.uid", |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Uid>(1)?))
                })
            };
            Ok((side(false)?, side(true)?))
        })
    }

    /// Every message of a thread, oldest first.
    pub fn thread(&self, thread_id: i64) -> Result<Vec<MessageSummary>> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLS} FROM messages m JOIN folders f ON f.id = m.folder_id
                     WHERE m.thread_id = ?1 ORDER BY m.date_sort, m.id"
                ))?
                .query_map([thread_id], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The raw bytes of a message.
    pub fn raw(&self, folder: &str, uid: Uid) -> Result<Option<Vec<u8>>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            for _ in 0..2 {
                let Some((_, path)) = self.locate_file(conn, &f, uid)? else {
                    return Ok(None);
                };
                match sync::read_file(&path, &self.shared.opened) {
                    Ok((bytes, _)) => return Ok(Some(bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        self.sync_with(conn)?;
                    }
                    Err(e) => return Err(Error::io("read", path, e)),
                }
            }
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header index of `n` messages whose recipients all hold `alex`,
    /// and one message from `qzx`.
    fn headers(n: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(db::HDR_FTS).unwrap();
        conn.execute_batch("CREATE TABLE folders(total INTEGER NOT NULL);")
            .unwrap();
        conn.execute("INSERT INTO folders(total) VALUES (?1)", [n + 1])
            .unwrap();
        for i in 0..n {
            conn.execute(
                "INSERT INTO hdr_fts(rowid, sender, recipient, subject) VALUES (?1, ?2, ?3, ?4)",
                params![
                    i + 1,
                    format!("sam{i}@example.com"),
                    "alexandra@example.org",
                    "sales"
                ],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO hdr_fts(rowid, sender, recipient, subject) VALUES (?1, 'qzx@example.com', '', '')",
            [n + 1],
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_term_in_most_headers_is_common_and_a_rare_one_is_not() {
        let conn = headers(1_200);
        assert!(trigrams_common(&conn, "hdr_fts", "alex"));
        assert!(trigrams_common(&conn, "hdr_fts", "example"));
        assert!(!trigrams_common(&conn, "hdr_fts", "qzx"));
        assert!(!trigrams_common(&conn, "hdr_fts", "nowhere"));
        // Quotes and FTS5 syntax in a term are taken as text.
        assert!(!trigrams_common(&conn, "hdr_fts", "\"al\" OR x"));
        assert!(!trigrams_common(&conn, "hdr_fts", "a*"));
    }

    #[test]
    fn few_candidates_are_never_common_however_small_the_mailbox() {
        let conn = headers(COMMON_TRIGRAMS_MIN - 2);
        assert!(!trigrams_common(&conn, "hdr_fts", "alex"));
    }
}
