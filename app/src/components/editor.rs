//! The message editor and draft autosave.
//!
//! Without script (basic, or before hydration) the body is a plain text
//! area. In the hydrated standard interface a rich-text field on
//! `contenteditable` takes its place, with a toolbar driving the browser's
//! editing commands; its HTML travels in a hidden `body` field of the same
//! form, and the server sanitises it before it is stored or sent.
//!
//! Autosave posts the same form (without new files) as a `save` a few
//! seconds after typing stops, at least every 30 seconds while typing,
//! and once more when the page is left.

use leptos::prelude::*;
use model::Interface;
use model::compose::{BodyFormat, DraftAttachment};

/// Quiet time after the last change before saving, milliseconds.
#[cfg(feature = "hydrate")]
const QUIET_MS: u32 = 2_500;
/// Longest time between saves while typing, milliseconds.
const MAX_GAP_MS: f64 = 30_000.0;

/// The autosave of one compose form.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy)]
pub struct Autosave {
    /// The form it saves.
    pub form: NodeRef<leptos::html::Form>,
    draft_uid: RwSignal<Option<u32>>,
    saved_at: RwSignal<Option<i64>>,
    attachments: RwSignal<Vec<DraftAttachment>>,
    /// What went wrong last, shown near the form.
    pub problem: RwSignal<Option<String>>,
    /// The session ended while writing (the server kept the text): the
    /// page offers to sign in again.
    pub signed_out: RwSignal<bool>,
    dirty: RwSignal<bool>,
    saving: RwSignal<bool>,
    again: RwSignal<bool>,
    submitting: RwSignal<bool>,
    last_save: StoredValue<f64>,
    /// The save waiting for typing to stop; replacing or dropping it
    /// cancels it. (Browser only: a timer is not `Send`.)
    #[cfg(feature = "hydrate")]
    timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage>,
}

impl Autosave {
    /// Autosave for a form showing `draft_uid`, `saved_at` and `attachments`.
    pub fn new(
        draft_uid: RwSignal<Option<u32>>,
        saved_at: RwSignal<Option<i64>>,
        attachments: RwSignal<Vec<DraftAttachment>>,
    ) -> Self {
        let a = Autosave {
            form: NodeRef::new(),
            draft_uid,
            saved_at,
            attachments,
            problem: RwSignal::new(None),
            signed_out: RwSignal::new(false),
            dirty: RwSignal::new(false),
            saving: RwSignal::new(false),
            again: RwSignal::new(false),
            submitting: RwSignal::new(false),
            last_save: StoredValue::new(now_ms()),
            #[cfg(feature = "hydrate")]
            timer: StoredValue::new_local(None),
        };
        let leave = window_event_listener(leptos::ev::pagehide, move |_| a.save_on_leave());
        on_cleanup(move || leave.remove());
        a
    }

    /// Something in the form changed.
    pub fn changed(&self) {
        let a = *self;
        a.dirty.set(true);
        a.cancel_timer();
        if now_ms() - a.last_save.get_value() > MAX_GAP_MS {
            a.save(false);
        } else {
            #[cfg(feature = "hydrate")]
            a.timer
                .try_set_value(Some(gloo_timers::callback::Timeout::new(
                    QUIET_MS,
                    move || a.save(false),
                )));
        }
    }

    /// Drops the save waiting for typing to stop.
    fn cancel_timer(&self) {
        #[cfg(feature = "hydrate")]
        self.timer.try_set_value(None);
    }

    /// A submit button was pressed: let it through, unless a save is on its
    /// way (then wait for it, so the form names the newest draft).
    pub fn on_submit(&self, ev: leptos::ev::SubmitEvent) {
        if self.saving.get_untracked() {
            ev.prevent_default();
            self.problem.set(Some(
                "Saving the draft first… press the button again in a moment.".to_owned(),
            ));
            return;
        }
        self.cancel_timer();
        self.submitting.set(true);
    }

