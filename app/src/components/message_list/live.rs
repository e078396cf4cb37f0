//! The state of a hydrated list that outlives one load of its rows, and
//! acting at once: a row shows an action before the server answers, and
//! shows it back as it was, with the server's reason, if it refuses.

use crate::api::mail::mail_act;
use leptos::prelude::*;
use model::mail::ListAction;
use std::collections::HashMap;

/// What the result of an action says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// It worked.
    Done(String),
    /// It did not; the change was undone.
    Failed(String),
}

/// Page-level state of a hydrated list that outlives one load of the rows.
#[derive(Clone, Copy, Debug)]
pub struct LiveList {
    /// Bumped to reload the list and the folder pane.
    pub refresh: RwSignal<u32>,
    /// The result of the last action.
    pub notice: RwSignal<Option<Notice>>,
    /// The row the keyboard is on.
    pub cursor: RwSignal<Option<usize>>,
    /// The shortcut help is open.
    pub help: RwSignal<bool>,
    /// UIDs of the selected rows: kept while the list reloads after an
    /// action, so a selection made meanwhile is not lost.
    pub chosen: RwSignal<Vec<u32>>,
    /// Actions sent to the server, newest last. A list loaded before an
    /// action's effect reached the server (rows fetched while it was in
    /// flight, or answered late) shows that effect anyway, so a reload
    /// never undoes on screen what the user just did.
    pub sent: RwSignal<Vec<SentAction>>,
    /// What the newest list does with a key press (browser only: the
    /// handler is not `Send`, and thread-local values must not be made on
    /// the server, whose rendering hops threads).
    #[cfg(feature = "hydrate")]
    pub keys: StoredValue<Vec<(u64, KeyHandler)>, LocalStorage>,
    /// The page's owner, and the owners of the lists built under it, oldest
    /// first (browser only). A reload re-runs the view that shows the list
    /// and drops what that view owned at once, while the old rows stay on
    /// screen until the new ones arrive; so each list's state, handlers and
    /// key handler live in an owner of their own, which goes only when a
    /// newer list is on screen.
    #[cfg(feature = "hydrate")]
    owners: StoredValue<(Owner, Vec<(u64, Owner)>)>,
}

/// An action the list has sent, as the rows of later loads must show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAction {
    id: u64,
    action: ListAction,
    /// The folder the UIDs are in: a UID means nothing outside its folder,
    /// and the list may show another folder by the time rows load.
    folder: String,
    uids: Vec<u32>,
    /// The `refresh` value of the reload asked for once the server agreed:
    /// rows loaded at that value or later include the effect. `None` while
    /// the server has not answered.
    settled: Option<u32>,
}

/// How many sent actions are remembered: far more than can be in flight.
const SENT_KEPT: usize = 64;

impl SentAction {
    /// Whether rows loaded at refresh value `loaded` may lack this effect.
    fn newer_than(&self, loaded: u32) -> bool {
        self.settled.is_none_or(|s| s > loaded)
    }
}

/// A row's `(seen, flagged, gone)` once the actions that rows loaded at
/// `loaded` may not include are applied over what the server said.
pub(super) fn overlaid(
    (folder, uid): (&str, u32),
    (seen, flagged): (bool, bool),
    sent: &[SentAction],
    loaded: u32,
) -> (bool, bool, bool) {
    sent.iter()
        .filter(|a| a.newer_than(loaded) && a.folder == folder && a.uids.contains(&uid))
        .fold((seen, flagged, false), |state, a| a.action.effect(state))
}

/// A list's keyboard handler. It answers `false`, doing nothing, when its
/// list is not on screen: a list can be built and not shown (a reload that
/// lost the race to a newer one), or still be alive while leaving.
pub type KeyHandler = std::rc::Rc<dyn Fn(leptos::ev::KeyboardEvent) -> bool>;

impl LiveList {
    /// Fresh state.
    pub fn new() -> Self {
        LiveList {
            refresh: RwSignal::new(0),
            notice: RwSignal::new(None),
            cursor: RwSignal::new(None),
            help: RwSignal::new(false),
            chosen: RwSignal::new(Vec::new()),
            sent: RwSignal::new(Vec::new()),
            #[cfg(feature = "hydrate")]
            keys: StoredValue::new_local(Vec::new()),
            #[cfg(feature = "hydrate")]
            owners: StoredValue::new((Owner::current().unwrap_or_default(), Vec::new())),
        }
    }

