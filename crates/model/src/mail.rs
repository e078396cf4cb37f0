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

/// The Inbox's name, as IMAP and Dovecot spell it.
pub const INBOX: &str = "INBOX";

impl FolderRole {
    /// Every special folder, in display order.
    pub const ALL: [FolderRole; 6] = [
        FolderRole::Inbox,
        FolderRole::Drafts,
        FolderRole::Sent,
        FolderRole::Junk,
        FolderRole::Trash,
        FolderRole::Archive,
    ];

    /// The folder's name (as Dovecot's default configuration names them):
    /// the one place special folder names are spelled.
    pub const fn folder(self) -> &'static str {
        match self {
            FolderRole::Inbox => INBOX,
            FolderRole::Drafts => "Drafts",
            FolderRole::Sent => "Sent",
            FolderRole::Junk => "Junk",
            FolderRole::Trash => "Trash",
            FolderRole::Archive => "Archive",
        }
    }

    /// The special folder with this name, if it is one.
    pub fn of(folder: &str) -> Option<FolderRole> {
        FolderRole::ALL.into_iter().find(|r| r.folder() == folder)
    }
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

impl Address {
    /// An address written in the display name that is not the address the
    /// message came from: `"purchasing@trusted.example"
    /// <do-not-reply@elsewhere.example>` names a trusted-looking sender
    /// that sent nothing. That is how phishing dresses up, so wherever the
    /// name is shown, the real address must be shown too.
    pub fn misleading_name(&self) -> Option<&str> {
        let real = self.email.trim();
        self.name
            .split(|c: char| c.is_whitespace() || "<>()[]\"',;:".contains(c))
            .map(|w| w.trim_matches(|c: char| c == '.' || c == '\''))
            .find(|w| looks_like_address(w) && !w.eq_ignore_ascii_case(real))
    }

    /// How a sender is named in a list: the name, or the address when
    /// there is no name; the real address first when the name holds
    /// another ([`Address::misleading_name`]).
    pub fn list_label(&self) -> String {
        match (self.name.trim(), self.misleading_name()) {
            ("", _) => self.email.clone(),
            (name, Some(_)) => format!("{} (“{name}”)", self.email),
            (name, None) => name.to_owned(),
        }
    }
}

/// `local@domain.tld` in any script: something a reader would take for an
/// address.
fn looks_like_address(word: &str) -> bool {
    let Some((local, domain)) = word.rsplit_once(['@', '＠']) else {
        return false;
    };
    !local.is_empty()
        && domain.contains(['.', '。', '．'])
        && !domain.starts_with(['.', '。', '．'])
        && !domain.ends_with(['.', '。', '．'])
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
    /// The reader's offset from UTC at `date`, seconds east.
    #[serde(default)]
    pub date_offset: i32,
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

/// Columns the message list sorts by (all sorted in the index).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SortColumn {
    /// The Date header.
    #[default]
    Date,
    /// Arrival time.
    Arrival,
    /// Sender.
    From,
    /// First recipient.
    To,
    /// Subject, without `Re:`/`Fwd:`.
    Subject,
    /// Size.
    Size,
    /// Message-ID.
    MessageId,
    /// Flagged first (or last).
    Flagged,
    /// With attachments first (or last).
    Attachment,
}

impl SortColumn {
    /// Every column.
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Date,
        SortColumn::Arrival,
        SortColumn::From,
        SortColumn::To,
        SortColumn::Subject,
        SortColumn::Size,
        SortColumn::MessageId,
        SortColumn::Flagged,
        SortColumn::Attachment,
    ];

    /// The name used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            SortColumn::Date => "date",
            SortColumn::Arrival => "arrival",
            SortColumn::From => "from",
            SortColumn::To => "to",
            SortColumn::Subject => "subject",
            SortColumn::Size => "size",
            SortColumn::MessageId => "message-id",
            SortColumn::Flagged => "flagged",
            SortColumn::Attachment => "attachment",
        }
    }

    /// Parses the URL name.
    pub fn parse(s: &str) -> Option<SortColumn> {
        SortColumn::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The direction a first click sorts in: newest, biggest, flagged first.
    pub fn default_descending(self) -> bool {
        matches!(
            self,
            SortColumn::Date
                | SortColumn::Arrival
                | SortColumn::Size
                | SortColumn::Flagged
                | SortColumn::Attachment
        )
    }
}

