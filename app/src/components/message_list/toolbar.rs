//! The list's toolbar: actions on the selected messages, the folder to move
//! them to, the "More options" menu, the shortcut help and the count.

use crate::components::shortcuts;
use leptos::prelude::*;
use model::Interface;
use model::mail::ListAction;

/// The toolbar above the list. Each button is a submit button of the list's
/// form (JavaScript off); with `on_act`, a click acts at once instead.
#[component]
pub(super) fn Toolbar(
    /// Acts on the selected rows at once (hydrated lists that can).
    on_act: Option<Callback<ListAction>>,
    /// The folders messages can be moved to.
    move_targets: Vec<String>,
    /// The folder chooser, read when moving.
    move_target: NodeRef<leptos::html::Select>,
    ui: Interface,
    /// The shortcut help is open.
    help: RwSignal<bool>,
    /// What the count says.
    count: String,
) -> impl IntoView {
    let button = move |action: ListAction, label: &'static str| {
        view! {
            <button
                type="submit"
                name="action"
                value=action.as_str()
                on:click=move |ev| {
                    if let Some(act) = on_act {
                        ev.prevent_default();
                        act.run(action);
                    }
                }
            >
                {label}
            </button>
        }
    };
    let options = move_targets
        .into_iter()
        .map(|f| {
            let label = f.clone();
            view! { <option value=f>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="toolbar" role="toolbar" aria-label="Actions on selected messages">
            {button(ListAction::Read, "Mark read")}
            {button(ListAction::Unread, "Mark unread")}
            {button(ListAction::Flag, "Flag")}
            {button(ListAction::Unflag, "Unflag")}
            {button(ListAction::Delete, "Delete")}
            {button(ListAction::Spam, "Spam")}
            <label for="move-target" class="sr-only">"Move selected to folder"</label>
            <select id="move-target" name="target" node_ref=move_target>
                <option value="">"Move to…"</option>
                {options}
            </select>
            {button(ListAction::Move, "Move")}
            <MoreOptions />
            {(ui == Interface::Standard).then(|| view! { <shortcuts::ShortcutButton open=help /> })}
            <span class="count" role="status">{count}</span>
        </div>
    }
}

/// The "More options" menu of a message form: block or trust the senders of
/// the selected messages. A `<details>` element, so it opens without script.
#[component]
pub fn MoreOptions() -> impl IntoView {
    view! {
        <details class="more">
            <summary>"More options"</summary>
            <div class="menu">
                <button type="submit" name="action" value=ListAction::Block.as_str()>"Block sender"</button>
                <button type="submit" name="action" value=ListAction::Safe.as_str()>"Safe sender"</button>
            </div>
        </details>
    }
}
