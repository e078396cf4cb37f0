//! The one error type at the edge: what a user may see, with a stable code.
//!
//! Domain crates have their own error enums. Server functions map them into
//! [`AppError`], which carries a code the UI turns into a sentence. Internal
//! causes are logged once on the server and never shown. The code also
//! travels in the `error` query parameter when a plain form post (basic
//! interface, or JavaScript off) is redirected back to its page.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A failure a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// The address or the password is wrong (never says which).
    BadCredentials,
    /// Too many failed sign-ins; try again after this many minutes.
    RateLimited {
        /// Whole minutes to wait, at least 1.
        minutes: i64,
    },
    /// The account is locked by the provider.
    Locked,
    /// No valid session: sign in again.
    NotSignedIn,
    /// A form was posted with no session, and it could not be kept for
    /// anyone (signed out, or no known account): what was typed is only in
    /// the browser now.
    NotKept,
    /// The request came from another site.
    Forbidden,
    /// A form opened while signed in as another account was posted in this
    /// account's session; nothing was saved.
    OtherAccount,
    /// Something in the request was not acceptable; the text says what.
    BadRequest {
        /// What was wrong, in words for the user.
        message: String,
    },
    /// The mail index is being rebuilt; try again shortly.
    Rebuilding {
        /// Messages indexed so far.
        done: u64,
        /// Messages to index (0 while still counting).
        total: u64,
    },
    /// The folder does not exist (any more).
    NoSuchFolder,
    /// The message does not exist (any more).
    NoSuchMessage,
    /// A folder with that name exists already.
    FolderExists,
    /// The folder name cannot be used.
    InvalidFolderName,
    /// Special folders cannot be renamed or deleted.
    SpecialFolder,
    /// A bulk action with no message selected.
    NothingSelected,
    /// A sender-list entry that is neither an address nor `@domain`.
    InvalidSenderEntry,
    /// An address in To, Cc or Bcc cannot be used; the text says which and
    /// why (empty when carried through a redirect: the page shows the details).
    BadAddress {
        /// Which address and what is wrong with it.
        message: String,
    },
    /// A message with no recipient at all.
    NoRecipients,
    /// The message with its attachments is over the size limit.
    MessageTooLarge {
        /// The limit, in megabytes.
        max_mb: u64,
    },
    /// This account may not send mail at the moment.
    SendingSuspended,
    /// Our fault. The cause was logged on the server.
    Internal,
}

