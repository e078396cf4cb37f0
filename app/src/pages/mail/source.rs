//! `/mail/source`: the raw message, escaped, with a download link.

use crate::api::mail::mail_source;
use crate::components::app_shell::{AppShell, Section};
use crate::use_interface;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::mail::encode;

/// `/mail/source` and `/basic/mail/source`.
#[component]
pub fn SourcePage() -> impl IntoView {
    let ui = use_interface();
    let params = use_query_map();
    let target = Memo::new(move |_| params.with(super::message_target));
    let source = Resource::new(move || target.get(), |(q, uid)| mail_source(q.folder, uid));
    view! {
        <Title text="Message source · Webmail" />
        <AppShell section=Section::Mail content=move |_user| {
            view! {
                <Suspense fallback=|| view! { <p class="loading" role="status">"Loading source…"</p> }>
                    {move || Suspend::new(async move {
                        let (q, uid) = target.get();
                        let back = ui.href(&format!("/mail/message?uid={uid}&{}", q.to_params()));
                        let download = format!("/mail/raw?folder={}&uid={uid}", encode(&q.folder));
                        match source.await {
                            Ok(text) => view! {
                                <h1>"Message source"</h1>
                                <p class="actions">
                                    <a href=back>"Back to the message"</a>
                                    " · "
                                    <a href=download download="">"Download .eml"</a>
                                </p>
                                <pre class="raw-source" aria-label="Raw message source" tabindex="0">{crate::components::message_list::non_empty(&text, "(empty message)")}</pre>
                            }.into_any(),
                            Err(e) => {
                                crate::error::set_status(&e);
                                view! {
                                <h1>"Message source"</h1>
                                <p role="alert" class="error">{e.to_string()}</p>
                            }.into_any()
                            },
                        }
                    })}
                </Suspense>
            }
        } />
    }
}
