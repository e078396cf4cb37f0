//! mdn