impl AppError {
    /// The stable code used in URLs.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadCredentials => "bad_credentials",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Locked => "locked",
            AppError::NotSignedIn => "not_signed_in",
            AppError::NotKept => "not_kept",
            AppError::Forbidden => "forbidden",
            AppError::OtherAccount => "other_account",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Rebuilding { .. } => "rebuilding",
            AppError::NoSuchFolder => "no_such_folder",
            AppError::NoSuchMessage => "no_such_message",
            AppError::FolderExists => "folder_exists",
            AppError::InvalidFolderName => "invalid_folder_name",
            AppError::SpecialFolder => "special_folder",
            AppError::NothingSelected => "nothing_selected",
            AppError::InvalidSenderEntry => "invalid_sender_entry",
            AppError::BadAddress { .. } => "bad_address",
            AppError::NoRecipients => "no_recipients",
            AppError::MessageTooLarge { .. } => "message_too_large",
            AppError::SendingSuspended => "sending_suspended",
            AppError::Internal => "internal",
        }
    }

    /// Rebuilds an error from the query parameters of a redirected form post.
    /// Unknown codes give `None`, so a crafted link cannot put words on the page.
    pub fn from_query(code: &str, number: Option<&str>) -> Option<AppError> {
        let minutes = number;
        Some(match code {
            "bad_credentials" => AppError::BadCredentials,
            "rate_limited" => AppError::RateLimited {
                minutes: minutes
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(15)
                    .clamp(1, 1440),
            },
            "locked" => AppError::Locked,
            "not_signed_in" => AppError::NotSignedIn,
            "not_kept" => AppError::NotKept,
            "forbidden" => AppError::Forbidden,
            "other_account" => AppError::OtherAccount,
            "rebuilding" => AppError::Rebuilding { done: 0, total: 0 },
            "no_such_folder" => AppError::NoSuchFolder,
            "no_such_message" => AppError::NoSuchMessage,
            "folder_exists" => AppError::FolderExists,
            "invalid_folder_name" => AppError::InvalidFolderName,
            "special_folder" => AppError::SpecialFolder,
            "nothing_selected" => AppError::NothingSelected,
            "invalid_sender_entry" => AppError::InvalidSenderEntry,
            "bad_address" => AppError::BadAddress {
                message: String::new(),
            },
            "no_recipients" => AppError::NoRecipients,
            "message_too_large" => AppError::MessageTooLarge {
                max_mb: number
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(25)
                    .clamp(1, 10_000),
            },
            "sending_suspended" => AppError::SendingSuspended,
            "internal" => AppError::Internal,
            _ => return None,
        })
    }

    /// The error a redirected form post left in the page's query, if any
    /// (`error=…`, with `minutes=…` for rate limits).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Option<AppError> {
        AppError::from_query(&get("error")?, get("minutes").as_deref())
    }

    /// Query string (without `?`) that carries this error through a redirect.
    /// Free-text messages are not carried: they fall back to a generic one.
    pub fn to_query(&self) -> String {
        match self {
            AppError::RateLimited { minutes } => format!("error=rate_limited&minutes={minutes}"),
            AppError::BadRequest { .. } => "error=internal".to_owned(),
            AppError::MessageTooLarge { max_mb } => {
                format!("error=message_too_large&minutes={max_mb}")
            }
            other => format!("error={}", other.code()),
        }
    }

    /// The HTTP status that fits.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadCredentials | AppError::NotSignedIn | AppError::NotKept => 401,
            AppError::RateLimited { .. } => 429,
            AppError::Locked | AppError::Forbidden => 403,
            AppError::OtherAccount => 409,
            AppError::BadRequest { .. }
            | AppError::FolderExists
            | AppError::InvalidFolderName
            | AppError::SpecialFolder
            | AppError::NothingSelected
            | AppError::InvalidSenderEntry
            | AppError::BadAddress { .. }
            | AppError::NoRecipients => 400,
            AppError::MessageTooLarge { .. } => 413,
            AppError::SendingSuspended => 403,
            AppError::NoSuchFolder | AppError::NoSuchMessage => 404,
            AppError::Rebuilding { .. } => 503,
            AppError::Internal => 500,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::BadCredentials => {
                f.write_str("The email address or password is not correct. Check both and try again.")
            }
            AppError::RateLimited { minutes } => write!(
                f,
                "Too many failed sign-in attempts. Wait {minutes} minute{} and try again.",
                if *minutes == 1 { "" } else { "s" }
            ),
            AppError::Locked => {
                f.write_str("This account is locked. Contact your email provider to unlock it.")
            }
            AppError::NotSignedIn => f.write_str("Your session has ended. Sign in again."),
            AppError::NotKept => f.write_str(
                "You are signed out, so the message you were writing could not be saved. Go back to copy what you typed, then sign in again.",
            ),
            AppError::Forbidden => f.write_str(
                "This request was refused because it came from another site. Reload the page and try again.",
            ),
            AppError::OtherAccount => f.write_str(
                "This message was opened while signed in as another account, so it was not saved here. Copy what you typed, sign out, and sign in as that account to keep it.",
            ),
            AppError::BadRequest { message } => f.write_str(message),
            AppError::Rebuilding { done, total } if *total > 0 => write!(
                f,
                "Your mailbox is being re-indexed ({done} of {total} messages). It will be back in a moment."
            ),
            AppError::Rebuilding { .. } => {
                f.write_str("Your mailbox is being re-indexed. It will be back in a moment.")
            }
            AppError::NoSuchFolder => f.write_str(
                "That folder does not exist. It may have been renamed or deleted; pick another from the folder list.",
            ),
            AppError::NoSuchMessage => f.write_str(
                "That message is no longer here. It may have been moved or deleted.",
            ),
            AppError::FolderExists => {
                f.write_str("A folder with that name already exists. Choose another name.")
            }
            AppError::InvalidFolderName => f.write_str(
                "That folder name cannot be used. Avoid an empty name, a leading dot, and the characters / and ..",
            ),
            AppError::SpecialFolder => {
                f.write_str("Inbox, Drafts, Sent, Junk, Trash and Archive cannot be renamed or deleted.")
            }
            AppError::NothingSelected => {
                f.write_str("Select at least one message first, using the checkboxes.")
            }
            AppError::InvalidSenderEntry => f.write_str(
                "That entry cannot go on the list: use an address like name@example.com, or @example.com for a whole domain.",
            ),
            AppError::BadAddress { message } if !message.is_empty() => f.write_str(message),
            AppError::BadAddress { .. } => f.write_str(
                "An address cannot be used. Correct it and send again; your message is kept as a draft.",
            ),
            AppError::NoRecipients => f.write_str(
                "Add at least one recipient in To, Cc or Bcc. Your message is kept as a draft.",
            ),
            AppError::MessageTooLarge { max_mb } => write!(
                f,
                "The message with its attachments is larger than {max_mb} MB. Remove an attachment or send the files separately; everything else is kept."
            ),
            AppError::SendingSuspended => f.write_str(
                "Sending is suspended for this account, so the message was not sent; it is kept in Drafts. You can still read mail. Contact your email provider to restore sending.",
            ),
            AppError::Internal => f.write_str(
                "Something went wrong on our side. Try again in a moment; if it keeps happening, contact support.",
            ),
        }
    }
}