    /// Builds a list (given its id) in an owner of its own under the page,
    /// so that it outlives the view it is shown in (see `owners`).
    pub fn own<V>(self, build: impl FnOnce(u64) -> V) -> V {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        #[cfg(feature = "hydrate")]
        {
            /// Lists kept at most: the one on screen, ones being built,
            /// and ones built for loads that lost the race to newer ones.
            const KEPT: usize = 4;
            let owner = self.owners.try_update_value(|(page, lists)| {
                let owner = page.child();
                lists.push((id, owner.clone()));
                let extra = lists.len().saturating_sub(KEPT);
                (owner, lists.drain(..extra).collect::<Vec<_>>())
            });
            if let Some((owner, old)) = owner {
                for (_, o) in old {
                    o.cleanup();
                }
                return owner.with(|| build(id));
            }
        }
        build(id)
    }

    /// List `id` is on screen: the lists built before it go.
    pub fn on_screen(self, id: u64) {
        #[cfg(feature = "hydrate")]
        {
            let old = self.owners.try_update_value(|(_, lists)| {
                let keep = lists
                    .iter()
                    .position(|(i, _)| *i >= id)
                    .unwrap_or(lists.len());
                lists.drain(..keep).collect::<Vec<_>>()
            });
            for (_, o) in old.unwrap_or_default() {
                o.cleanup();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    }
}

impl LiveList {
    /// Sends the page's key presses to the newest list on screen.
    pub fn listen(self) {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                // Cloned out first: a handler may navigate, and the lists it
                // takes down give their handlers back meanwhile.
                let handlers: Vec<KeyHandler> = self
                    .keys
                    .try_with_value(|k| k.iter().rev().map(|(_, h)| h.clone()).collect())
                    .unwrap_or_default();
                for h in handlers {
                    if h(ev.clone()) {
                        break;
                    }
                }
            });
            on_cleanup(move || handle.remove());
        }
    }
}

impl Default for LiveList {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of the last action, announced politely or as an alert.
#[component]
pub fn LiveNotice(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Notice::Done(text) => view! { <p role="status" class="notice">{text}</p> }.into_any(),
            Notice::Failed(text) => view! { <p role="alert" class="error">{text}</p> }.into_any(),
        })
    }
}

/// "Done: N messages updated."
pub fn done_text(n: u32) -> String {
    format!(
        "Done: {n} message{} updated.",
        if n == 1 { "" } else { "s" }
    )
}

/// One row as the hydrated list tracks it.
#[derive(Clone, Copy, Debug)]
pub(super) struct RowState {
    pub(super) uid: u32,
    pub(super) seen: RwSignal<bool>,
    pub(super) flagged: RwSignal<bool>,
    pub(super) gone: RwSignal<bool>,
    pub(super) selected: RwSignal<bool>,
}

impl RowState {
    pub(super) fn snapshot(&self) -> (bool, bool, bool) {
        (
            self.seen.get_untracked(),
            self.flagged.get_untracked(),
            self.gone.get_untracked(),
        )
    }

    /// Selects or deselects the row, remembering it for the page.
    pub(super) fn choose(&self, live: LiveList, on: bool) {
        self.selected.set(on);
        live.chosen.update(|c| {
            c.retain(|u| *u != self.uid);
            if on {
                c.push(self.uid);
            }
        });
    }

    fn restore(&self, (seen, flagged, gone): (bool, bool, bool)) {
        self.seen.set(seen);
        self.flagged.set(flagged);
        self.gone.set(gone);
    }

    /// Shows the effect of `action` at once.
    fn apply(&self, action: ListAction) {
        let (seen, flagged, gone) = self.snapshot();
        let after = action.effect((seen, flagged, gone));
        // Only what changes is set, so nothing else re-renders.
        if after.0 != seen {
            self.seen.set(after.0);
        }
        if after.1 != flagged {
            self.flagged.set(after.1);
        }
        if after.2 != gone {
            self.gone.set(after.2);
        }
        self.selected.set(false);
    }
}

