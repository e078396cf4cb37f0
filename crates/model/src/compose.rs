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
    /// Plain text with simple marks (`*bold*`, `_italic_`, `- ` lists,
    /// `> ` quotes), sent as HTML with the text as its plain alternative.
    Simple,
}

impl BodyFormat {
    /// The stable lower-case name used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Html => "html",
            BodyFormat::Plain => "plain",
            BodyFormat::Simple => "simple",
        }
    }

    /// The form value back to a format; anything unknown is plain text.
    pub fn parse(s: &str) -> BodyFormat {
        match s {
            "html" => BodyFormat::Html,
            "simple" => BodyFormat::Simple,
            _ => BodyFormat::Plain,
        }
    }
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
    /// The user's offset from UTC at `next_attempt`, seconds east.
    #[serde(default)]
    pub next_offset: i32,
    /// What the relay said last time, if it refused or could not be reached.
    pub last_error: Option<String>,
}

/// Everything the compose page needs to show a message being written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeState {
    /// The message as the form holds it.
    pub draft: Draft,
    /// The sender as recipients will see it.
    pub from: String,
    /// The account the form is written in (its address). The form posts it
    /// back, and a post into another account's session is refused.
    #[serde(default)]
    pub account: String,
    /// Problems with the typed addresses, one sentence each (only after a
    /// send was refused for them).
    pub address_problems: Vec<String>,
    /// Misspelled words of the body, when a check was asked for.
    pub misspellings: Option<Vec<Misspelling>>,
    /// Spell-check languages installed on the server.
    pub languages: Vec<String>,
    /// The language checked in.
    pub language: String,
    /// Addresses the user has written to, for completion.
    pub known_recipients: Vec<String>,
    /// When the draft was last saved, seconds since the epoch.
    pub saved_at: Option<i64>,
    /// The user's offset from UTC now, seconds east: for times shown on
    /// this page (a save happens now).
    #[serde(default)]
    pub offset: i32,
    /// Sending is suspended for this account.
    pub sending_suspended: bool,
    /// The size limit of a message with its attachments, in megabytes.
    pub max_mb: u64,
}

/// What a compose submission did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeOutcome {
    /// The draft now in Drafts (none once sent).
    pub draft_uid: Option<u32>,
    /// When it was saved, seconds since the epoch.
    pub saved_at: i64,
    /// The draft's attachments after this submission.
    pub attachments: Vec<DraftAttachment>,
    /// The message was sent.
    pub sent: bool,
    /// Recipients on this server, delivered at once.
    pub delivered: u32,
    /// Recipients elsewhere, handed to the outbound queue.
    pub queued: u32,
    /// The draft was saved, but something in it was refused (a file over
    /// the size limit); the sentence says what.
    pub problem: Option<String>,
}

/// What opens the compose page (its query parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComposeOpening {
    /// A draft in Drafts to continue.
    pub draft: Option<u32>,
    /// The message answered or forwarded.
    pub original: Option<crate::mail::MessageRef>,
    /// `reply`, `all`, `forward` or `attach`.
    pub mode: String,
    /// Pre-filled To (a `mailto:` link).
    pub to: String,
    /// Run the spell checker on the body.
    pub spell: bool,
    /// Show the address problems (a send was refused for them).
    pub check_addresses: bool,
    /// The basic interface (whose default body format is plain text).
    pub basic: bool,
}

/// The identity and writing settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySettings {
    /// Display name.
    pub name: String,
    /// Signature.
    pub signature: String,
    /// Spell-check language.
    pub language: String,
    /// Spell-check languages installed.
    pub languages: Vec<String>,
    /// Time zone dates are shown in (an IANA name).
    pub time_zone: String,
    /// Every time zone the server knows.
    pub time_zones: Vec<String>,
}
