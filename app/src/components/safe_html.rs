//! The only place the app puts HTML into the page: text that
//! `crates/sanitize` produced on the server (plain-text bodies with their
//! links made safe). Mail HTML never comes here: it goes into a sandboxed
//! frame.

use leptos::prelude::*;

/// Renders sanitised HTML. `html` must come from `sanitize`.
#[component]
pub fn SafeHtml(html: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=class inner_html=html></div> }
}

/// Text for the inside of a `<textarea>`, the one element whose children the
/// view library writes into the server's HTML unescaped. The browser reads
/// a text area's content with entities decoded, so received or typed text
/// must be escaped there: unescaped, `&lt;meta …&gt;` in a quoted message
/// becomes a real `<meta>` in the field's value (and `</textarea>` would end
/// the field). In the browser the text is set as it is.
pub fn textarea_text(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_owned()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn textarea_text_is_escaped_on_the_server() {
        for (input, expected) in [
            ("plain", "plain"),
            ("&lt;meta&gt;", "&amp;lt;meta&amp;gt;"),
            ("</textarea><b>", "&lt;/textarea&gt;&lt;b&gt;"),
            ("a & b", "a &amp; b"),
        ] {
            assert_eq!(super::textarea_text(input), expected);
        }
    }
}
