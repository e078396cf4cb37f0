//! Reusable views.

pub mod app_shell;
