//! User preferences.

use crate::error::AppError;
use leptos::prelude::*;

/// Switches the signed-in user to another interface and reloads the
/// preferences page in it.
#[server(endpoint = "set_interface")]
pub async fn set_interface(interface: String) -> Result<(), AppError> {
    let interface = interface
        .parse::<model::Interface>()
        .map_err(|_| AppError::BadRequest {
            message: "Choose the standard or the basic interface.".to_owned(),
        })?;
    crate::auth::switch_interface(interface).await
}
