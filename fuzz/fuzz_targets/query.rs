//! A search box's text → the typed query → the index, on a real store with
//! a few messages. Nothing may panic, and a search is either answered or
//! refused as an invalid search: never an index error (an FTS5 syntax error
//! from a user's words was a 500).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mailstore::{Error, Mailstore, Query, SearchScope, SortColumn};
use std::sync::OnceLock;

fn store() -> &'static Mailstore {
    static STORE: OnceLock<(tempfile::TempDir, Mailstore)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Mailstore::open(dir.path()).unwrap();
            for (i, subject) in ["Quarterly report", "Re: lunch", "Frösche 会議の件について"]
                .iter()
                .enumerate()
            {
                let msg = format!(
                    "From: Ann <ann{i}@example.org>\r\nTo: bob@example.net\r\nSubject: {subject}\r\n\
                     Message-ID: <m{i}@example.org>\r\n\r\nThe budget for {subject}, \"quoted\" text.\r\n"
                );
                store.deliver("INBOX", msg.as_bytes()).unwrap();
            }
            (dir, store)
        })
        .1
}

fn answered(result: mailstore::Result<mailstore::Page<mailstore::MessageSummary>>) {
    match result {
        Ok(_) | Err(Error::InvalidQuery(_)) | Err(Error::NoSuchFolder(_)) => {}
        Err(Error::InvalidFolderName(_)) => {}
        Err(e) => panic!("search failed: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let store = store();
    if let Ok(q) = Query::parse(text) {
        answered(store.search(&q, SortColumn::Date, true, 0, 10));
    }
    for scope in [
        SearchScope::Headers,
        SearchScope::Sender,
        SearchScope::Subject,
        SearchScope::Body,
    ] {
        let q = Query::scoped(text, scope);
        let _ = q.check();
        answered(store.search(&q.in_folder("INBOX"), SortColumn::Subject, false, 0, 10));
    }
});
