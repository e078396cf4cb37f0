//! Reusable views.

pub mod app_shell;
pub mod editor;
pub mod folder_pane;
pub mod icons;
pub mod message_frame;
pub mod message_list;
pub mod safe_html;
pub mod shortcuts;
