//! The compose form at the edge (ssr only): reading the multipart post,
//! answering it (a redirect for plain form posts, the outcome for the
//! hydrated app), and the form stashed when a session ended. What a
//! submission does is `mail::write`.

use crate::error::AppError;
use crate::mail::{mail_error, run_writing};
use mail::write::{Form, Upload};
use model::Interface;
use model::compose::{BodyFormat, ComposeOutcome, Priority};
use model::mail::MessageRef;

/// The compose form as posted, and the interface it was posted from.
pub struct Posted {
    /// The form.
    pub form: Form,
    /// Where the form was (`standard` or `basic`).
    pub interface: Interface,
}

/// Reads the multipart form, keeping files within `max` bytes in all.
pub async fn read_form(
    data: leptos::server_fn::codec::MultipartData,
    max: u64,
) -> Result<Posted, AppError> {
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut form = Form::default();
    let mut interface = Interface::Standard;
    let mut total: u64 = 0;
    let bad = |e: &dyn std::fmt::Display| AppError::BadRequest {
        message: format!("The form could not be read ({e}). Try again."),
    };
    let mut original_folder = String::new();
    let mut original_uid = None;
    while let Some(mut field) = data.next_field().await.map_err(|e| bad(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let filename = field.file_name().unwrap_or_default().trim().to_owned();
            let content_type = field
                .content_type()
                .map(|m| m.to_string())
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            let mut bytes = Vec::new();
            let mut size: u64 = 0;
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(&e))? {
                size += chunk.len() as u64;
                if total + size <= max {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if filename.is_empty() && size == 0 {
                continue; // an empty file input
            }
            if total + size > max {
                form.refused.push((filename, size));
                continue;
            }
            total += size;
            form.uploads.push(Upload {
                filename: if filename.is_empty() {
                    "attachment".to_owned()
                } else {
                    filename
                },
                content_type,
                bytes,
            });
            continue;
        }
        let value = field.text().await.map_err(|e| bad(&e))?;
        let d = &mut form.draft;
        match name.as_str() {
            "op" => form.op = value,
            "to" => d.to = value,
            "cc" => d.cc = value,
            "bcc" => d.bcc = value,
            "subject" => d.subject = value,
            "body" => d.body = value.replace("\r\n", "\n"),
            "format" => d.format = BodyFormat::parse(&value),
            "priority" => d.priority = Priority::parse(&value),
            "receipt" => d.receipt = !value.is_empty(),
            "draft" => d.draft_uid = value.parse().ok(),
            "keep" => form.keep.push(value),
            "in_reply_to" => d.in_reply_to = Some(value).filter(|v| !v.trim().is_empty()),
            "references" => {
                d.references = value.split_whitespace().map(str::to_owned).collect();
            }
            "original_folder" => original_folder = value,
            "original_uid" => original_uid = value.parse().ok(),
            "account" => form.account = value,
            "forwarding" => d.forwarding = value == "1",
            "interface" => {
                interface = if value == "basic" {
                    Interface::Basic
                } else {
                    Interface::Standard
                }
            }
            _ => {
                if let Some(word) = name.strip_prefix("fix:") {
                    form.add_fix(word, value);
                }
            }
        }
        // Submit buttons may carry the operation in their name, so that one
        // form has several (`op:send`, `op:remove:d3` …).
        if let Some(op) = name.strip_prefix("op:") {
            form.op = op.to_owned();
        }
    }
    if let (false, Some(uid)) = (original_folder.is_empty(), original_uid) {
        form.draft.original = Some(MessageRef {
            folder: original_folder,
            uid,
        });
    }
    Ok(Posted { form, interface })
}

/// Runs a submission and answers it: plain form posts are redirected (to
/// the mailbox once sent, else back to the saved draft, with any error);
/// the hydrated app gets the outcome, with what was left out of a saved
/// draft beside it.
pub async fn respond(posted: Posted) -> Result<ComposeOutcome, AppError> {
    let parts = crate::session::request_parts()?;
    let plain = crate::session::is_plain_form(&parts);
    let Posted {
        form,
        interface: ui,
    } = posted;
    let op = form.op.clone();
    let (uid, result) = submit(form, plain).await;
    if plain {
        let to = match (&result, uid) {
            (Ok(o), _) if o.sent => ui.href(&format!("/mail?sent={}", o.queued)),
            (Ok(_), Some(uid)) if op == "spell" => {
                ui.href(&format!("/mail/compose?draft={uid}&spell=1"))
            }
            (Ok(_), Some(uid)) => ui.href(&format!("/mail/compose?draft={uid}&saved=1")),
            (Err(e), Some(uid)) => {
                let check = matches!(e, AppError::BadAddress { .. } | AppError::NoRecipients);
                ui.href(&format!(
                    "/mail/compose?draft={uid}&{}{}",
                    e.to_query(),
                    if check { "&check=1" } else { "" }
                ))
            }
            (_, None) => ui.href(&format!(
                "/mail/compose?{}",
                result
                    .as_ref()
                    .err()
                    .map(AppError::to_query)
                    .unwrap_or_default()
            )),
        };
        leptos_axum::redirect(&to);
    }
    result
}

/// Runs `mail::write::submit`: the draft's UID while one is kept, and the
/// outcome. Something left out of a saved draft is an error for a plain
/// form (the reopened draft shows it) and a remark beside the outcome for
/// the hydrated form, which keeps going with the new draft.
async fn submit(form: Form, plain: bool) -> (Option<u32>, Result<ComposeOutcome, AppError>) {
    let submission = match run_writing(move |s, u| Ok(mail::write::submit(s, u, &form))).await {
        Ok(s) => s,
        Err(e) => return (None, Err(e)),
    };
    let result = match (submission.result, submission.problem) {
        (Ok(_), Some(p)) if plain => Err(mail_error(p)),
        (Ok(outcome), Some(p)) => Ok(ComposeOutcome {
            problem: Some(mail_error(p).to_string()),
            ..outcome
        }),
        (result, None) => result.map_err(mail_error),
        (Err(e), Some(_)) => Err(mail_error(e)),
    };
    (submission.draft_uid, result)
}

/// Saves the form stashed when the session ended as a draft; its UID.
/// Called by the sign-in (a POST) once the session exists.
pub async fn restore_stash() -> Result<Option<u32>, AppError> {
    let Some((content_type, body)) = crate::session::take_compose_stash().await? else {
        return Ok(None);
    };
    let Ok(boundary) = multer::parse_boundary(&content_type) else {
        return Ok(None);
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes_of(body)) });
    let data =
        leptos::server_fn::codec::MultipartData::Server(multer::Multipart::new(stream, boundary));
    let state = crate::state::app_state()?;
    let mut posted = read_form(data, state.web.max_message_bytes).await?;
    // Whatever the button was, the text comes back as a draft to check.
    posted.form.op = "save".to_owned();
    let (uid, _) = submit(posted.form, false).await;
    Ok(uid)
}

fn bytes_of(body: Vec<u8>) -> multer::bytes::Bytes {
    multer::bytes::Bytes::from(body)
}

/// Saves the identity; plain form posts return to the settings page (a
/// refused one by the server's fallback for errors: back to its page).
pub async fn set_identity(form: mail::identity::IdentityForm) -> Result<(), AppError> {
    let parts = crate::session::request_parts()?;
    let languages = crate::state::app_state()?.spell.languages();
    let settings = crate::session::signed_in()?.interface.href("/settings");
    crate::mail::run(move |d, u| mail::identity::set_identity(d, u, &form, &languages)).await?;
    if crate::session::is_plain_form(&parts) {
        leptos_axum::redirect(&format!("{settings}?saved=1"));
    }
    Ok(())
}
