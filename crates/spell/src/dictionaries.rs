//! The directory of Hunspell dictionaries and the cache of loaded ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::{CheckOptions, Error, Misspelling, Result, Speller};

/// Where Debian's `hunspell-*` packages install their dictionaries.
pub const DEFAULT_DIR: &str = "/usr/share/hunspell";

/// The dictionaries of one directory, each loaded on first use and then
/// shared.
///
/// Cheap to share: put it in the server state (behind an `Arc`) and call it
/// from any thread.
#[derive(Debug)]
pub struct Dictionaries {
    dir: PathBuf,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug)]
struct Entry {
    aff: PathBuf,
    dic: PathBuf,
    /// `None` until loaded. The lock is held during the load so that
    /// concurrent first requests wait for one load instead of each parsing.
    loaded: Mutex<Option<Arc<Speller>>>,
}

impl Dictionaries {
    /// Lists the `<lang>.aff` + `<lang>.dic` pairs in `dir`. Nothing is
    /// parsed yet.
    ///
    /// An empty directory is fine (no languages); a directory that cannot be
    /// read is [`Error::Directory`].
    pub fn open(dir: &Path) -> Result<Dictionaries> {
        let directory = |source| Error::Directory {
            dir: dir.to_path_buf(),
            source,
        };
        let mut entries = BTreeMap::new();
        for item in std::fs::read_dir(dir).map_err(directory)? {
            let path = item.map_err(directory)?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("aff") {
                continue;
            }
            let Some(lang) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let dic = path.with_extension("dic");
            if lang.is_empty() || !dic.is_file() || !path.is_file() {
                continue;
            }
            entries.insert(
                lang.to_string(),
                Entry {
                    aff: path.clone(),
                    dic,
                    loaded: Mutex::new(None),
                },
            );
        }
        Ok(Dictionaries {
            dir: dir.to_path_buf(),
            entries,
        })
    }

    /// [`Dictionaries::open`] on [`DEFAULT_DIR`].
    pub fn open_default() -> Result<Dictionaries> {
        Dictionaries::open(Path::new(DEFAULT_DIR))
    }

    /// The directory these dictionaries come from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The available languages, sorted, as their file names spell them
    /// (`"en_US"`).
    pub fn languages(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// Whether `lang` is available.
    pub fn has_language(&self, lang: &str) -> bool {
        self.entries.contains_key(lang)
    }

    /// The loaded dictionary for `lang`, loading it on first use.
    ///
    /// Call it at start-up to warm the cache. A failed load is returned and
    /// retried on the next call.
    pub fn speller(&self, lang: &str) -> Result<Arc<Speller>> {
        let entry = self
            .entries
            .get(lang)
            .ok_or_else(|| Error::UnknownLanguage {
                lang: lang.to_string(),
                available: self.languages(),
            })?;
        // A panic while loading is caught inside `Speller::from_files`, so a
        // poisoned lock can only hold a consistent `Option`: keep using it.
        let mut slot = entry
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(speller) = slot.as_ref() {
            return Ok(Arc::clone(speller));
        }
        let speller = Arc::new(Speller::from_files(lang, &entry.aff, &entry.dic)?);
        *slot = Some(Arc::clone(&speller));
        Ok(speller)
    }

    /// Whether `lang` has been loaded already.
    pub fn is_loaded(&self, lang: &str) -> bool {
        self.entries.get(lang).is_some_and(|entry| {
            entry
                .loaded
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .is_some()
        })
    }

    /// Checks plain `text` in `lang` with the default [`CheckOptions`]; see
    /// [`Speller::check`].
    pub fn check(&self, lang: &str, text: &str) -> Result<Vec<Misspelling>> {
        self.speller(lang)?.check(text)
    }

    /// Checks plain `text` in `lang` with `options`; see
    /// [`Speller::check_with`].
    pub fn check_with(
        &self,
        lang: &str,
        text: &str,
        options: &CheckOptions,
    ) -> Result<Vec<Misspelling>> {
        self.speller(lang)?.check_with(text, options)
    }

    /// Checks the text of an HTML fragment in `lang`; see
    /// [`Speller::check_html`].
    pub fn check_html(
        &self,
        lang: &str,
        html: &str,
        options: &CheckOptions,
    ) -> Result<Vec<Misspelling>> {
        self.speller(lang)?.check_html(html, options)
    }
}