/// An action on the selected messages of a list, or on the open message:
/// the names the forms post as `action`, and the server parses, spelled
/// once. (Toggling one row's flag posts `toggle-flag:<uid>`, see
/// [`ListAction::toggle_flag`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListAction {
    /// Mark read.
    Read,
    /// Mark unread.
    Unread,
    /// Flag.
    Flag,
    /// Remove the flag.
    Unflag,
    /// Delete (to Trash; from Trash, for good).
    Delete,
    /// Move to Junk.
    Spam,
    /// Move to the folder posted as `target`.
    Move,
    /// Put the senders on the block list.
    Block,
    /// Put the senders on the safe list.
    Safe,
}

impl ListAction {
    /// Every action.
    pub const ALL: [ListAction; 9] = [
        ListAction::Read,
        ListAction::Unread,
        ListAction::Flag,
        ListAction::Unflag,
        ListAction::Delete,
        ListAction::Spam,
        ListAction::Move,
        ListAction::Block,
        ListAction::Safe,
    ];

    /// The name a form posts.
    pub const fn as_str(self) -> &'static str {
        match self {
            ListAction::Read => "read",
            ListAction::Unread => "unread",
            ListAction::Flag => "flag",
            ListAction::Unflag => "unflag",
            ListAction::Delete => "delete",
            ListAction::Spam => "spam",
            ListAction::Move => "move",
            ListAction::Block => "block",
            ListAction::Safe => "safe",
        }
    }

    /// The action a form posted.
    pub fn parse(s: &str) -> Option<ListAction> {
        ListAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The `action` value of the button toggling one row's flag.
    pub fn toggle_flag(uid: u32) -> String {
        format!("toggle-flag:{uid}")
    }

    /// The row whose flag `action` toggles, if it is such a value.
    pub fn parse_toggle_flag(action: &str) -> Option<u32> {
        action.strip_prefix("toggle-flag:")?.parse().ok()
    }

    /// What the action does to a row's `(seen, flagged, gone)`: the one
    /// rule for showing it at once, before the server answers.
    pub fn effect(self, (seen, flagged, gone): (bool, bool, bool)) -> (bool, bool, bool) {
        match self {
            ListAction::Read => (true, flagged, gone),
            ListAction::Unread => (false, flagged, gone),
            ListAction::Flag => (seen, true, gone),
            ListAction::Unflag => (seen, false, gone),
            ListAction::Delete | ListAction::Spam | ListAction::Move => (seen, flagged, true),
            ListAction::Block | ListAction::Safe => (seen, flagged, gone),
        }
    }
}

/// Where a search looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchScope {
    /// Sender, recipients and subject.
    #[default]
    Headers,
    /// The sender only.
    Sender,
    /// The subject only.
    Subject,
    /// The body, and the headers too.
    Body,
}

impl SearchScope {
    /// Every scope, in the order the selector shows them.
    pub const ALL: [SearchScope; 4] = [
        SearchScope::Headers,
        SearchScope::Sender,
        SearchScope::Subject,
        SearchScope::Body,
    ];

