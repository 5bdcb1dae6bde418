//! The browser entry point. Pages are rendered on the server; only the components marked
//! `#[island]` in `app` ship to the browser and come alive here.

// Nothing here names an item of `app`, and rustc links only the crates a crate uses: without this
// line the islands' exported hydration functions would be left out of the bundle.
extern crate app;

/// Called by the page's hydration script once the wasm bundle has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
