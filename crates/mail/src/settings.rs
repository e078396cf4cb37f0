//! The mail layout a user chose: the folder pane, optional columns, and the
//! senders whose images load without asking.

use crate::{Error, Result, User};
use model::mail::MailPrefs;

/// Preference key: the folder pane (`hidden` or `shown`).
pub const PREF_PANE: &str = "pane";
/// Preference key: the Message-ID column (`on` or `off`).
pub const PREF_MESSAGE_ID_COLUMN: &str = "message_id_column";

/// `user`'s layout preferences.
pub fn layout(directory: &accounts::Directory, user: &User) -> Result<MailPrefs> {
    let data = user.data(directory)?;
    Ok(MailPrefs {
        pane_hidden: data.pref(PREF_PANE)?.as_deref() == Some("hidden"),
        show_message_id: data.pref(PREF_MESSAGE_ID_COLUMN)?.as_deref() == Some("on"),
    })
}

/// Stores one layout preference: the pane shown or hidden, the Message-ID
/// column on or off, or a sender's images always shown
/// (`images.trusted:<address>` = `always`). Anything else is refused.
pub fn set_pref(
    directory: &accounts::Directory,
    user: &User,
    key: &str,
    value: &str,
) -> Result<usize> {
    let allowed = matches!(
        (key, value),
        (PREF_PANE, "hidden" | "shown") | (PREF_MESSAGE_ID_COLUMN, "on" | "off")
    ) || (key.starts_with(crate::open::TRUSTED_IMAGES)
        && key.contains('@')
        && value == "always");
    if !allowed {
        return Err(Error::Invalid("Unknown preference.".to_owned()));
    }
    user.data(directory)?.set_pref(key, value)?;
    Ok(1)
}