    /// The name used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchScope::Headers => "headers",
            SearchScope::Sender => "sender",
            SearchScope::Subject => "subject",
            SearchScope::Body => "body",
        }
    }

    /// What the selector says.
    pub fn label(self) -> &'static str {
        match self {
            SearchScope::Headers => "Headers",
            SearchScope::Sender => "Sender",
            SearchScope::Subject => "Subject",
            SearchScope::Body => "Body and headers",
        }
    }

    /// Parses the URL name.
    pub fn parse(s: &str) -> Option<SearchScope> {
        SearchScope::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the message list shows: a folder page or search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// The folder (also the scope of a search unless `all_folders`).
    pub folder: String,
    /// Sort column.
    pub sort: SortColumn,
    /// Descending order.
    pub desc: bool,
    /// 1-based page number.
    pub page: u32,
    /// Search text; empty for a plain folder listing.
    pub q: String,
    /// Where the search looks.
    pub scope: SearchScope,
    /// Search every folder rather than `folder`.
    pub all_folders: bool,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            folder: "INBOX".to_owned(),
            sort: SortColumn::Date,
            desc: true,
            page: 1,
            q: String::new(),
            scope: SearchScope::Headers,
            all_folders: false,
        }
    }
}

impl ListQuery {
    /// Reads a query from URL parameters; unknown or bad values fall back to
    /// the defaults rather than failing.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ListQuery {
        let d = ListQuery::default();
        let sort = get("sort")
            .and_then(|s| SortColumn::parse(&s))
            .unwrap_or(d.sort);
        ListQuery {
            folder: get("folder").filter(|f| !f.is_empty()).unwrap_or(d.folder),
            sort,
            desc: match get("dir").as_deref() {
                Some("asc") => false,
                Some("desc") => true,
                _ => sort.default_descending(),
            },
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
            q: get("q").map(|q| q.trim().to_owned()).unwrap_or_default(),
            scope: get("scope")
                .and_then(|s| SearchScope::parse(&s))
                .unwrap_or_default(),
            all_folders: get("in").as_deref() == Some("all"),
        }
    }

    /// The URL query string (without `?`) for this list.
    pub fn to_params(&self) -> String {
        let mut s = format!(
            "folder={}&sort={}&dir={}",
            encode(&self.folder),
            self.sort.as_str(),
            if self.desc { "desc" } else { "asc" }
        );
        if self.page > 1 {
            s.push_str(&format!("&page={}", self.page));
        }
        if !self.q.is_empty() {
            s.push_str(&format!(
                "&q={}&scope={}",
                encode(&self.q),
                self.scope.as_str()
            ));
            if self.all_folders {
                s.push_str("&in=all");
            }
        }
        s
    }

    /// This list sorted by `column`: toggles direction when it is already
    /// the sort column, and goes back to page 1.
    pub fn sorted_by(&self, column: SortColumn) -> ListQuery {
        let desc = if self.sort == column {
            !self.desc
        } else {
            column.default_descending()
        };
        ListQuery {
            sort: column,
            desc,
            page: 1,
            ..self.clone()
        }
    }

    /// This list at page `page`.
    pub fn at_page(&self, page: u32) -> ListQuery {
        ListQuery {
            page: page.max(1),
            ..self.clone()
        }
    }
}

/// Percent-encodes a URL query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One row of the message list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    /// The folder it is in (matters in all-folder searches).
    pub folder: String,
    /// UID within the folder.
    pub uid: u32,
    /// Read.
    pub seen: bool,
    /// Flagged.
    pub flagged: bool,
    /// Replied to.
    pub answered: bool,
    /// Forwarded.
    pub forwarded: bool,
    /// 1 (highest) to 5 (lowest).
    pub priority: u8,
    /// Sender.
    pub from: Address,
    /// Recipients, decoded, for Sent and Drafts.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Date header, else arrival, seconds since the epoch.
    pub date: i64,
    /// The reader's offset from UTC at `date`, seconds east.
    #[serde(default)]
    pub offset: i32,
    /// Size in bytes.
    pub size: u64,
    /// Message-ID.
    pub message_id: String,
    /// Has attachments.
    pub has_attachment: bool,
    /// The first words of the text.
    pub snippet: String,
}

/// A page of the message list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageList {
    /// The rows on this page.
    pub rows: Vec<MessageRow>,
    /// Messages in the whole list.
    pub total: u64,
    /// Rows per page.
    pub page_size: u32,
}

impl MessageList {
    /// Number of pages (at least 1).
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(self.page_size.max(1) as u64)).max(1) as u32
    }
}

