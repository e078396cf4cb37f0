//! Times searches of an indexed user directory: the total and the first
//! page of 50 by date, as the message list asks for them.
//!
//! ```text
//! cargo run --release -p mailstore --example search_dir -- USER_DIR 'from:alex' 'body:xqzsingleton'
//! ```
//!
//! Each query runs 20 times after one warm-up; prints the median, the
//! number of matches and whether a message file was opened.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mailstore::{Mailstore, Query, SortColumn};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: search_dir USER_DIR QUERY..."));
    let store = Mailstore::open(&dir).expect("open");
    assert!(store.wait_ready(Some(Duration::from_secs(3600))));
    for q in args {
        let query = match Query::parse(&q) {
            Ok(query) => query,
            Err(e) => {
                println!("{q:?}: {e}");
                continue;
            }
        };
        let opened = store.files_opened();
        let mut total = 0;
        let mut times: Vec<Duration> = (0..21)
            .map(|_| {
                let t = Instant::now();
                total = store
                    .search(&query, SortColumn::Date, true, 0, 50)
                    .expect("search")
                    .total;
                t.elapsed()
            })
            .skip(1)
            .collect();
        times.sort();
        println!(
            "{q:?}: median {:.2} ms, {total} matches, files opened {}",
            times[times.len() / 2].as_secs_f64() * 1000.0,
            store.files_opened() - opened
        );
    }
}
