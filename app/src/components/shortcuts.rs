//! Keyboard shortcuts of the standard interface, and their help dialog.
//!
//! Shortcuts are an enhancement: each does what a visible control also does,
//! so the basic interface (no script) loses nothing but speed. A key typed in
//! a text field, or with Ctrl, Alt or Meta held, is never taken.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;

/// What a key means on a mail page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `j` (or ↓): the next message.
    Next,
    /// `k` (or ↑): the previous message.
    Prev,
    /// Enter: open the current message.
    Open,
    /// `u`: back to the list.
    Up,
    /// `#`: delete.
    Delete,
    /// `!`: spam.
    Spam,
    /// `s`: flag or unflag.
    Flag,
    /// `x`: select or deselect the current message.
    Select,
    /// `/`: search.
    Search,
    /// `?`: the help dialog.
    Help,
    /// Escape: close the help dialog.
    Escape,
}

/// Every shortcut with what it does, for the help dialog.
pub const HELP: [(&str, &str); 10] = [
    ("j", "Next message"),
    ("k", "Previous message"),
    ("Enter", "Open the message"),
    ("u", "Back to the list"),
    ("x", "Select the message"),
    ("s", "Flag or unflag"),
    ("#", "Delete"),
    ("!", "Report as spam"),
    ("/", "Search"),
    ("?", "Show these shortcuts"),
];

/// The shortcut a key press means, unless the user is typing.
pub fn key_of(ev: &web_sys::KeyboardEvent) -> Option<Key> {
    if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.default_prevented() {
        return None;
    }
    let key = ev.key();
    if key == "Escape" {
        return Some(Key::Escape);
    }
    if typing(ev) {
        return None;
    }
    Some(match key.as_str() {
        "j" | "ArrowDown" => Key::Next,
        "k" | "ArrowUp" => Key::Prev,
        "Enter" => Key::Open,
        "u" => Key::Up,
        "#" => Key::Delete,
        "!" => Key::Spam,
        "s" => Key::Flag,
        "x" => Key::Select,
        "/" => Key::Search,
        "?" => Key::Help,
        _ => return None,
    })
}

/// The key went to a text field, a list box or an editable region.
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    matches!(
        el.tag_name().to_ascii_lowercase().as_str(),
        "input" | "textarea" | "select"
    ) || el.is_content_editable()
}

/// Focuses the first element matching `selector`; false when there is none.
pub fn focus(selector: &str) -> bool {
    let el = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match el {
        Some(el) => el.focus().is_ok(),
        None => false,
    }
}

/// The shortcut help, shown while `open` is true. A labelled dialog with a
/// close button; Escape closes it too.
#[component]
pub fn ShortcutHelp(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <div role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" class="dialog">
                    <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                    <table>
                        <tbody>
                            {HELP
                                .iter()
                                .map(|(k, what)| view! { <tr><th scope="row"><kbd>{*k}</kbd></th><td>{*what}</td></tr> })
                                .collect_view()}
                        </tbody>
                    </table>
                    <button type="button" on:click=move |_| open.set(false) autofocus>"Close"</button>
                </div>
            </div>
        </Show>
    }
}

/// The button that opens the help (standard interface only: the shortcuts
/// need script).
#[component]
pub fn ShortcutButton(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <button
            type="button"
            class="ghost shortcuts-button"
            aria-haspopup="dialog"
            on:click=move |_| open.set(true)
        >
            "Keyboard shortcuts"
        </button>
    }
}
