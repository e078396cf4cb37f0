//! The list's keyboard: moving the cursor, opening, selecting, and the
//! shortcut actions (flag, delete, spam) on the selection or the current row.

use super::live::{LiveList, RowState};
use crate::components::shortcuts::{self, Key};
use leptos::prelude::*;
use model::mail::ListAction;

/// What a list's key handler works on.
pub(super) struct ListKeys<N> {
    pub(super) live: LiveList,
    /// The list's form: only the list in the document takes keys.
    pub(super) form: NodeRef<leptos::html::Form>,
    pub(super) states: StoredValue<Vec<RowState>>,
    /// Where each row leads.
    pub(super) hrefs: Vec<String>,
    /// Whether rows can be acted on at once.
    pub(super) live_actions: bool,
    /// Acts on rows.
    pub(super) act: Callback<(ListAction, Vec<RowState>, Option<String>)>,
    pub(super) navigate: N,
}

impl<N: Fn(&str, leptos_router::NavigateOptions) + 'static> ListKeys<N> {
    /// The selected rows still shown.
    fn selected(&self) -> Vec<RowState> {
        self.states.with_value(|v| {
            v.iter()
                .filter(|r| r.selected.get_untracked() && !r.gone.get_untracked())
                .copied()
                .collect()
        })
    }

    /// The row under the cursor; when it has just been removed, the next
    /// one (which takes its place once the list reloads).
    fn current(&self) -> Option<RowState> {
        let i = self.live.cursor.get_untracked()?;
        self.states
            .with_value(|v| v.iter().skip(i).find(|r| !r.gone.get_untracked()).copied())
    }

    /// Handles a key press; `false` when this list is not on screen (the
    /// next list may take the key).
    pub(super) fn handle(&self, ev: leptos::ev::KeyboardEvent) -> bool {
        let live = self.live;
        let on_screen = self
            .form
            .try_get_untracked()
            .flatten()
            .is_some_and(|f| f.is_connected());
        let Some(count) = self
            .states
            .try_with_value(|v| v.len())
            .filter(|_| on_screen)
        else {
            return false;
        };
        let Some(key) = shortcuts::key_of(&ev) else {
            return true;
        };
        let visible = |i: usize| {
            self.states
                .with_value(|v| v.get(i).is_some_and(|r| !r.gone.get_untracked()))
        };
        let step = |from: Option<usize>, down: bool| -> Option<usize> {
            let mut i = from;
            loop {
                i = match (i, down) {
                    (None, true) => Some(0),
                    (None, false) => return None,
                    (Some(i), true) if i + 1 < count => Some(i + 1),
                    (Some(i), false) if i > 0 => Some(i - 1),
                    _ => return None,
                };
                if i.is_some_and(visible) {
                    return i;
                }
            }
        };
        match key {
            Key::Help => live.help.update(|h| *h = !*h),
            Key::Escape => live.help.set(false),
            _ if live.help.get_untracked() => return true,
            Key::Next | Key::Prev => {
                let next = step(live.cursor.get_untracked(), key == Key::Next);
                if let Some(i) = next {
                    live.cursor.set(Some(i));
                    shortcuts::focus(&format!("tr[data-row='{i}'] .col-subject a"));
                }
            }
            Key::Open => {
                // Enter on a focused link follows it natively.
                let on_link = ev
                    .target()
                    .and_then(|t| {
                        leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t).ok()
                    })
                    .is_some_and(|e| e.tag_name().eq_ignore_ascii_case("a"));
                if on_link {
                    return true;
                }
                if let Some(href) = live
                    .cursor
                    .get_untracked()
                    .and_then(|i| self.hrefs.get(i).cloned())
                {
                    (self.navigate)(&href, Default::default());
                }
            }
            Key::Select => {
                if let Some(r) = self.current() {
                    r.choose(live, !r.selected.get_untracked());
                }
            }
            Key::Search => {
                shortcuts::focus("#search-q");
            }
            Key::Flag | Key::Delete | Key::Spam if self.live_actions => {
                let mut rows = self.selected();
                if rows.is_empty() {
                    rows.extend(self.current());
                }
                let action = match key {
                    Key::Delete => ListAction::Delete,
                    Key::Spam => ListAction::Spam,
                    _ if rows.iter().all(|r| r.flagged.get_untracked()) => ListAction::Unflag,
                    _ => ListAction::Flag,
                };
                self.act.run((action, rows, None));
            }
            _ => return true,
        }
        ev.prevent_default();
        true
    }
}
