//! Messages in: delivery and append; messages between folders: move,
//! copy, and delete (to Trash, or expunged from it).

use super::*;

impl Mailstore {
    /// Indexes a file just written into `folder` (looked up by key).
    pub(super) fn index_new_entry(&self, folder: &str, key: &str) -> Result<Option<Uid>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let f = self.folder_row(conn, folder)?;
            Ok(conn
                .query_row(
                    "SELECT uid FROM messages WHERE folder_id = ?1 AND key = ?2",
                    params![f.id, key],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    /// Delivers a message into `folder` (tmp, fsync, rename into new,
    /// fsync the directory), then indexes it.
    pub fn deliver(&self, folder: &str, message: &[u8]) -> Result<Uid> {
        self.append_inner(folder, message, None, None)
    }

    /// Appends a message with flags and an internal date (seconds since the
    /// epoch), as for Sent and Drafts.
    pub fn append(
        &self,
        folder: &str,
        message: &[u8],
        flags: &[Flag],
        date: Option<i64>,
    ) -> Result<Uid> {
        self.append_inner(folder, message, Some(flags), date)
    }

    fn append_inner(
        &self,
        folder: &str,
        message: &[u8],
        flags: Option<&[Flag]>,
        date: Option<i64>,
    ) -> Result<Uid> {
        let folder = normalize_folder(folder)?;
        let md = &self.shared.maildir;
        if !md.folder_dir(&folder).join("cur").is_dir() {
            return Err(Error::NoSuchFolder(folder));
        }
        let info = match flags {
            Some(flags) => Some(self.info_for(&folder, "", flags, &[])?),
            None => None,
        };
        let mtime = date.map(|d| UNIX_EPOCH + Duration::from_secs(d.max(0) as u64));
        let entry = md.deliver(&folder, message, info.as_deref(), mtime)?;
        self.index_new_entry(&folder, &entry.key)?
            .ok_or_else(|| Error::NoSuchFolder(folder.clone()))
    }

    /// Moves messages to another folder; returns (old UID, new UID) pairs.
    pub fn move_to(&self, folder: &str, uids: &[Uid], dest: &str) -> Result<Vec<(Uid, Uid)>> {
        self.transfer(folder, uids, dest, false)
    }

    /// Copies messages to another folder; returns (old UID, new UID) pairs.
    pub fn copy_to(&self, folder: &str, uids: &[Uid], dest: &str) -> Result<Vec<(Uid, Uid)>> {
        self.transfer(folder, uids, dest, true)
    }

    fn transfer(
        &self,
        folder: &str,
        uids: &[Uid],
        dest: &str,
        copy: bool,
    ) -> Result<Vec<(Uid, Uid)>> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let d = self.folder_row(conn, dest)?;
            let md = &self.shared.maildir;
            let dest_dir = md.folder_dir(&d.name);
            let dest_kws = md.keywords(&d.name);
            let src_kws = md.keywords(&f.name);
            let mut out = Vec::new();
            for &uid in uids {
                for attempt in 0..2 {
                    let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                        break;
                    };
                    // Keyword letters are per folder: translate them.
                    let name = l.file.rsplit('/').next().unwrap_or("");
                    let info = split_name(name).1.unwrap_or("");
                    let kw_flags: Vec<Flag> = crate::flags::info_keyword_letters(info)
                        .filter_map(|i| src_kws.get(i).cloned().flatten())
                        .map(Flag::Keyword)
                        .collect();
                    let sys: String = info.chars().filter(|c| !c.is_ascii_lowercase()).collect();
                    let new_info = if kw_flags.is_empty() && dest_kws == src_kws {
                        info.to_string()
                    } else {
                        self.info_for(&d.name, &sys, &kw_flags, &[])?
                    };
                    let key = if copy {
                        Maildir::new_key(l_size(conn, l.id)?, l_vsize(conn, l.id)?)
                    } else {
                        l.key.clone()
                    };
                    let new_file = if l.file.starts_with("new/") && new_info.is_empty() {
                        format!("new/{key}")
                    } else {
                        format!("cur/{key}:2,{new_info}")
                    };
                    let target = dest_dir.join(&new_file);
                    let res = if copy {
                        fs::hard_link(&path, &target).or_else(|_| {
                            let tmp = dest_dir.join("tmp").join(&key);
                            fs::copy(&path, &tmp)
                                .and_then(|_| fs::File::open(&tmp)?.sync_all())
                                .and_then(|_| fs::rename(&tmp, &target))
                        })
                    } else {
                        fs::rename(&path, &target)
                    };
                    match res {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                            self.sync_with(conn)?;
                            continue;
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                        Err(e) => {
                            return Err(Error::io(if copy { "copy" } else { "move" }, path, e));
                        }
                    }
                    crate::maildir::sync_dir(target.parent().unwrap_or(&dest_dir))?;
                    let kw = keyword_names(&new_info, &md.keywords(&d.name));
                    let bits = crate::flags::info_bits(&new_info);
                    let new_uid = if copy {
                        let (raw, arrival) = sync::read_file(&target, &self.shared.opened)
                            .map_err(|e| Error::io("read", &target, e))?;
                        let p = crate::parse::parse(&raw);
                        let tx = conn.unchecked_transaction()?;
                        let (_, uid, _) =
                            db::insert(&tx, d.id, &key, &new_file, bits, &kw, arrival, &p, false)?;
                        tx.commit()?;
                        uid
                    } else {
                        let tx = conn.unchecked_transaction()?;
                        let uid = db::move_row(&tx, l.id, d.id, &new_file, bits, &kw)?;
                        tx.commit()?;
                        uid
                    };
                    out.push((uid, new_uid));
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Deletes messages: moves them to Trash, or expunges them (into the
    /// retention area) when they already are in Trash. Returns how many.
    pub fn delete(&self, folder: &str, uids: &[Uid]) -> Result<usize> {
        let name = normalize_folder(folder)?;
        if name == FolderRole::Trash.folder() {
            self.expunge(&name, uids)
        } else {
            Ok(self.move_to(&name, uids, FolderRole::Trash.folder())?.len())
        }
    }
}

fn l_size(conn: &Connection, id: i64) -> Result<u64> {
    Ok(
        conn.query_row("SELECT size FROM messages WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}

fn l_vsize(conn: &Connection, id: i64) -> Result<u64> {
    Ok(
        conn.query_row("SELECT vsize FROM messages WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    )
}
