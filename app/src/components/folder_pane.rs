//! The folder pane: special folders with their icons, then the user's
//! folders nested, with unread counts, and the forms that manage folders.

use crate::api::mail::MailFolder;
use crate::components::icons::FolderIcon;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::Interface;
use model::mail::{Folder, ListQuery};

/// The pane. `back` is where folder forms return to.
#[component]
pub fn FolderPane(
    folders: Vec<Folder>,
    current: String,
    ui: Interface,
    back: String,
) -> impl IntoView {
    let user_folders: Vec<String> = folders
        .iter()
        .filter(|f| f.role.is_none())
        .map(|f| f.name.clone())
        .collect();
    let has_user_folders = !user_folders.is_empty();
    let items = folders
        .into_iter()
        .map(|f| {
            let href = ui.href(&format!(
                "/mail?{}",
                ListQuery { folder: f.name.clone(), ..ListQuery::default() }.to_params()
            ));
            let is_current = f.name == current;
            let unread = f.unread;
            view! {
                <li class=format!("depth-{}{}", f.depth.min(6), if unread > 0 { " unread" } else { "" })>
                    <a href=href aria-current=is_current.then_some("page") title=f.name.clone()>
                        <FolderIcon role=f.role />
                        <span class="label">{f.label}</span>
                        {(unread > 0).then(|| view! {
                            <span class="count">{unread}<span class="sr-only">" unread"</span></span>
                        })}
                    </a>
                </li>
            }
        })
        .collect_view();
    let options = move || {
        user_folders
            .iter()
            .map(|n| view! { <option value=n.clone()>{n.clone()}</option> })
            .collect_view()
    };
    view! {
        <nav class="folders" aria-label="Folders">
            <ul>{items}</ul>
            <details class="manage-folders">
                <summary>"Manage folders"</summary>
                <form method="post" action=MailFolder::PATH>
                    <input type="hidden" name="op" value="create" />
                    <input type="hidden" name="back" value=back.clone() />
                    <label for="new-folder">"New folder"</label>
                    <input id="new-folder" name="name" type="text" required placeholder="Projects/2027" />
                    <button type="submit">"Create folder"</button>
                </form>
                {has_user_folders.then(|| view! {
                    <form method="post" action=MailFolder::PATH>
                        <input type="hidden" name="op" value="rename" />
                        <input type="hidden" name="back" value=back.clone() />
                        <label for="rename-folder">"Rename folder"</label>
                        <select id="rename-folder" name="name">{options()}</select>
                        <label for="rename-to">"New name"</label>
                        <input id="rename-to" name="new_name" type="text" required />
                        <button type="submit">"Rename folder"</button>
                    </form>
                    <form method="post" action=MailFolder::PATH>
                        <input type="hidden" name="op" value="delete" />
                        <input type="hidden" name="back" value=format!("{}", ui.href("/mail")) />
                        <label for="delete-folder">"Delete folder"</label>
                        <select id="delete-folder" name="name">{options()}</select>
                        <button type="submit">"Delete folder"</button>
                    </form>
                })}
            </details>
        </nav>
    }
    .into_any()
}