/// `YYYY-MM-DD HH:MM` for seconds since the epoch, in the time zone whose
/// offset from UTC at that instant is `offset` seconds east (the server
/// sends it with each date, from the user's zone).
pub fn format_date_at(secs: i64, offset: i32) -> String {
    format_date(secs.saturating_add(i64::from(offset)))
}

/// `YYYY-MM-DD HH:MM` in UTC for seconds since the epoch.
pub fn format_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (proleptic Gregorian), valid for any i64 day count we meet.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// A size for people: `812 B`, `12 KB`, `3.4 MB`.
pub fn format_size(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{} KB", bytes.div_ceil(1000)),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_that_pretend_to_be_another_address() {
        let a = |name: &str, email: &str| Address {
            name: name.into(),
            email: email.into(),
        };
        // (name, real address, the misleading part, list label)
        let cases = [
            (
                "purchasing@trusted.example",
                "do-not-reply@elsewhere.example",
                Some("purchasing@trusted.example"),
                "do-not-reply@elsewhere.example (“purchasing@trusted.example”)",
            ),
            (
                "PayPal <service@paypal.example>",
                "x@evil.example",
                Some("service@paypal.example"),
                "x@evil.example (“PayPal <service@paypal.example>”)",
            ),
            ("Ann Example", "ann@example.org", None, "Ann Example"),
            // The same address, in another case: honest.
            (
                "Ann@Example.org",
                "ann@example.org",
                None,
                "Ann@Example.org",
            ),
            // Full-width at sign and dot.
            (
                "billing＠bank．example",
                "x@evil.example",
                Some("billing＠bank．example"),
                "x@evil.example (“billing＠bank．example”)",
            ),
            ("Support @ ACME", "s@acme.example", None, "Support @ ACME"),
            ("", "ann@example.org", None, "ann@example.org"),
        ];
        for (name, email, misleading, label) in cases {
            let addr = a(name, email);
            assert_eq!(addr.misleading_name(), misleading, "{name}");
            assert_eq!(addr.list_label(), label, "{name}");
        }
    }

    use super::*;

    #[test]
    fn part_paths() {
        let cases: [(&str, Option<Vec<u32>>); 6] = [
            ("", Some(vec![])),
            ("2", Some(vec![2])),
            ("2.10", Some(vec![2, 10])),
            ("2.x", None),
            ("-1", None),
            ("2..1", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_part_path(text), expected, "{text}");
            if let Some(p) = expected.filter(|_| !text.is_empty()) {
                assert_eq!(part_path(&p), text);
            }
        }
    }

    #[test]
    fn dates() {
        let cases = [
            (0, "1970-01-01 00:00"),
            (951_782_400, "2000-02-29 00:00"),
            (1_796_025_600, "2026-11-30 08:00"),
            (-86_400, "1969-12-31 00:00"),
        ];
        for (secs, expected) in cases {
            assert_eq!(format_date(secs), expected, "{secs}");
        }
        // With the zone's offset: across midnight and the year both ways.
        let local = [
            (1_796_025_600, 3600, "2026-11-30 09:00"),
            (1_796_025_600, -9 * 3600, "2026-11-29 23:00"),
            (1_796_025_600, 5 * 3600 + 1800, "2026-11-30 13:30"),
            (1_767_225_600 - 60, 3600, "2026-01-01 00:59"),
            (1_767_225_600, -3600, "2025-12-31 23:00"),
            (i64::MAX, 3600, format_date(i64::MAX).leak()),
        ];
        for (secs, offset, expected) in local {
            assert_eq!(format_date_at(secs, offset), expected, "{secs} {offset}");
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let cases = [
            ("alice@example.com", "alice@example.com"),
            ("a b&c=d", "a%20b%26c%3Dd"),
            ("é", "%C3%A9"),
            ("<script>", "%3Cscript%3E"),
        ];
        for (input, expected) in cases {
            assert_eq!(encode(input), expected);
        }
    }

    #[test]
    fn sizes() {
        for (b, s) in [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1 KB"),
            (1001, "2 KB"),
            (3_400_000, "3.4 MB"),
        ] {
            assert_eq!(format_size(b), s);
        }
    }

    #[test]
    fn list_query_round_trip() {
        let q = ListQuery {
            folder: "Work/Q&A".to_owned(),
            sort: SortColumn::Subject,
            desc: false,
            page: 3,
            q: "budget 2027".to_owned(),
            scope: SearchScope::Body,
            all_folders: true,
        };
        let params = q.to_params();
        let map: std::collections::HashMap<String, String> = params
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), decode(v))
            })
            .collect();
        assert_eq!(ListQuery::from_params(|k| map.get(k).cloned()), q);
    }

    fn decode(v: &str) -> String {
        let bytes = v.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn bad_params_fall_back() {
        let q = ListQuery::from_params(|k| match k {
            "sort" => Some("nonsense".into()),
            "page" => Some("-4".into()),
            "scope" => Some("everything".into()),
            _ => None,
        });
        assert_eq!(q, ListQuery::default());
    }

    #[test]
    fn sorting_toggles() {
        let q = ListQuery::default();
        assert!(q.desc);
        let by_date_again = q.sorted_by(SortColumn::Date);
        assert!(!by_date_again.desc);
        let by_subject = q.at_page(4).sorted_by(SortColumn::Subject);
        assert_eq!(
            (by_subject.sort, by_subject.desc, by_subject.page),
            (SortColumn::Subject, false, 1)
        );
    }
}

