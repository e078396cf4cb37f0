//! Folders: the list with counts, and creating, renaming and deleting.

use super::*;

/// A folder and its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderInfo {
    /// Full name, levels separated by `/`; the Inbox is `INBOX`.
    pub name: String,
    /// Its role, for special folders.
    pub special: Option<FolderRole>,
    /// Messages in it.
    pub total: u64,
    /// Messages without `\Seen`.
    pub unread: u64,
    /// UIDVALIDITY: UIDs are only comparable while it is unchanged.
    pub uidvalidity: u32,
    /// The UID the next message will get.
    pub uidnext: Uid,
}

impl Mailstore {
    /// All folders with their counts (read from maintained counters).
    pub fn folders(&self) -> Result<Vec<FolderInfo>> {
        self.with_conn(|conn| {
            self.sync_with(conn)?;
            let mut rows = db::folders(conn)?;
            rows.sort_by(|a, b| {
                let rank = |n: &str| {
                    FolderRole::of(n)
                        .map(|s| s as usize)
                        .unwrap_or(FolderRole::ALL.len())
                };
                rank(&a.name).cmp(&rank(&b.name)).then(a.name.cmp(&b.name))
            });
            Ok(rows
                .into_iter()
                .map(|r| FolderInfo {
                    special: FolderRole::of(&r.name),
                    name: r.name,
                    total: r.total.max(0) as u64,
                    unread: r.unread.max(0) as u64,
                    uidvalidity: r.uidvalidity,
                    uidnext: r.uidnext,
                })
                .collect())
        })
    }

    /// Creates a folder (`Parent/Child` creates `.Parent.Child`).
    pub fn create_folder(&self, name: &str) -> Result<()> {
        let name = normalize_folder(name)?;
        self.with_conn(|conn| {
            let md = &self.shared.maildir;
            if md.folder_dir(&name).join("cur").is_dir() || db::folder(conn, &name)?.is_some() {
                return Err(Error::FolderExists(name.clone()));
            }
            md.ensure_folder(&name)?;
            self.sync_with(conn)?;
            Ok(())
        })
    }

    /// Renames a folder and its subfolders, keeping UIDs.
    pub fn rename_folder(&self, from: &str, to: &str) -> Result<()> {
        let from = normalize_folder(from)?;
        let to = normalize_folder(to)?;
        for n in [&from, &to] {
            if FolderRole::of(n).is_some() {
                return Err(Error::SpecialFolder(n.clone()));
            }
        }
        self.with_conn(|conn| {
            self.folder_row(conn, &from)?;
            let md = &self.shared.maildir;
            if md.folder_dir(&to).exists() || db::folder(conn, &to)?.is_some() {
                return Err(Error::FolderExists(to.clone()));
            }
            let prefix = format!("{from}/");
            let mut moves: Vec<(String, String)> = md
                .list_folders()?
                .into_iter()
                .filter(|n| n.starts_with(&prefix))
                .map(|n| (n.clone(), format!("{to}/{}", &n[prefix.len()..])))
                .collect();
            moves.insert(0, (from.clone(), to.clone()));
            for (a, b) in &moves {
                let (pa, pb) = (md.folder_dir(a), md.folder_dir(b));
                fs::rename(&pa, &pb).map_err(|e| Error::io("rename", &pa, e))?;
                conn.execute(
                    "UPDATE folders SET name = ?2 WHERE name = ?1",
                    params![a, b],
                )?;
            }
            crate::maildir::sync_dir(md.root())?;
            Ok(())
        })
    }

    /// Deletes a folder. Its messages go to the retention area first, so
    /// they can be restored. Subfolders are kept.
    pub fn delete_folder(&self, name: &str) -> Result<()> {
        let name = normalize_folder(name)?;
        if FolderRole::of(&name).is_some() {
            return Err(Error::SpecialFolder(name));
        }
        let uids: Vec<Uid> = self.with_conn(|conn| {
            let f = self.folder_row(conn, &name)?;
            Ok(conn
                .prepare("SELECT uid FROM messages WHERE folder_id = ?1")?
                .query_map([f.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        self.expunge(&name, &uids)?;
        self.with_conn(|conn| {
            let md = &self.shared.maildir;
            let dir = md.folder_dir(&name);
            // Anything that arrived meanwhile is kept too.
            for e in md.scan(&name)? {
                let rdir = retention::dir(&self.shared.user_dir);
                let rname = retention::file_name(
                    now_secs(),
                    &name,
                    e.file.rsplit('/').next().unwrap_or(""),
                );
                let _ = fs::rename(dir.join(&e.file), rdir.join(rname));
            }
            match fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove", dir, e)),
            }
            crate::maildir::sync_dir(md.root())?;
            self.sync_with(conn)?;
            Ok(())
        })
    }
}
