//! Flags and keywords: in the index and in the Maildir file names.

use super::*;

impl Mailstore {
    /// The info letters after adding `add` and removing `remove`.
    pub(super) fn info_for(
        &self,
        folder: &str,
        info: &str,
        add: &[Flag],
        remove: &[Flag],
    ) -> Result<String> {
        let md = &self.shared.maildir;
        let letters = |flags: &[Flag]| -> Result<Vec<char>> {
            let mut v = Vec::new();
            for f in flags {
                match f.letter() {
                    Some(c) => v.push(c),
                    None => {
                        let Flag::Keyword(k) = f else { continue };
                        let i = if remove.contains(f) && !add.contains(f) {
                            match md.keywords(folder).iter().position(|x| {
                                x.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(k))
                            }) {
                                Some(i) => i,
                                None => continue,
                            }
                        } else {
                            md.keyword_index(folder, k)?
                        };
                        v.push((b'a' + i as u8) as char);
                    }
                }
            }
            Ok(v)
        };
        Ok(edit_info(info, &letters(add)?, &letters(remove)?))
    }

    /// Sets flags or keywords on messages; returns how many were found.
    pub fn set_flags(&self, folder: &str, uids: &[Uid], flags: &[Flag]) -> Result<usize> {
        self.change_flags(folder, uids, flags, &[])
    }

    /// Clears flags or keywords on messages; returns how many were found.
    pub fn clear_flags(&self, folder: &str, uids: &[Uid], flags: &[Flag]) -> Result<usize> {
        self.change_flags(folder, uids, &[], flags)
    }

    fn change_flags(
        &self,
        folder: &str,
        uids: &[Uid],
        add: &[Flag],
        remove: &[Flag],
    ) -> Result<usize> {
        self.with_conn(|conn| {
            let f = self.folder_row(conn, folder)?;
            let dir = self.shared.maildir.folder_dir(&f.name);
            let mut done = 0;
            for &uid in uids {
                for attempt in 0..2 {
                    let Some((l, path)) = self.locate_file(conn, &f, uid)? else {
                        break;
                    };
                    let name = l.file.rsplit('/').next().unwrap_or("");
                    let info = split_name(name).1.unwrap_or("");
                    let new_info = self.info_for(&f.name, info, add, remove)?;
                    let new_file = format!("cur/{}:2,{new_info}", l.key);
                    if new_file != l.file {
                        match fs::rename(&path, dir.join(&new_file)) {
                            Ok(()) => {}
                            Err(e) if e.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                                self.sync_with(conn)?;
                                continue;
                            }
                            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                            Err(e) => return Err(Error::io("rename", path, e)),
                        }
                    }
                    let kws = self.shared.maildir.keywords(&f.name);
                    db::update_file(
                        conn,
                        l.id,
                        &new_file,
                        crate::flags::info_bits(&new_info),
                        &keyword_names(&new_info, &kws),
                    )?;
                    done += 1;
                    break;
                }
            }
            Ok(done)
        })
    }
}
