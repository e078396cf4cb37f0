//! Signing in and out, and who is signed in.

use crate::error::AppError;
use leptos::prelude::*;
use model::{CurrentUser, Interface};

/// What the sign-in screen needs before anyone is signed in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginDefaults {
    /// The interface this browser chose last time.
    pub interface: Interface,
    /// Whether the basic interface is offered at all.
    pub offer_basic: bool,
}

/// Checks the address and password, starts a session and sends the browser
/// to the chosen interface. Errors send a plain form back to the sign-in
/// page with the error code in the query. `time_zone` is the browser's
/// (sent when a script runs): it becomes the user's zone if they have none.
#[server(endpoint = "login")]
pub async fn login(
    address: String,
    password: String,
    interface: Option<String>,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let interface = interface
        .and_then(|i| i.parse::<Interface>().ok())
        .unwrap_or_default();
    crate::auth::sign_in(address, password, interface, time_zone).await
}

/// Ends the session and returns to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::auth::sign_out().await
}

/// The sign-in screen's defaults. Public: needs no session.
#[server(endpoint = "login_defaults")]
pub async fn get_login_defaults() -> Result<LoginDefaults, AppError> {
    crate::auth::login_defaults()
}

/// The signed-in user.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<CurrentUser, AppError> {
    Ok(crate::session::signed_in()?.current_user())
}