/// How the mail screen is laid out, remembered per user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPrefs {
    /// The folder pane is hidden.
    pub pane_hidden: bool,
    /// The optional Message-ID column is shown.
    pub show_message_id: bool,
}

/// A message opened in the reader, with where it lives and its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedMessage {
    /// Folder.
    pub folder: String,
    /// UID in the folder.
    pub uid: u32,
    /// Flagged.
    pub flagged: bool,
    /// Remote images are shown (asked for, or the sender is trusted).
    pub images_shown: bool,
    /// The message before this one in the list it was opened from.
    pub prev: Option<MessageRef>,
    /// The message after this one in the list it was opened from.
    pub next: Option<MessageRef>,
    /// When an attached message is shown: the path of parts leading to it
    /// (empty for the stored message itself).
    pub nested: Vec<u32>,
    /// The subject of the stored message, when an attached one is shown.
    pub outer_subject: Option<String>,
    /// The sender asked for a read receipt to this address, and the user
    /// has not answered yet.
    pub receipt_request: Option<String>,
    /// The view.
    pub view: MessageView,
    /// About how tall an HTML body is, in CSS pixels (for its frame, whose
    /// document the page cannot measure); 0 for other bodies.
    #[serde(default)]
    pub frame_height: u32,
    /// The body is very long and only its beginning is shown.
    #[serde(default)]
    pub clipped: bool,
}

/// Where a message lives: search results may span folders.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    /// Folder.
    pub folder: String,
    /// UID in the folder.
    pub uid: u32,
}

/// A path of nested parts as written in links: `2.1`.
pub fn part_path(path: &[u32]) -> String {
    path.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The download address of attachment `part` of a stored message, or of
/// the attached message that `path` leads to.
pub fn part_url(folder: &str, uid: u32, path: &[u32], part: u32) -> String {
    let inner = if path.is_empty() {
        String::new()
    } else {
        format!("&in={}", part_path(path))
    };
    format!(
        "/mail/part?folder={}&uid={uid}{inner}&part={part}",
        encode(folder)
    )
}

/// `2.1` back to a path; `None` when any step is not a number.
pub fn parse_part_path(s: &str) -> Option<Vec<u32>> {
    if s.trim().is_empty() {
        return Some(Vec::new());
    }
    s.split('.').map(|p| p.trim().parse().ok()).collect()
}

/// The user's block and safe sender lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderLists {
    /// Blocked addresses and `@domains`.
    pub blocked: Vec<String>,
    /// Safe addresses and `@domains`.
    pub safe: Vec<String>,
}