impl std::error::Error for AppError {}

/// Sets the HTTP status of the response being built to the one that fits
/// `e` ([`AppError::status`]), unless it is a redirect (a plain form post is
/// answered with one, the error travelling in its query). Called for every
/// server function's error (through [`FromServerFnError::ser`]) and by
/// pages that show one, so both interfaces answer 4xx for the user's
/// mistakes and 5xx only for ours.
pub fn set_status(e: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        let mut parts = res.0.write().unwrap_or_else(|p| p.into_inner());
        if !parts.headers.contains_key(http::header::LOCATION) {
            parts.status = http::StatusCode::from_u16(e.status()).ok();
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = e;
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// The error as the answer's body; the answer's status is set to fit,
    /// except for a plain form post: that one is sent back to its page (by
    /// us with the error in the query, or by the server-function handler to
    /// the Referer), and a redirect must stay one.
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes;
        #[cfg(feature = "ssr")]
        let plain_form = leptos::prelude::use_context::<http::request::Parts>()
            .is_some_and(|parts| crate::session::is_plain_form(&parts));
        #[cfg(not(feature = "ssr"))]
        let plain_form = false;
        if !plain_form {
            set_status(self);
        }
        JsonEncoding::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(br#"{"code":"internal"}"#))
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest {
                    message: format!("The form was incomplete or malformed ({message})."),
                }
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trip() {
        let cases = [
            AppError::BadCredentials,
            AppError::RateLimited { minutes: 7 },
            AppError::Locked,
            AppError::NotSignedIn,
            AppError::NotKept,
            AppError::Forbidden,
            AppError::OtherAccount,
            AppError::NoSuchFolder,
            AppError::NoSuchMessage,
            AppError::FolderExists,
            AppError::InvalidFolderName,
            AppError::SpecialFolder,
            AppError::NothingSelected,
            AppError::InvalidSenderEntry,
            AppError::BadAddress {
                message: String::new(),
            },
            AppError::NoRecipients,
            AppError::MessageTooLarge { max_mb: 25 },
            AppError::SendingSuspended,
            AppError::Internal,
        ];
        for e in cases {
            let q = e.to_query();
            let mut code = None;
            let mut minutes = None;
            for pair in q.split('&') {
                let (k, v) = pair.split_once('=').unwrap();
                match k {
                    "error" => code = Some(v.to_owned()),
                    "minutes" => minutes = Some(v.to_owned()),
                    _ => panic!("unexpected key {k}"),
                }
            }
            let back = AppError::from_query(&code.unwrap(), minutes.as_deref());
            assert_eq!(back, Some(e));
        }
    }

    #[test]
    fn unknown_codes_are_ignored() {
        assert_eq!(AppError::from_query("call 555-0100", None), None);
        assert_eq!(AppError::from_query("", None), None);
        assert_eq!(
            AppError::from_query("rate_limited", Some("99999")),
            Some(AppError::RateLimited { minutes: 1440 })
        );
    }

    #[test]
    fn bad_credentials_message_does_not_say_which() {
        let text = AppError::BadCredentials.to_string().to_lowercase();
        assert!(!text.contains("unknown"));
        assert!(!text.contains("no such"));
    }
}
