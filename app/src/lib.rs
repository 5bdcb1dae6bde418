//! Baraza's application: domain rules, interface text, use cases and pages.
//!
//! Compiled twice: with `ssr` into the server (everything), and with `hydrate` into the browser
//! bundle (only the domain, the messages and the interactive islands).

#![recursion_limit = "256"]

pub mod collab;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod ids;
pub mod model;
pub mod sync;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod app;
#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
