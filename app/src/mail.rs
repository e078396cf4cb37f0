//! The glue between the mail server functions and the `mail` crate (ssr
//! only): run a use case for the signed-in user on a blocking thread, map
//! its errors to what the user is told, and send plain form posts back to
//! their page.

use crate::error::AppError;
use crate::session::signed_in;

/// Maps a mail use-case error to what the user is told; causes of internal
/// failures are logged here.
pub fn mail_error(e: mail::Error) -> AppError {
    use mail::Error as E;
    match e {
        E::Rebuilding { done, total } => AppError::Rebuilding { done, total },
        E::NoSuchFolder => AppError::NoSuchFolder,
        E::NoSuchMessage | E::NoSuchAttachment => AppError::NoSuchMessage,
        E::FolderExists => AppError::FolderExists,
        E::InvalidFolderName => AppError::InvalidFolderName,
        E::SpecialFolder => AppError::SpecialFolder,
        E::NothingSelected => AppError::NothingSelected,
        E::InvalidSenderEntry(_) => AppError::InvalidSenderEntry,
        E::Invalid(message) | E::Refused(message) => AppError::BadRequest { message },
        E::OtherAccount => AppError::OtherAccount,
        E::BadAddress(message) => AppError::BadAddress { message },
        E::NoRecipients => AppError::NoRecipients,
        E::MessageTooLarge { max_bytes } => AppError::MessageTooLarge {
            max_mb: max_bytes / (1024 * 1024),
        },
        E::SendingSuspended => AppError::SendingSuspended,
        other => {
            tracing::error!(error = %other, "mail");
            AppError::Internal
        }
    }
}

/// The signed-in user, as the mail use cases know them.
pub fn user() -> Result<mail::User, AppError> {
    let s = signed_in()?;
    Ok(mail::User {
        id: s.account_id,
        address: s.address,
        dir: s.user_dir,
        status: s.status,
        time_zone: match s.time_zone.filter(|z| accounts::zone::is_zone(z)) {
            Some(z) => z,
            None => crate::state::app_state()?.web.default_time_zone.clone(),
        },
    })
}

/// Runs a mail use case for the signed-in user on a blocking thread.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce(&accounts::Directory, &mail::User) -> mail::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let user = user()?;
    let directory = crate::state::app_state()?.directory;
    blocking(move || f(&directory, &user)).await
}

/// Runs `f` on a blocking thread; its error is mapped for the user.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> mail::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "mail task");
            AppError::Internal
        })?
        .map_err(mail_error)
}

/// Runs a use case of `mail::write` or `mail::identity` for the signed-in
/// user on a blocking thread, with the server's services (queue, spelling,
/// limits).
pub async fn run_writing<T: Send + 'static>(
    f: impl FnOnce(&mail::write::Services<'_>, &mail::User) -> mail::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let user = user()?;
    let state = crate::state::app_state()?;
    blocking(move || {
        let outbound = state.outbound.clone();
        let wake = move || outbound.wake.notify_one();
        let services = mail::write::Services {
            directory: &state.directory,
            data_root: &state.data_dir,
            queue: &state.outbound.queue,
            wake: &wake,
            spell: &state.spell,
            max_message_bytes: state.web.max_message_bytes,
            default_language: &state.web.default_spell_language,
            hostname: &state.web.hostname,
        };
        f(&services, &user)
    })
    .await
}

/// A same-site path to return to, or the mail page. Browsers drop tabs and
/// newlines from URLs (`/\t/evil.example` becomes `//evil.example`) and read
/// `\` as `/`, so a path with any control character, whitespace or
/// backslash is refused rather than cleaned.
pub fn safe_back(back: &str) -> String {
    if back.starts_with('/')
        && !back.starts_with("//")
        && !back
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        back.to_owned()
    } else {
        "/mail".to_owned()
    }
}

/// Runs a form's work; a plain form post is then sent back to `back`, with
/// `done=N` or the error code in the query, so both interfaces can say what
/// happened.
pub async fn run_form(
    back: &str,
    work: impl std::future::Future<Output = Result<usize, AppError>>,
) -> Result<u32, AppError> {
    let parts = crate::session::request_parts()?;
    let back = safe_back(back);
    let back = strip_outcome(&back);
    let sep = if back.contains('?') { '&' } else { '?' };
    match work.await {
        Ok(n) => {
            if crate::session::is_plain_form(&parts) {
                leptos_axum::redirect(&format!("{back}{sep}done={n}"));
            }
            Ok(n as u32)
        }
        Err(e) => {
            crate::session::redirect_with_error(&parts, &back, &e);
            Err(e)
        }
    }
}

/// `url` without the `done`, `error` and `minutes` parameters of an earlier outcome.
fn strip_outcome(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("");
            !matches!(k, "done" | "error" | "minutes")
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Opens a message for the reader (see `mail::open::open_message`), in
/// its frame document. A link from elsewhere may show the message, but
/// neither loads its remote images (that tells the sender it was opened)
/// nor marks it read.
pub async fn open_message(
    query: model::mail::ListQuery,
    uid: u32,
    nested: Vec<u32>,
    images: bool,
    full: bool,
) -> Result<model::mail::OpenedMessage, AppError> {
    let headers = crate::session::request_parts()?.headers;
    let opening = mail::open::Opening {
        query,
        uid,
        nested,
        images: images && crate::session::from_our_page(&headers),
        mark_read: !crate::session::from_another_site(&headers),
        full,
    };
    let mut opened = run(move |d, u| mail::open::open_message(d, u, &opening)).await?;
    if let model::mail::Body::Html { html, .. } = &mut opened.view.body {
        *html = crate::components::message_frame::frame_document(html, opened.images_shown);
    }
    Ok(opened)
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn back_is_same_site() {
        let cases = [
            ("/mail?folder=INBOX", "/mail?folder=INBOX"),
            ("//evil.example/x", "/mail"),
            ("https://evil.example", "/mail"),
            ("/\\evil.example", "/mail"),
            ("", "/mail"),
            ("/\t/evil.example", "/mail"),
            ("/\n/evil.example", "/mail"),
            ("/\r\n/evil.example", "/mail"),
            ("/ /evil.example", "/mail"),
            ("/\u{0}/x", "/mail"),
            ("/mail?q=a%20b", "/mail?q=a%20b"),
        ];
        for (input, expected) in cases {
            assert_eq!(safe_back(input), expected, "{input}");
        }
    }

    #[test]
    fn earlier_outcomes_are_dropped() {
        assert_eq!(strip_outcome("/mail?folder=A&done=3"), "/mail?folder=A");
        assert_eq!(strip_outcome("/mail?error=internal"), "/mail");
        assert_eq!(strip_outcome("/mail"), "/mail");
    }
}
