//! The browser entry point of the standard interface: hydrates the
//! server-rendered page into the single-page app. The basic interface never
//! loads this.

#![recursion_limit = "256"]

/// Called by the loader script once the wasm module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
