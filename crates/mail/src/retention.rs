//! Retention that ends: deleted messages stay restorable for a number of
//! days, then a purge removes them for good.

use crate::Result;
use std::path::Path;

/// What one purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Users whose retention area was looked at (those with anything in it).
    pub users: usize,
    /// Messages removed for good.
    pub messages: usize,
    /// Users left for the next purge: their index is being rebuilt, or
    /// their mailbox failed (logged).
    pub skipped: usize,
}

/// Removes, for every account, the messages deleted at least `days` days
/// ago. Users with nothing retained are not opened at all; a mailbox that
/// fails is logged and skipped, and the others are still purged. Blocks.
pub fn purge(directory: &accounts::Directory, data_root: &Path, days: u32) -> Result<Purged> {
    let mut done = Purged::default();
    for account in directory.users(None)? {
        let dir = account.user_dir(data_root);
        if !mailstore::has_retained(&dir) {
            continue;
        }
        done.users += 1;
        let purged = mailstore::Mailstore::open(&dir).and_then(|s| s.purge_retained(days));
        match purged {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(user = %account.address, messages = n, days, "retention purged");
                }
                done.messages += n;
            }
            Err(e) => {
                tracing::warn!(user = %account.address, error = %e, "retention purge skipped");
                done.skipped += 1;
            }
        }
    }
    Ok(done)
}
