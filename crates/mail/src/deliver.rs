//! The one local delivery: every message that arrives in a mailbox on this
//! server comes through [`deliver`].

use crate::{Error, Result};
use std::path::Path;

/// The largest message a local delivery accepts (100 MB).
pub const MAX_MESSAGE: usize = 100 * 1024 * 1024;

/// Where a delivered message went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The folder it was filed in.
    pub folder: String,
    /// Its UID, when the index took it at once (otherwise the next sync
    /// indexes it; the message is safe in the Maildir either way).
    pub uid: Option<u32>,
    /// Whether the owner's block list sent it to Junk.
    pub blocked: bool,
}

/// The sender of a message as the sender lists see it: the first address of
/// the From header, lower-cased. `None` when there is none that looks like
/// an address.
pub fn sender_address(message: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message)?;
    parsed
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.contains('@'))
}

/// Delivers `message` into `account`'s mailbox. With no `folder`, the
/// owner's lists decide: a blocked sender ([`sender_address`]) goes to
/// Junk, anything else to the Inbox; a folder given by the caller (an MTA
/// rule) is kept as given. Returns once the message is durably in the
/// Maildir; an `Err` means nothing was delivered, and
/// [`Error::is_temporary`] says whether to try again later.
pub fn deliver(
    directory: &accounts::Directory,
    data_root: &Path,
    account: &accounts::Account,
    message: &[u8],
    folder: Option<&str>,
) -> Result<Delivered> {
    if message.is_empty() {
        return Err(Error::Refused("the message is empty".into()));
    }
    if message.len() > MAX_MESSAGE {
        return Err(Error::Refused(format!(
            "the message is {} bytes; the most is {MAX_MESSAGE}",
            message.len()
        )));
    }
    let by_lists = match folder.is_none().then(|| sender_address(message)).flatten() {
        Some(from) => directory
            .user_data(account.id, &account.user_dir(data_root))?
            .folder_for_sender(&from)?,
        None => None,
    };
    let blocked = by_lists.is_some();
    let folder = by_lists.or(folder);
    match mailstore::deliver(&account.user_dir(data_root), folder, message) {
        Ok(d) => {
            tracing::info!(to = %account.address, folder = %d.folder, blocked, "delivered");
            Ok(Delivered {
                folder: d.folder,
                uid: d.uid,
                blocked,
            })
        }
        Err(mailstore::Error::InvalidFolderName(name)) => Err(Error::Refused(format!(
            "the folder name {name:?} cannot be used"
        ))),
        Err(e) => Err(Error::Store(e)),
    }
}

/// [`deliver`] to the account with `address`: [`Error::NoSuchUser`] when
/// there is none.
pub fn deliver_to(
    directory: &accounts::Directory,
    data_root: &Path,
    address: &str,
    message: &[u8],
    folder: Option<&str>,
) -> Result<Delivered> {
    let account = directory
        .find_user(address)?
        .ok_or_else(|| Error::NoSuchUser(address.trim().to_owned()))?;
    deliver(directory, data_root, &account, message, folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_addresses() {
        let cases: [(&[u8], Option<&str>); 7] = [
            (
                b"From: Ann <Ann@Example.COM>\r\n\r\nx",
                Some("ann@example.com"),
            ),
            (b"From: a@x.org, b@y.org\r\n\r\nx", Some("a@x.org")),
            (b"From: undisclosed\r\n\r\nx", None),
            (b"Subject: no sender\r\n\r\nx", None),
            (b"", None),
            (b"\xff\xfe\x00garbage", None),
            (
                b"From: =?utf-8?q?J=C3=B6rg?= <jorg@example.de>\r\n\r\n",
                Some("jorg@example.de"),
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                sender_address(raw).as_deref(),
                expected,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
