//! Compose: drafts as the form holds them, priority, spelling results and the
//! outbox as the user sees it.

use serde::{Deserialize, Serialize};

/// Message priority as written to `X-Priority` (1, 3, 5) and `Importance`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// `X-Priority: 1 (Highest)`, `Importance: high`.
    High,
    /// No priority headers are written.
    #[default]
    Normal,
    /// `X-Priority: 5 (Lowest)`, `Importance: low`.
    Low,
}

impl Priority {
    /// The stable lower-case name used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// The form value back to a priority; anything unknown is `Normal`.
    pub fn parse(s: &str) -> Priority {
        match s.trim().to_ascii_lowercase().as_str() {
            "high" | "1" | "2" => Priority::High,
            "low" | "4" | "5" => Priority::Low,
            _ => Priority::Normal,
        }
    }

    /// The `X-Priority` number: 1, 3 or 5.
    pub fn x_priority(self) -> u8 {
        match self {
            Priority::High => 1,
            Priority::Normal => 3,
            Priority::Low => 5,
        }
    }
}

/// How the body was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// Rich text from the editor (HTML, sanitised on the server before use).
    #[default]
    Html,
    /// Plain text, sent as `text/plain` only.
    Plain,
}

/// A file attached to a draft, stored on the server while composing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftAttachment {
    /// Server-side id of the uploaded file within this draft.
    pub id: String,
    /// File name as uploaded.
    pub filename: String,
    /// Content type (a safe default when the browser sent none).
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// A message being written, exactly as the compose form holds it.
///
/// Addresses are kept as the user typed them (comma-separated) so that an
/// invalid one is never lost; they are parsed when the draft is sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// To, as typed.
    pub to: String,
    /// Cc, as typed.
    pub cc: String,
    /// Bcc, as typed.
    pub bcc: String,
    /// Subject.
    pub subject: String,
    /// The body: HTML when `format` is `Html`, else plain text.
    pub body: String,
    /// How the body was written.
    pub format: BodyFormat,
    /// Priority.
    pub priority: Priority,
    /// Ask for a read receipt (`Disposition-Notification-To`).
    pub receipt: bool,
    /// Message-ID this replies to, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread's `References`, without angle brackets, oldest first.
    pub references: Vec<String>,
    /// Attachments uploaded so far.
    pub attachments: Vec<DraftAttachment>,
    /// The message replied to or forwarded, which gets `\Answered` or
    /// `$Forwarded` once this one is sent.
    pub original: Option<crate::mail::MessageRef>,
    /// This forwards `original` (rather than replying to it).
    pub forwarding: bool,
    /// The draft in Drafts that this replaces when saved again or sent.
    pub draft_uid: Option<u32>,
}

/// One misspelled word in a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misspelling {
    /// The word as written.
    pub word: String,
    /// Byte offset of the word in the checked text.
    pub start: usize,
    /// Byte offset just after the word.
    pub end: usize,
    /// Suggestions, best first (may be empty).
    pub suggestions: Vec<String>,
}

/// One message waiting in the outbound queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Queue id.
    pub id: String,
    /// Subject of the queued message.
    pub subject: String,
    /// Remote recipients still waiting.
    pub recipients: Vec<String>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt happens, seconds since the epoch.
    pub next_attempt: i64,
    /// What the relay said last time, if it refused or could not be reached.
    pub last_error: Option<String>,
}
