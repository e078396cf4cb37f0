//! Mail types that cross the wire: folders, list rows, and a message as the
//! reader shows it.

use serde::{Deserialize, Serialize};

/// The role of a special folder (RFC 6154 special-use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderRole {
    /// The Inbox.
    Inbox,
    /// Drafts.
    Drafts,
    /// Sent mail.
    Sent,
    /// Junk (spam).
    Junk,
    /// Trash.
    Trash,
    /// Archive.
    Archive,
}

/// A folder in the folder pane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    /// The folder's full name as the store knows it (e.g. `INBOX`, `Work/2026`).
    pub name: String,
    /// The last path component, for display.
    pub label: String,
    /// Nesting depth, 0 for top level.
    pub depth: u32,
    /// Special use, if any.
    pub role: Option<FolderRole>,
    /// Messages in the folder.
    pub total: u64,
    /// Unread messages in the folder.
    pub unread: u64,
}

/// One address, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Display name (may be empty).
    pub name: String,
    /// `local@domain` (may be empty for malformed headers).
    pub email: String,
}

/// Where a body's text came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    /// Sanitised HTML, to be shown in a sandboxed frame.
    Html {
        /// The sanitised document.
        html: String,
        /// How many remote images were blocked (0 when allowed or none).
        blocked_images: u32,
    },
    /// Plain text, already escaped and with links made safe, as HTML.
    Text {
        /// Escaped text with `<a>` elements for URLs.
        html: String,
    },
    /// No readable body.
    Empty,
}

/// An attachment or inline part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Stable index of the part within the message, used to download it.
    pub part: u32,
    /// File name (decoded; a generated one when the part has none).
    pub filename: String,
    /// Declared content type, lower-case (`application/pdf`).
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// Content-ID without angle brackets, for `cid:` references.
    pub content_id: Option<String>,
    /// Shown inline in the body (an image referenced by `cid:`).
    pub inline: bool,
    /// An attached message (`message/rfc822`), viewable on its own.
    pub is_message: bool,
}

/// A message as the reader shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// Decoded subject.
    pub subject: String,
    /// From.
    pub from: Vec<Address>,
    /// To.
    pub to: Vec<Address>,
    /// Cc.
    pub cc: Vec<Address>,
    /// Reply-To.
    pub reply_to: Vec<Address>,
    /// Date header, seconds since the epoch.
    pub date: Option<i64>,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// Every header, decoded, in order: (name, value).
    pub headers: Vec<(String, String)>,
    /// The body to show.
    pub body: Body,
    /// Attachments and inline parts.
    pub attachments: Vec<Attachment>,
    /// Where a read receipt should go, when the sender asked for one.
    pub receipt_to: Option<String>,
    /// 1 (highest) to 5 (lowest); 3 normal.
    pub priority: u8,
    /// What could not be read (bad charset, broken MIME); shown, never fatal.
    pub warnings: Vec<String>,
}
