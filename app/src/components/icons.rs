//! Inline SVG icons. Each has an accessible name unless it only decorates
//! text that already says the same.

use leptos::prelude::*;
use model::mail::FolderRole;

fn path_for(role: Option<FolderRole>) -> &'static str {
    match role {
        Some(FolderRole::Inbox) => "M3 13h4l2 3h6l2-3h4M3 13l3-8h12l3 8v6H3z",
        Some(FolderRole::Drafts) => "M4 20h4L19 9l-4-4L4 16zM13 7l4 4",
        Some(FolderRole::Sent) => "M3 11l18-8-8 18-2-8z",
        Some(FolderRole::Junk) => "M12 3l9 16H3zM12 10v4M12 17v.5",
        Some(FolderRole::Trash) => "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13",
        Some(FolderRole::Archive) => "M3 4h18v4H3zM5 8v12h14V8M10 12h4",
        None => "M3 6h7l2 2h9v11H3z",
    }
}

/// The name an icon announces.
pub fn role_name(role: Option<FolderRole>) -> &'static str {
    match role {
        Some(FolderRole::Inbox) => "Inbox",
        Some(FolderRole::Drafts) => "Drafts",
        Some(FolderRole::Sent) => "Sent",
        Some(FolderRole::Junk) => "Junk",
        Some(FolderRole::Trash) => "Trash",
        Some(FolderRole::Archive) => "Archive",
        None => "Folder",
    }
}

/// A folder's icon, named after its role (e.g. "Trash folder").
#[component]
pub fn FolderIcon(role: Option<FolderRole>) -> impl IntoView {
    let name = format!("{} folder", role_name(role));
    view! {
        <svg class="icon" viewBox="0 0 24 24" role="img" aria-label=name focusable="false">
            <path d=path_for(role) />
        </svg>
    }
}

/// A small named symbol for the list's status columns.
#[component]
pub fn Glyph(name: &'static str, symbol: &'static str) -> impl IntoView {
    view! {
        <span class="glyph" role="img" aria-label=name title=name>
            {symbol}
        </span>
    }
}
