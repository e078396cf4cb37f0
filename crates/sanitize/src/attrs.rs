//! Presentational attributes (`width`, `bgcolor`, `align` …): the values
//! they may take, for received mail and for what the editor writes alike.
//! They are not URLs or scripts, but a browser reads some of them leniently
//! (`bgcolor="javascript:…"` is a colour it cannot parse), so only values of
//! their own shape are kept: numbers, colours, keywords.

use std::borrow::Cow;

use crate::css::filter_declaration;

/// The kept value of a presentational attribute: `Some(Some(v))` to keep
/// `v`, `Some(None)` to drop the attribute, `None` when `attribute` is not
/// one of these (the caller decides).
pub(crate) fn presentational<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Option<Cow<'u, str>>> {
    let v = value.trim();
    Some(match (element, attribute) {
        ("font", "size") => {
            let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
            (matches!(digits, "1" | "2" | "3" | "4" | "5" | "6" | "7"))
                .then(|| Cow::Owned(v.to_string()))
        }
        ("font", "color") | (_, "bgcolor") => filter_declaration("color", v)
            .filter(|(_, c)| !c.contains([' ', '(']) || c.starts_with("rgb"))
            .map(|(_, c)| Cow::Owned(c)),
        ("font", "face") => filter_declaration("font-family", v).map(|(_, f)| Cow::Owned(f)),
        (_, "dir") => ["ltr", "rtl", "auto"]
            .into_iter()
            .find(|d| v.eq_ignore_ascii_case(d))
            .map(Cow::Borrowed),
        (_, "align") => ["left", "right", "center", "justify"]
            .into_iter()
            .find(|d| v.eq_ignore_ascii_case(d))
            .map(Cow::Borrowed),
        (_, "lang") => (!v.is_empty()
            && v.len() <= 35
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| Cow::Owned(v.to_string())),
        ("ol", "type") => {
            matches!(v, "1" | "a" | "A" | "i" | "I").then(|| Cow::Owned(v.to_string()))
        }
        ("ul", "type") => ["disc", "circle", "square"]
            .into_iter()
            .find(|d| v.eq_ignore_ascii_case(d))
            .map(Cow::Borrowed),
        (
            _,
            "width" | "height" | "border" | "cellpadding" | "cellspacing" | "colspan" | "rowspan"
            | "span" | "hspace" | "vspace",
        )
        | ("hr", "size") => {
            let n = v.strip_suffix('%').unwrap_or(v);
            (!n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| Cow::Owned(v.to_string()))
        }
        ("ol", "start") | ("li", "value") => {
            v.parse::<i32>().ok().map(|n| Cow::Owned(n.to_string()))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::presentational;

    #[test]
    fn values_of_their_own_shape_only() {
        // (element, attribute, value, kept)
        let cases: &[(&str, &str, &str, Option<Option<&str>>)] = &[
            ("img", "width", "120", Some(Some("120"))),
            ("td", "width", "50%", Some(Some("50%"))),
            ("img", "width", "javascript:3D1", Some(None)),
            ("img", "hspace", "4", Some(Some("4"))),
            ("hr", "size", "2", Some(Some("2"))),
            ("td", "bgcolor", "#ffcc00", Some(Some("#ffcc00"))),
            ("td", "bgcolor", "javascript:alert(1)", Some(None)),
            ("p", "align", "center", Some(Some("center"))),
            ("p", "align", "evil", Some(None)),
            ("font", "size", "+2", Some(Some("+2"))),
            ("img", "alt", "anything", None),
        ];
        for (element, attribute, value, kept) in cases {
            let got = presentational(element, attribute, value);
            assert_eq!(
                got.as_ref().map(|k| k.as_deref()),
                *kept,
                "{element} {attribute}={value}"
            );
        }
    }
}