/// Runs `action` on `rows` optimistically: the rows change now, the server is
/// asked, and on refusal they change back and the reason is shown.
pub(super) fn act_now(
    live: LiveList,
    folder: String,
    back: String,
    action: ListAction,
    rows: Vec<RowState>,
    target: Option<String>,
) {
    if rows.is_empty() {
        live.notice.set(Some(Notice::Failed(
            crate::error::AppError::NothingSelected.to_string(),
        )));
        return;
    }
    if action == ListAction::Move && target.as_deref().unwrap_or("").is_empty() {
        live.notice.set(Some(Notice::Failed(
            "Choose a folder to move the messages to.".to_owned(),
        )));
        return;
    }
    let before: Vec<_> = rows.iter().map(RowState::snapshot).collect();
    for r in &rows {
        r.apply(action);
        r.choose(live, false);
    }
    let id = {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
    live.sent.update_untracked(|sent| {
        sent.push(SentAction {
            id,
            action,
            folder: folder.clone(),
            uids: rows.iter().map(|r| r.uid).collect(),
            settled: None,
        });
        let extra = sent.len().saturating_sub(SENT_KEPT);
        sent.drain(..extra);
    });
    let sel: HashMap<String, String> = rows
        .iter()
        .map(|r| (r.uid.to_string(), "on".to_owned()))
        .collect();
    leptos::task::spawn_local(async move {
        match mail_act(folder, action.as_str().to_owned(), target, Some(sel), back).await {
            Ok(n) => {
                let reload = live.refresh.get_untracked() + 1;
                live.sent.update_untracked(|sent| {
                    if let Some(a) = sent.iter_mut().find(|a| a.id == id) {
                        a.settled = Some(reload);
                    }
                });
                live.notice.set(Some(Notice::Done(done_text(n))));
                live.refresh.set(reload);
            }
            Err(e) => {
                live.sent
                    .update_untracked(|sent| sent.retain(|a| a.id != id));
                // The rows this action changed, if they are still shown; a
                // list built meanwhile showed the change too, so reload.
                for (r, b) in rows.iter().zip(before) {
                    r.restore(b);
                }
                live.notice
                    .set(Some(Notice::Failed(format!("{e} Nothing was changed."))));
                live.refresh.update(|v| *v += 1);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(id: u64, action: ListAction, uids: &[u32], settled: Option<u32>) -> SentAction {
        SentAction {
            id,
            action,
            folder: "INBOX".to_owned(),
            uids: uids.to_vec(),
            settled,
        }
    }

    #[test]
    fn rows_loaded_before_an_action_settled_show_its_effect() {
        let log = [
            sent(0, ListAction::Flag, &[3], Some(1)),
            sent(1, ListAction::Unflag, &[3], None),
            sent(2, ListAction::Read, &[4], Some(2)),
            sent(3, ListAction::Delete, &[5], Some(3)),
        ];
        // (uid, server's (seen, flagged), loaded at, expected)
        let cases = [
            // Loaded before the flag settled, while the unflag is in flight:
            // the newest action wins.
            (3, (false, false), 0, (false, false, false)),
            // Loaded after the flag settled: the unflag still shows.
            (3, (false, true), 1, (false, false, false)),
            // The read settled at 2: rows from 1 lack it, rows from 2 have it.
            (4, (false, false), 1, (true, false, false)),
            (4, (false, false), 2, (false, false, false)),
            // A deleted row loaded late stays hidden.
            (5, (true, false), 2, (true, false, true)),
            (5, (true, false), 3, (true, false, false)),
            // Rows no action touched are as the server says.
            (9, (true, true), 0, (true, true, false)),
        ];
        for (uid, server, loaded, expected) in cases {
            assert_eq!(
                overlaid(("INBOX", uid), server, &log, loaded),
                expected,
                "uid {uid} loaded at {loaded}"
            );
        }
    }

    #[test]
    fn an_action_shows_only_on_rows_of_its_folder() {
        // Moving INBOX 5 to Junk, still in flight, while the list already
        // shows Junk, whose message 5 is another one.
        let log = [sent(0, ListAction::Spam, &[5], None)];
        assert_eq!(
            overlaid(("INBOX", 5), (true, false), &log, 0),
            (true, false, true)
        );
        assert_eq!(
            overlaid(("Junk", 5), (true, false), &log, 0),
            (true, false, false)
        );
    }
}
