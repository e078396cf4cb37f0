//! Server functions, one module per domain. Each one: who is asking, may
//! they, one call into a domain crate, a `model` type back.

pub mod compose;
pub mod mail;
pub mod session;
pub mod settings;
