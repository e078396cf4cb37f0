//! Compose: load the form, submit it (save, attach, check spelling, send),
//! the outbox, and the identity settings.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use model::compose::{ComposeOpening, ComposeOutcome, ComposeState, OutboxEntry};

/// What the compose page opens with: a draft, a reply or forward of a
/// message, or a new message (optionally to `to`).
#[server(endpoint = "mail/compose_load")]
pub async fn compose_load(opening: ComposeOpening) -> Result<ComposeState, AppError> {
    crate::mail::run_writing(move |s, u| mail::write::load(s, u, &opening)).await
}

/// The compose form (multipart, with files). The draft is always saved
/// first; then `op` says what else: `send`, `spell`, `fix`, `attach`,
/// `remove:<id>` or just `save`. Plain form posts are sent back to the
/// form (or to the mailbox once sent).
#[server(endpoint = "mail/compose", input = MultipartFormData)]
pub async fn compose_submit(data: MultipartData) -> Result<ComposeOutcome, AppError> {
    let state = crate::state::app_state()?;
    let form = crate::compose::read_form(data, state.web.max_message_bytes).await?;
    crate::compose::respond(form).await
}

/// Mail of the signed-in user still waiting to leave.
#[server(endpoint = "mail/outbox")]
pub async fn outbox() -> Result<Vec<OutboxEntry>, AppError> {
    crate::mail::run_writing(mail::write::outbox).await
}

/// Sends the waiting mail now instead of at its next retry.
#[server(endpoint = "mail/outbox_retry")]
pub async fn outbox_retry(back: String) -> Result<u32, AppError> {
    let retry = crate::mail::run_writing(mail::write::retry_outbox);
    crate::mail::run_form(&back, retry).await
}

/// Spelling of `text` in the user's language (the standard interface's
/// live check).
#[server(endpoint = "mail/spell")]
pub async fn spell_check(
    language: String,
    text: String,
) -> Result<Vec<model::compose::Misspelling>, AppError> {
    crate::mail::run_writing(move |s, _| mail::write::spell(s, &language, &text)).await
}

/// The sender's display name, signature, spell-check language and time
/// zone.
#[server(endpoint = "settings/identity")]
pub async fn identity() -> Result<model::compose::IdentitySettings, AppError> {
    crate::mail::run_writing(mail::write::identity_settings).await
}

/// Saves the display name, signature, spell-check language and time zone.
#[server(endpoint = "settings/set_identity")]
pub async fn set_identity(
    name: String,
    signature: String,
    language: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    crate::compose::set_identity(mail::identity::IdentityForm {
        name,
        signature,
        language,
        time_zone,
    })
    .await
}
