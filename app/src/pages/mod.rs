//! One file per route; each page works in both interfaces.

pub mod compose;
pub mod login;
pub mod mail;
pub mod not_found;
pub mod settings;
