//! Who a user sends as: the display name, the signature, the spell-check
//! language and the time zone, with their limits in one place.

use crate::{Error, Result, User};

/// Preference key of the display name.
pub const PREF_NAME: &str = "identity.name";
/// Preference key of the signature appended to new messages.
pub const PREF_SIGNATURE: &str = "identity.signature";
/// Preference key of the spell-check language.
pub const PREF_LANGUAGE: &str = "spell.language";
/// Preference key of the time zone (an IANA name).
pub use accounts::PREF_TIME_ZONE;

/// The longest display name, in characters.
pub const MAX_NAME: usize = 100;
/// The longest signature, in characters.
pub const MAX_SIGNATURE: usize = 2000;

/// The sender identity of a user, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The From of their messages: the display name and their address.
    pub from: compose::Mailbox,
    /// The signature (plain text), empty for none.
    pub signature: String,
    /// The spell-check language (`en_US`).
    pub language: String,
}

/// `user`'s identity; `default_language` when they chose no language.
pub fn identity(
    directory: &accounts::Directory,
    user: &User,
    default_language: &str,
) -> Result<Identity> {
    let data = user.data(directory)?;
    let name = data.pref(PREF_NAME)?.filter(|n| !n.trim().is_empty());
    Ok(Identity {
        from: compose::Mailbox::new(name.as_deref(), &user.address),
        signature: data.pref(PREF_SIGNATURE)?.unwrap_or_default(),
        language: data
            .pref(PREF_LANGUAGE)?
            .unwrap_or_else(|| default_language.to_owned()),
    })
}

/// The identity form as posted.
#[derive(Clone, Debug, Default)]
pub struct IdentityForm {
    /// Display name.
    pub name: String,
    /// Signature, plain text.
    pub signature: String,
    /// Spell-check language; empty keeps the current one.
    pub language: String,
    /// Time zone; `None` or empty keeps the current one.
    pub time_zone: Option<String>,
}

/// Saves `user`'s identity. `languages` are the spell-check languages
/// installed. A name or signature over its limit, a language not installed
/// or an unknown time zone is refused with what to do, and nothing is
/// saved; control characters in the name are dropped.
pub fn set_identity(
    directory: &accounts::Directory,
    user: &User,
    form: &IdentityForm,
    languages: &[String],
) -> Result<()> {
    let name: String = form.name.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    let signature = form.signature.replace("\r\n", "\n");
    let count = |s: &str| s.chars().count();
    if count(name) > MAX_NAME {
        return Err(Error::Invalid(format!(
            "The name can have at most {MAX_NAME} characters; this one has {}. Shorten it.",
            count(name)
        )));
    }
    if count(&signature) > MAX_SIGNATURE {
        return Err(Error::Invalid(format!(
            "The signature can have at most {MAX_SIGNATURE} characters; this one has {}. \
             Shorten it.",
            count(&signature)
        )));
    }
    if !form.language.is_empty() && !languages.contains(&form.language) {
        return Err(Error::Invalid(
            "That spell-check language is not installed.".to_owned(),
        ));
    }
    let time_zone = form.time_zone.as_deref().filter(|z| !z.is_empty());
    if time_zone.is_some_and(|z| !accounts::zone::is_zone(z)) {
        return Err(Error::Invalid(
            "That time zone is not known. Choose one from the list.".to_owned(),
        ));
    }
    let data = user.data(directory)?;
    data.set_pref(PREF_NAME, name)?;
    data.set_pref(PREF_SIGNATURE, &signature)?;
    if !form.language.is_empty() {
        data.set_pref(PREF_LANGUAGE, &form.language)?;
    }
    // The time zone is the account's: the session carries it.
    if let Some(zone) = time_zone {
        directory.set_pref(user.id, PREF_TIME_ZONE, zone)?;
    }
    Ok(())
}