    /// Remove an attachment: at once, then save.
    pub fn remove(&self, ev: leptos::ev::MouseEvent, id: &str) {
        if !hydrated_form(self.form) {
            return; // the plain form post removes it
        }
        ev.prevent_default();
        self.attachments.update(|l| l.retain(|a| a.id != id));
        self.dirty.set(true);
        self.save(false);
    }

    /// Files were picked: upload them with a save.
    pub fn attach(&self) {
        if hydrated_form(self.form) {
            self.save(true);
        }
    }

    /// Saves now (with the picked files when `files`).
    fn save(&self, files: bool) {
        #[cfg(feature = "hydrate")]
        {
            use crate::api::compose::compose_submit;
            let a = *self;
            if a.submitting.get_untracked() {
                return;
            }
            if a.saving.get_untracked() {
                a.again.set(true);
                return;
            }
            let Some(data) = a.form_data(files) else {
                return;
            };
            a.saving.set(true);
            a.dirty.set(false);
            a.last_save.set_value(now_ms());
            leptos::task::spawn_local(async move {
                match compose_submit(data.into()).await {
                    Ok(o) => {
                        if let Some(uid) = o.draft_uid {
                            remember_draft(uid);
                        }
                        a.draft_uid.set(o.draft_uid);
                        a.saved_at.set(Some(o.saved_at));
                        a.attachments.set(o.attachments);
                        a.problem.set(o.problem);
                        a.signed_out.set(false);
                        if files {
                            clear_files();
                        }
                    }
                    Err(crate::error::AppError::NotSignedIn) => {
                        a.problem.set(Some(
                            "Your session has ended. Sign in again: what you typed was kept on the server and this message will reopen."
                                .to_owned(),
                        ));
                        a.signed_out.set(true);
                    }
                    Err(crate::error::AppError::NotKept) => {
                        // Nothing on the server: the text is only on this
                        // page, which must stay open.
                        a.problem.set(Some(
                            "You are signed out and what you typed could not be saved on the server. Copy it now; sign in in a new tab to keep this page open."
                                .to_owned(),
                        ));
                        a.signed_out.set(false);
                    }
                    Err(e) => a.problem.set(Some(format!(
                        "The draft could not be saved: {e} What you typed is still here."
                    ))),
                }
                a.saving.set(false);
                if a.again.get_untracked() {
                    a.again.set(false);
                    a.save(false);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = files;
    }

    /// The page is going away: one last save if anything changed.
    fn save_on_leave(&self) {
        #[cfg(feature = "hydrate")]
        {
            if !self.dirty.get_untracked() || self.submitting.get_untracked() {
                return;
            }
            if let Some(data) = self.form_data(false) {
                let url = <crate::api::compose::ComposeSubmit as leptos::server_fn::ServerFn>::PATH;
                let _ = window()
                    .navigator()
                    .send_beacon_with_opt_form_data(url, Some(&data));
                self.dirty.set(false);
            }
        }
    }

    #[cfg(feature = "hydrate")]
    fn form_data(&self, files: bool) -> Option<leptos::web_sys::FormData> {
        let form = self.form.get_untracked()?;
        let data = leptos::web_sys::FormData::new_with_form(&form).ok()?;
        data.delete("op");
        if !files {
            data.delete("files");
        }
        data.append_with_str("op", "save").ok()?;
        // The list of kept files, like the draft number, comes from the
        // signals: the page may not have caught up with a removal yet.
        data.delete("keep");
        for a in self.attachments.get_untracked() {
            data.append_with_str("keep", &a.id).ok()?;
        }
        // The hidden draft field follows the signal, but read the signal to
        // be sure the newest draft is replaced.
        data.set_with_str(
            "draft",
            &self
                .draft_uid
                .get_untracked()
                .map(|u| u.to_string())
                .unwrap_or_default(),
        )
        .ok()?;
        Some(data)
    }
}

fn hydrated_form(form: NodeRef<leptos::html::Form>) -> bool {
    form.get_untracked().is_some() && cfg!(feature = "hydrate")
}

/// Puts the draft into the address bar, so a reload continues it.
#[cfg(feature = "hydrate")]
fn remember_draft(uid: u32) {
    let w = window();
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(
            &leptos::wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}?draft={uid}")),
        );
    }
}

#[cfg(feature = "hydrate")]
fn clear_files() {
    use leptos::wasm_bindgen::JsCast;
    if let Some(input) = document()
        .get_element_by_id("files")
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
    {
        input.set_value("");
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        leptos::web_sys::js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// The body field: a text area, or the rich-text editor once hydrated in
/// the standard interface.
#[component]
pub fn Editor(
    ui: Interface,
    format: RwSignal<BodyFormat>,
    body: RwSignal<String>,
    autosave: Autosave,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        // Whatever was typed before the script arrived is in the text area,
        // not yet in the signal: carry it over before the editor replaces it.
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(area) = document()
                .get_element_by_id("body")
                .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok())
            {
                body.set(area.value());
            }
        }
        hydrated.set(true);
    });
    let rich =
        move || hydrated.get() && ui == Interface::Standard && format.get() == BodyFormat::Html;
    // Switching formats carries the text across.
    let previous = StoredValue::new(format.get_untracked());
    Effect::new(move |_| {
        let now = format.get();
        let before = previous.get_value();
        previous.set_value(now);
        if before == now || !hydrated.get_untracked() {
            return;
        }
        match (before, now) {
            (BodyFormat::Html, _) => body.set(html_to_plain(&body.get_untracked())),
            (_, BodyFormat::Html) => body.set(plain_to_html(&body.get_untracked())),
            _ => {}
        }
    });
    view! {
        <Show
            when=rich
            fallback=move || {
                view! {
                    <div class="field body-field">
                        <label for="body">"Message"</label>
                        <textarea
                            id="body"
                            name="body"
                            rows="16"
                            spellcheck="true"
                            prop:value=move || body.get()
                            on:input=move |ev| {
                                body.set(event_target_value(&ev));
                                autosave.changed();
                            }
                        >
                            {crate::components::safe_html::textarea_text(&body.get_untracked())}
                        </textarea>
                    </div>
                }
            }
        >
            <RichText body autosave />
        </Show>
    }
}

