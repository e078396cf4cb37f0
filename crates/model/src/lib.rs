//! Types that cross the wire between the server and the browser.
//!
//! This crate is compiled both natively and to WebAssembly, so it depends on
//! `serde` only. Domain crates convert their own types into these; the UI never
//! sees a database row or a file path.

#![deny(missing_docs)]

pub mod compose;
pub mod mail;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which of the two renderings of the app a user works in.
///
/// Both serve the same routes and server functions: `Standard` hydrates into
/// a single-page app, `Basic` is plain server-rendered HTML under `/basic/…`
/// that works with JavaScript off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    /// The hydrated single-page app.
    #[default]
    Standard,
    /// Server-rendered HTML with no scripts.
    Basic,
}

impl Interface {
    /// The stable lower-case name used in forms, cookies and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Standard => "standard",
            Interface::Basic => "basic",
        }
    }

    /// The path prefix under which this interface's routes live.
    pub fn prefix(self) -> &'static str {
        match self {
            Interface::Standard => "",
            Interface::Basic => "/basic",
        }
    }

    /// `path` (which starts with `/`) inside this interface.
    pub fn href(self, path: &str) -> String {
        format!("{}{}", self.prefix(), path)
    }

    /// The interface a request path belongs to.
    pub fn of_path(path: &str) -> Interface {
        if path == "/basic" || path.starts_with("/basic/") {
            Interface::Basic
        } else {
            Interface::Standard
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that names no known variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVariant(pub String);

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown value {:?}", self.0)
    }
}

impl std::error::Error for UnknownVariant {}

impl FromStr for Interface {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "standard" => Ok(Interface::Standard),
            "basic" => Ok(Interface::Basic),
            other => Err(UnknownVariant(other.to_owned())),
        }
    }
}

/// What an account may do.
///
/// `SuspendedSending` is the reseller's soft suspension: the user can still
/// sign in and read mail, but not send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    /// Normal use.
    #[default]
    Active,
    /// Cannot sign in.
    Locked,
    /// Can sign in and read, cannot send.
    SuspendedSending,
}

impl AccountStatus {
    /// The stable name used on the command line and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Locked => "locked",
            AccountStatus::SuspendedSending => "suspended-sending",
        }
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountStatus {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "locked" => Ok(AccountStatus::Locked),
            "suspended-sending" => Ok(AccountStatus::SuspendedSending),
            other => Err(UnknownVariant(other.to_owned())),
        }
    }
}

/// The signed-in user, as the UI sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// Full address, `local@domain`, lower-case.
    pub address: String,
    /// The interface the user chose at sign-in or in preferences.
    pub interface: Interface,
    /// Account status, so the UI can explain a soft suspension.
    pub status: AccountStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_of_path() {
        let cases = [
            ("/", Interface::Standard),
            ("/mail", Interface::Standard),
            ("/basic", Interface::Basic),
            ("/basic/", Interface::Basic),
            ("/basic/mail", Interface::Basic),
            ("/basically", Interface::Standard),
        ];
        for (path, expected) in cases {
            assert_eq!(Interface::of_path(path), expected, "{path}");
        }
    }

    #[test]
    fn names_round_trip() {
        for i in [Interface::Standard, Interface::Basic] {
            assert_eq!(i.as_str().parse::<Interface>(), Ok(i));
        }
        for s in [
            AccountStatus::Active,
            AccountStatus::Locked,
            AccountStatus::SuspendedSending,
        ] {
            assert_eq!(s.as_str().parse::<AccountStatus>(), Ok(s));
        }
        assert!("Standard ".parse::<Interface>().is_err());
        assert!("suspended".parse::<AccountStatus>().is_err());
    }

    #[test]
    fn href_prefixes() {
        assert_eq!(Interface::Basic.href("/mail"), "/basic/mail");
        assert_eq!(Interface::Standard.href("/mail"), "/mail");
    }
}
