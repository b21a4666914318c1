//! Madar's web client: a Yew single-page app, built to WASM by `scripts/build-client.sh`.
//! Everything is in this library so that the host can run its unit tests (`i18n` has no browser
//! code); `main.rs` only calls [`start`].
pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod json;
pub mod offline;
pub mod pages;
pub mod route;
pub mod state;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