/// Text of an HTML body, as the browser lays it out.
fn html_to_plain(html: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(div) = document().create_element("div") {
            div.set_inner_html(html);
            if let Ok(el) =
                leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(div)
            {
                return el.inner_text();
            }
        }
    }
    html.to_owned()
}

/// Plain text as paragraphs of escaped HTML.
fn plain_to_html(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// One formatting command of the toolbar.
struct Command {
    label: &'static str,
    symbol: &'static str,
    command: &'static str,
    value: &'static str,
}

const COMMANDS: [Command; 13] = [
    Command {
        label: "Bold",
        symbol: "B",
        command: "bold",
        value: "",
    },
    Command {
        label: "Italic",
        symbol: "I",
        command: "italic",
        value: "",
    },
    Command {
        label: "Underline",
        symbol: "U",
        command: "underline",
        value: "",
    },
    Command {
        label: "Strikethrough",
        symbol: "S",
        command: "strikeThrough",
        value: "",
    },
    Command {
        label: "Bulleted list",
        symbol: "•",
        command: "insertUnorderedList",
        value: "",
    },
    Command {
        label: "Numbered list",
        symbol: "1.",
        command: "insertOrderedList",
        value: "",
    },
    Command {
        label: "Indent",
        symbol: "→",
        command: "indent",
        value: "",
    },
    Command {
        label: "Outdent",
        symbol: "←",
        command: "outdent",
        value: "",
    },
    Command {
        label: "Quote",
        symbol: "❝",
        command: "formatBlock",
        value: "blockquote",
    },
    Command {
        label: "Link",
        symbol: "🔗",
        command: "createLink",
        value: "",
    },
    Command {
        label: "Clear formatting",
        symbol: "⌫",
        command: "removeFormat",
        value: "",
    },
    Command {
        label: "Undo",
        symbol: "↶",
        command: "undo",
        value: "",
    },
    Command {
        label: "Redo",
        symbol: "↷",
        command: "redo",
        value: "",
    },
];

fn exec(command: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let value = if command == "createLink" {
            match window().prompt_with_message("Link address (https://…)") {
                Ok(Some(v)) if !v.trim().is_empty() => v,
                _ => return,
            }
        } else {
            value.to_owned()
        };
        if let Ok(doc) = document().dyn_into::<leptos::web_sys::HtmlDocument>() {
            let _ = doc.exec_command_with_show_ui_and_value(command, false, &value);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (command, value);
}

/// A word the live check flagged, with where it sits in the editor.
#[derive(Clone)]
struct Flagged {
    word: String,
    suggestions: Vec<String>,
    #[cfg(feature = "hydrate")]
    range: leptos::web_sys::Range,
}

/// The open suggestion menu: which flagged word, and where to draw it.
#[derive(Clone)]
struct Menu {
    index: usize,
    top: f64,
    left: f64,
}

#[component]
fn RichText(body: RwSignal<String>, autosave: Autosave) -> impl IntoView {
    let editor = NodeRef::<leptos::html::Div>::new();
    let flagged: StoredValue<Vec<Flagged>, LocalStorage> = StoredValue::new_local(Vec::new());
    let menu = RwSignal::new(None::<Menu>);
    let words = RwSignal::new(0usize);
    let check = move || spell::check(editor, flagged, words);
    // A check 1.2 s after typing stops: replacing the timer cancels the
    // one before. (Browser only, like this whole editor.)
    #[cfg(feature = "hydrate")]
    let spell_timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage> =
        StoredValue::new_local(None);
    let schedule_check = move || {
        #[cfg(feature = "hydrate")]
        spell_timer.try_set_value(Some(gloo_timers::callback::Timeout::new(1_200, check)));
    };
    Effect::new(move |_| {
        if editor.get().is_some() {
            check();
        }
    });
    // The body was sanitised on the server; it is the editor's starting point.
    Effect::new(move |_| {
        if let Some(el) = editor.get() {
            el.set_inner_html(&body.get_untracked());
        }
    });
    let sync = move || {
        if let Some(el) = editor.get_untracked() {
            body.set(el.inner_html());
            autosave.changed();
            schedule_check();
        }
    };
    let choose = move |replacement: Option<String>| {
        if let Some(m) = menu.get_untracked() {
            flagged.with_value(|f| {
                if let (Some(f), Some(r)) = (f.get(m.index), replacement.as_deref()) {
                    spell::replace(f, r);
                }
            });
            if replacement.is_none() {
                flagged.update_value(|f| {
                    if m.index < f.len() {
                        f.remove(m.index);
                    }
                });
                spell::paint(flagged);
            }
        }
        menu.set(None);
        sync();
    };
    let buttons = COMMANDS
        .iter()
        .map(|c| {
            let (command, value) = (c.command, c.value);
            view! {
                <button
                    type="button"
                    aria-label=c.label
                    title=c.label
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| {
                        exec(command, value);
                        sync();
                    }
                >
                    {c.symbol}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="field body-field">
            <span id="body-label" class="label">"Message"</span>
            <div role="toolbar" aria-label="Formatting" class="format-bar">
                {buttons}
                <label for="font-size" class="sr-only">"Font size"</label>
                <select
                    id="font-size"
                    on:change=move |ev| {
                        exec("fontSize", &event_target_value(&ev));
                        sync();
                    }
                >
                    <option value="2">"Small"</option>
                    <option value="3" selected>"Normal"</option>
                    <option value="5">"Large"</option>
                    <option value="7">"Huge"</option>
                </select>
                <label for="text-colour" class="sr-only">"Text colour"</label>
                <input
                    id="text-colour"
                    type="color"
                    value="#000000"
                    on:change=move |ev| {
                        exec("foreColor", &event_target_value(&ev));
                        sync();
                    }
                />
            </div>
            <div
                id="body-editor"
                class="editor"
                contenteditable="true"
                role="textbox"
                aria-multiline="true"
                aria-labelledby="body-label"
                spellcheck="true"
                node_ref=editor
                on:input=move |_| sync()
                on:click=move |_| menu.set(spell::menu_at_caret(editor, flagged))
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        menu.set(None);
                    }
                }
            ></div>
            <p class="hint" role="status">
                {move || match words.get() {
                    0 => String::new(),
                    1 => "1 word may be misspelled: click it for suggestions.".to_owned(),
                    n => format!("{n} words may be misspelled: click one for suggestions."),
                }}
            </p>
            {move || menu.get().map(|m| {
                let (word, suggestions) = flagged.with_value(|f| {
                    f.get(m.index).map(|f| (f.word.clone(), f.suggestions.clone())).unwrap_or_default()
                });
                view! {
                    <div
                        class="spell-menu"
                        role="menu"
                        aria-label=format!("Suggestions for “{word}”")
                        style=format!("top:{}px;left:{}px", m.top, m.left)
                    >
                        {if suggestions.is_empty() {
                            view! { <p class="hint">"No suggestions"</p> }.into_any()
                        } else {
                            suggestions
                                .into_iter()
                                .map(|s| {
                                    let r = s.clone();
                                    view! {
                                        <button type="button" role="menuitem" on:click=move |_| choose(Some(r.clone()))>
                                            {s}
                                        </button>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }}
                        <button type="button" role="menuitem" class="ghost" on:click=move |_| choose(None)>
                            {format!("Ignore “{word}”")}
                        </button>
                    </div>
                }
            })}
            <input type="hidden" name="body" value=move || body.get() />
        </div>
    }
}

/// The live spell check of the rich-text editor: the server checks the
/// editor's text, the misspelled words are underlined with the CSS Custom
/// Highlight API (the document itself is not changed, so nothing of it can
/// leak into the message), and a click on one offers its suggestions.
mod spell {
    use super::{Flagged, Menu};
    use leptos::prelude::*;

    /// Asks the server about the editor's text and underlines what it flags.
    pub fn check(
        editor: NodeRef<leptos::html::Div>,
        flagged: StoredValue<Vec<Flagged>, LocalStorage>,
        words: RwSignal<usize>,
    ) {
        #[cfg(feature = "hydrate")]
        {
            let Some(root) = editor.get_untracked() else {
                return;
            };
            let (text, nodes) = text_of(&root);
            let language = language();
            leptos::task::spawn_local(async move {
                let Ok(found) = crate::api::compose::spell_check(language, text.clone()).await
                else {
                    return;
                };
                let list: Vec<Flagged> = found
                    .into_iter()
                    .filter_map(|m| {
                        let start = text.get(..m.start)?.encode_utf16().count();
                        let end = text.get(..m.end)?.encode_utf16().count();
                        Some(Flagged {
                            range: range_for(&nodes, start, end)?,
                            word: m.word,
                            suggestions: m.suggestions,
                        })
                    })
                    .collect();
                words.set(list.len());
                flagged.set_value(list);
                paint(flagged);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (editor, flagged, words);
    }

    /// Underlines the flagged words.
    pub fn paint(flagged: StoredValue<Vec<Flagged>, LocalStorage>) {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::{JsCast, JsValue};
            use leptos::web_sys::js_sys::{Array, Function, Reflect};
            let w: JsValue = window().into();
            let (Ok(css), Ok(ctor)) = (
                Reflect::get(&w, &"CSS".into()),
                Reflect::get(&w, &"Highlight".into()),
            ) else {
                return;
            };
            let Ok(highlights) = Reflect::get(&css, &"highlights".into()) else {
                return;
            };
            if ctor.is_undefined() || highlights.is_undefined() {
                return; // no highlight support: the count and the menu still work
            }
            let ranges = Array::new();
            flagged.with_value(|f| {
                for x in f {
                    ranges.push(&x.range);
                }
            });
            let Ok(highlight) = Reflect::construct(ctor.unchecked_ref::<Function>(), &ranges)
            else {
                return;
            };
            if let Ok(set) = Reflect::get(&highlights, &"set".into()) {
                let _ = set.unchecked_ref::<Function>().call2(
                    &highlights,
                    &"misspelled".into(),
                    &highlight,
                );
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = flagged;
    }

    /// The menu for the flagged word under the caret, if any.
    pub fn menu_at_caret(
        editor: NodeRef<leptos::html::Div>,
        flagged: StoredValue<Vec<Flagged>, LocalStorage>,
    ) -> Option<Menu> {
        #[cfg(feature = "hydrate")]
        {
            let root = editor.get_untracked()?;
            let sel = window().get_selection().ok()??;
            let node = sel.anchor_node()?;
            let offset = sel.anchor_offset();
            let index = flagged.with_value(|f| {
                f.iter()
                    .position(|x| x.range.is_point_in_range(&node, offset).unwrap_or(false))
            })?;
            let rect = flagged.with_value(|f| f[index].range.get_bounding_client_rect());
            let base = root.get_bounding_client_rect();
            Some(Menu {
                index,
                top: rect.bottom() - base.top() + 4.0,
                left: rect.left() - base.left(),
            })
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (editor, flagged);
            None
        }
    }

    /// Puts `with` in place of the flagged word.
    pub fn replace(f: &Flagged, with: &str) {
        #[cfg(feature = "hydrate")]
        {
            if f.range.delete_contents().is_ok() {
                let _ = f.range.insert_node(&document().create_text_node(with));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (f, with);
    }

    #[cfg(feature = "hydrate")]
    fn language() -> String {
        use leptos::wasm_bindgen::JsCast;
        document()
            .get_element_by_id("lang")
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default()
    }

    /// The editor's text nodes joined by line breaks, with each node's
    /// start (in UTF-16 units) in the joined text.
    #[cfg(feature = "hydrate")]
    fn text_of(
        root: &leptos::web_sys::HtmlDivElement,
    ) -> (String, Vec<(leptos::web_sys::Node, usize)>) {
        let mut text = String::new();
        let mut units = 0usize;
        let mut nodes = Vec::new();
        let mut stack: Vec<leptos::web_sys::Node> = Vec::new();
        let mut next = root.first_child();
        loop {
            let Some(node) = next else {
                match stack.pop() {
                    Some(parent) => {
                        next = parent.next_sibling();
                        continue;
                    }
                    None => break,
                }
            };
            if node.node_type() == leptos::web_sys::Node::TEXT_NODE {
                let data = node.text_content().unwrap_or_default();
                if !text.is_empty() {
                    text.push('\n');
                    units += 1;
                }
                nodes.push((node.clone(), units));
                units += data.encode_utf16().count();
                text.push_str(&data);
            }
            if let Some(child) = node.first_child() {
                stack.push(node);
                next = Some(child);
            } else {
                next = node.next_sibling();
            }
        }
        (text, nodes)
    }

    /// A DOM range over UTF-16 offsets `start..end` of the joined text.
    #[cfg(feature = "hydrate")]
    fn range_for(
        nodes: &[(leptos::web_sys::Node, usize)],
        start: usize,
        end: usize,
    ) -> Option<leptos::web_sys::Range> {
        let (node, base) = nodes.iter().rev().find(|(_, b)| *b <= start)?;
        let len = node
            .text_content()
            .unwrap_or_default()
            .encode_utf16()
            .count();
        if end - base > len {
            return None; // spans two nodes: not underlined
        }
        let range = document().create_range().ok()?;
        range.set_start(node, (start - base) as u32).ok()?;
        range.set_end(node, (end - base) as u32).ok()?;
        Some(range)
    }
}
