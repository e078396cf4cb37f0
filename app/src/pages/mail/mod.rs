//! The mail section: mailbox (folder pane + list), message, raw source.

pub mod mailbox;
pub mod message;
pub mod source;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use model::mail::ListQuery;

/// The list a message was opened from and its UID, from the page's query.
pub fn message_target(m: &ParamsMap) -> (ListQuery, u32) {
    (
        ListQuery::from_params(|k| m.get(k)),
        m.get("uid").and_then(|u| u.parse().ok()).unwrap_or(0),
    )
}

/// The outcome of the last form post, from the query (`done=N` or `error=…`).
#[component]
pub fn Outcome(done: Option<String>, error: Option<AppError>) -> impl IntoView {
    let (done, sent) = match done {
        Some(d) if d.starts_with("sent:") => (None, d[5..].parse::<u32>().ok()),
        other => (other, None),
    };
    view! {
        {sent.map(|queued| view! {
            <p role="status" class="notice">
                {if queued == 0 {
                    "Your message was sent.".to_owned()
                } else {
                    format!(
                        "Your message was sent. {queued} recipient{} on other servers {} in the outbox until the relay accepts it.",
                        if queued == 1 { "" } else { "s" },
                        if queued == 1 { "is" } else { "are" },
                    )
                }}
            </p>
        })}
        {done.map(|n| {
            let n: u64 = n.parse().unwrap_or(0);
            view! {
                <p role="status" class="notice">
                    {format!("Done: {n} message{} updated.", if n == 1 { "" } else { "s" })}
                </p>
            }
        })}
        {error.map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
    }
}
