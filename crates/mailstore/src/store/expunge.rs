//! Expunge and the retention area: messages removed from their folder wait
//! there, restorable, until purged; a discarded copy does not.

use super::*;

impl Mailstore {
    /// Removes messages from their folder into the retention area, from
    /// where [`Mailstore::restore`] can bring them back. Returns how many.
    pub fn expunge(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let rdir = retention::dir(&self.shared.user_dir);
            fs::create_dir_all(&rdir).map_err(|e| Error::io("create", &rdir, e))?;
            let now = now_secs();
            let mut n = 0;
            for &uid in uids {
                let Some((l, path)) = self.locate_file(conn, &f, uid)? else { continue };
                let name = l.file.rsplit('/').next().unwrap_or("").to_string();
                let rname = retention::file_name(now, &f.name, &name);
                match fs::rename(&path, rdir.join(&rname)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io("expunge", path, e)),
                }
                let (subject, from, date, size): (String, String, Option<i64>, i64) = conn.query_row(
                    "SELECT subject, CASE from_name WHEN '' THEN from_addr ELSE from_name END, date, size
                     FROM messages WHERE id = ?1",
                    [l.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                let tx = conn.unchecked_transaction()?;
                retention::record(&tx, &rname, &f.name, now, &subject, &from, date, size)?;
                let thread = db::delete(&tx, l.id)?;
                crate::thread::repair(&tx, &thread.into_iter().collect())?;
                tx.commit()?;
                n += 1;
            }
            if n > 0 {
                crate::maildir::sync_dir(&rdir)?;
            }
            Ok(n)
        })
    }

    /// Removes messages for good, without keeping them in the retention
    /// area: for copies that are replaced, such as a draft saved again.
    /// Returns how many.
    pub fn discard(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let mut n = 0;
            let mut dirs = Vec::new();
            for &uid in uids {
                let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                    continue;
                };
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(Error::io("discard", path, e)),
                }
                if let Some(parent) = path.parent()
                    && !dirs.iter().any(|d: &std::path::PathBuf| d == parent)
                {
                    dirs.push(parent.to_path_buf());
                }
                let tx = conn.unchecked_transaction()?;
                let thread = db::delete(&tx, l.id)?;
                crate::thread::repair(&tx, &thread.into_iter().collect())?;
                tx.commit()?;
                n += 1;
            }
            for d in &dirs {
                crate::maildir::sync_dir(d)?;
            }
            Ok(n)
        })
    }

    /// Expunges every message of `folder` flagged `\Deleted` (IMAP EXPUNGE).
    pub fn expunge_deleted(&self, folder: &str) -> Result<usize> {
        let uids: Vec<Uid> = self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .prepare("SELECT uid FROM messages WHERE folder_id = ?1 AND flags & ?2 != 0")?
                .query_map(params![f.id, crate::flags::DELETED], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        self.expunge(folder, &uids)
    }

    /// Messages in the retention area, most recently expunged first.
    pub fn retained(&self) -> Result<Vec<retention::RetainedMessage>> {
        self.with_conn(|conn| {
            retention::rescan(conn, &self.shared.user_dir, &self.shared.opened)?;
            Ok(retention::list(conn)?)
        })
    }

    /// Puts an expunged message back into the folder it came from
    /// (recreated if needed). Returns that folder and the new UID.
    pub fn restore(&self, id: i64) -> Result<Option<(String, Uid)>> {
        let row: Option<(String, String)> = self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT file, folder FROM retained WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })?;
        let Some((file, folder)) = row else {
            return Ok(None);
        };
        let Some((_, _, original)) = retention::split_file_name(&file) else {
            return Ok(None);
        };
        let folder = normalize_folder(&folder).unwrap_or_else(|_| INBOX.to_string());
        let md = &self.shared.maildir;
        md.ensure_folder(&folder)?;
        let (key, info) = split_name(&original);
        let kws_lost: String = info
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_lowercase())
            .collect();
        let target = md
            .folder_dir(&folder)
            .join(format!("cur/{key}:2,{kws_lost}"));
        let from = retention::dir(&self.shared.user_dir).join(&file);
        match fs::rename(&from, &target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("restore", from, e)),
        }
        crate::maildir::sync_dir(target.parent().unwrap_or(md.root()))?;
        self.with_conn(|conn| {
            conn.execute("DELETE FROM retained WHERE id = ?1", [id])?;
            Ok(())
        })?;
        Ok(self.index_new_entry(&folder, key)?.map(|uid| (folder, uid)))
    }

    /// Deletes retained messages expunged at least `days` days ago.
    pub fn purge_retained(&self, days: u32) -> Result<usize> {
        let cutoff = now_secs() - i64::from(days) * 86400;
        self.with_conn(|conn| {
            retention::rescan(conn, &self.shared.user_dir, &self.shared.opened)?;
            let files: Vec<(i64, String)> = conn
                .prepare("SELECT id, file FROM retained WHERE expunged_at <= ?1")?
                .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let dir = retention::dir(&self.shared.user_dir);
            for (id, file) in &files {
                match fs::remove_file(dir.join(file)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("remove", dir.join(file), e)),
                }
                conn.execute("DELETE FROM retained WHERE id = ?1", [id])?;
            }
            Ok(files.len())
        })
    }
}
