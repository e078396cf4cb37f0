//! A rough height for sanitised HTML, for a frame that cannot be measured.
//!
//! The message body is shown in a sandboxed frame whose document the page
//! cannot read, so its height cannot be taken from it. Where no script
//! runs (the basic interface) the frame gets this estimate; the standard
//! interface starts with it and then measures a hidden copy. The estimate
//! counts lines of text at a typical width and adds the images' declared
//! heights; it reads the output of this crate, whose markup is plain.

/// Characters on one line at the frame's usual width.
const CHARS_PER_LINE: usize = 90;
/// Pixels per line of text.
const LINE_PX: u32 = 21;
/// Pixels a table row adds besides its content (cell spacing and padding).
const ROW_PX: u32 = 6;
/// Pixels for an image whose height is not declared.
const IMAGE_PX: u32 = 120;
/// The smallest and largest estimate, in pixels.
const MIN_PX: u32 = 80;
const MAX_PX: u32 = 12_000;
/// The frame's padding, top and bottom, in pixels.
const PADDING_PX: u32 = 24;

/// Elements that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
];

/// The height, in CSS pixels, the HTML is likely to need at a typical
/// frame width, within bounds.
///
/// ```
/// let short = sanitize::estimated_height("<p>Hello</p>");
/// let long = sanitize::estimated_height(&"<p>A line of text.</p>".repeat(200));
/// assert!(short < 150 && long > 2000);
/// ```
pub fn estimated_height(html: &str) -> u32 {
    let mut lines: u32 = 0;
    let mut images: u32 = 0;
    // Padding and table rows: room that holds no text.
    let mut extra: u32 = 0;
    let mut chars_on_line = 0usize;
    let end_line = |chars: &mut usize, lines: &mut u32| {
        if *chars > 0 {
            let n = chars.div_ceil(CHARS_PER_LINE);
            *lines = lines.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            *chars = 0;
        }
    };
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            chars_on_line += visible_chars(rest);
            break;
        };
        chars_on_line += visible_chars(&rest[..open]);
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open + 1..tag_end.saturating_sub(1).max(open + 1)];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if BLOCKS.contains(&name.as_str()) {
            let had_text = chars_on_line > 0;
            end_line(&mut chars_on_line, &mut lines);
            // An empty line, or a paragraph's margin.
            let blank = (name == "br" && !had_text) || (name == "p" && !tag.starts_with('/'));
            lines = lines.saturating_add(u32::from(blank));
        }
        if name == "img" && !tag.starts_with('/') {
            images = images.saturating_add(declared_height(tag).unwrap_or(IMAGE_PX));
        }
        if !tag.starts_with('/') {
            extra = extra.saturating_add(vertical_padding(tag));
            if name == "tr" {
                extra = extra.saturating_add(ROW_PX);
            }
            if matches!(name.as_str(), "h1" | "h2" | "h3") {
                lines = lines.saturating_add(1);
            }
        }
        rest = &rest[tag_end..];
    }
    end_line(&mut chars_on_line, &mut lines);
    let total = lines
        .saturating_mul(LINE_PX)
        .saturating_add(images)
        .saturating_add(extra)
        .saturating_add(PADDING_PX);
    // A little too tall is better than a scroll bar on a short message.
    (total.saturating_add(total / 10)).clamp(MIN_PX, MAX_PX)
}

/// The vertical padding a tag's `style` gives it, in pixels (`padding: N`
/// counts twice, `padding-top`/`-bottom` once; only `px` values).
fn vertical_padding(tag: &str) -> u32 {
    let lower = tag.to_ascii_lowercase();
    let Some(style) = lower.split_once("style=\"").map(|(_, s)| s) else {
        return 0;
    };
    let style = style.split('"').next().unwrap_or("");
    let px = |v: &str| -> u32 {
        let n: String = v.trim().chars().take_while(char::is_ascii_digit).collect();
        n.parse::<u32>().unwrap_or(0).min(200)
    };
    let mut total = 0;
    for decl in style.split(';') {
        let Some((name, value)) = decl.split_once(':') else {
            continue;
        };
        total += match name.trim() {
            "padding" => {
                let values: Vec<&str> = value.split_whitespace().collect();
                match values.as_slice() {
                    [all] => 2 * px(all),
                    [vertical, _] | [vertical, _, _, _] => 2 * px(vertical),
                    [top, _, bottom] => px(top) + px(bottom),
                    _ => 0,
                }
            }
            "padding-top" | "padding-bottom" => px(value),
            _ => 0,
        };
    }
    total
}

/// The start of sanitised `html`, cut after at most `max` bytes (not
/// counting inline `data:` images, which are content, not length), in text
/// between elements (never inside a tag, an attribute or an entity), with
/// the elements left open closed again; `None` when it is not that long.
/// Closing them matters: a page that shows the clip and then its own text
/// must not find that text inside an element of the message (an `<a>` left
/// open is re-opened by the parser around what follows).
///
/// ```
/// let html = "<p>one</p><p>two &amp; <a href=\"x\">three</a></p>";
/// assert_eq!(sanitize::clip(html, 100), None);
/// assert_eq!(sanitize::clip(html, 18).as_deref(), Some("<p>one</p><p>two </p>"));
/// assert_eq!(
///     sanitize::clip(html, 38).as_deref(),
///     Some("<p>one</p><p>two &amp; <a href=\"x\">thr</a></p>")
/// );
/// ```
pub fn clip(html: &str, max: usize) -> Option<String> {
    if html.len() <= max {
        return None;
    }
    // The last position in text, outside any entity, before `max` counted
    // bytes.
    let mut counted = 0usize;
    let mut cut = 0;
    let mut in_tag = false;
    let mut in_quote = false;
    let mut in_data = false;
    let mut in_entity = false;
    for (i, c) in html.char_indices() {
        if !in_tag && !in_entity {
            if counted > max {
                break;
            }
            cut = i;
        }
        if !in_data {
            counted += c.len_utf8();
        }
        match c {
            '"' if in_tag => {
                in_quote = !in_quote;
                in_data = in_quote && html[i + 1..].starts_with("data:");
            }
            '>' if in_tag && !in_quote => in_tag = false,
            '<' if !in_tag => in_tag = true,
            '&' if !in_tag => in_entity = true,
            ';' if in_entity => in_entity = false,
            c if in_entity && !c.is_ascii_alphanumeric() && c != '#' => in_entity = false,
            _ => {}
        }
    }
    if counted <= max {
        return None;
    }
    let kept = &html[..cut];
    let mut out = kept.to_owned();
    for name in open_elements(kept).iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Some(out)
}

/// The elements still open at the end of well-formed serialized HTML cut
/// in text, outermost first.
fn open_elements(html: &str) -> Vec<&str> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        // The tag ends at the first `>` outside a double-quoted value.
        let mut in_quote = false;
        let Some(gt) = after.char_indices().find_map(|(i, c)| match c {
            '"' => {
                in_quote = !in_quote;
                None
            }
            '>' if !in_quote => Some(i),
            _ => None,
        }) else {
            break;
        };
        let tag = &after[..gt];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            if let Some(p) = open.iter().rposition(|o| o.eq_ignore_ascii_case(name)) {
                open.truncate(p);
            }
        } else {
            let name_end = tag
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(tag.len());
            let name = &tag[..name_end];
            if !name.is_empty() && !tag.ends_with('/') && !VOID.contains(&name) {
                open.push(name);
            }
        }
        rest = &after[gt + 1..];
    }
    open
}

/// Elements without an end tag, as the serializer writes them.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Characters of text that take room (entities count as one).
fn visible_chars(text: &str) -> usize {
    let mut n = 0;
    let mut in_entity = false;
    for c in text.chars() {
        match c {
            '&' => {
                in_entity = true;
                n += 1;
            }
            ';' if in_entity => in_entity = false,
            _ if in_entity => {}
            c if c.is_whitespace() => n += usize::from(n > 0),
            _ => n += 1,
        }
    }
    n
}

/// The height an `<img>` tag declares, in pixels (`height="40"` or
/// `height: 40px` in its style), if any and sensible.
fn declared_height(tag: &str) -> Option<u32> {
    let lower = tag.to_ascii_lowercase();
    let digits = |s: &str| -> Option<u32> {
        let n: String = s
            .trim_start_matches([' ', '"', '\'', '=', ':'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        n.parse().ok().filter(|h| (1..=4000).contains(h))
    };
    if let Some(i) = lower.find(" height: ").or_else(|| lower.find("\"height: ")) {
        return digits(&lower[i + 8..]);
    }
    lower
        .match_indices("height=")
        .find(|(i, _)| lower[..*i].ends_with(' '))
        .and_then(|(i, _)| digits(&lower[i + 6..]))
}

#[cfg(test)]
mod tests {
    use super::estimated_height;

    #[test]
    fn clipping_cuts_in_text_only_and_closes_what_it_leaves_open() {
        use super::clip;
        let html = "<p title=\"a<b>c\">x &amp; y</p><p>zz</p>";
        // (max, expected)
        let cases: &[(usize, Option<&str>)] = &[
            (1000, None),
            (html.len(), None),
            (3, Some("")),
            // Inside the tag and its quoted `<b>`: back to before it.
            (12, Some("")),
            (18, Some("<p title=\"a<b>c\">x</p>")),
            (19, Some("<p title=\"a<b>c\">x </p>")),
            // Inside the entity: before it.
            (22, Some("<p title=\"a<b>c\">x </p>")),
            (24, Some("<p title=\"a<b>c\">x &amp;</p>")),
            (
                html.len() - 1,
                Some("<p title=\"a<b>c\">x &amp; y</p><p>zz</p>"),
            ),
        ];
        for (max, expected) in cases {
            assert_eq!(clip(html, *max).as_deref(), *expected, "{max}");
        }
        // A link left open is closed before anything the page adds.
        let text = "<div class=\"x\"><a href=\"https://e.test/\">a long link text</a> more</div>";
        assert_eq!(
            clip(text, 45).as_deref(),
            Some("<div class=\"x\"><a href=\"https://e.test/\">a lo</a></div>")
        );
        // Void elements are not closed; multi-byte text is cut whole.
        let wide = "<p>a<br>".to_owned() + &"é".repeat(100) + "</p>";
        let clipped = clip(&wide, 50).unwrap();
        assert!(
            clipped.starts_with("<p>a<br>é") && clipped.ends_with("é</p>"),
            "{clipped}"
        );
        // Inline images do not count: a short mail with a big photo is whole.
        let photo = format!(
            "<p>Hi</p><img src=\"data:image/png;base64,{}\"><p>Bye</p>",
            "A".repeat(100_000)
        );
        assert_eq!(clip(&photo, 1000), None);
    }

    #[test]
    fn table() {
        // (name, html, at least, at most)
        let para = "<p>".to_owned() + &"word ".repeat(40) + "</p>";
        let cases: Vec<(&str, String, u32, u32)> = vec![
            ("empty", String::new(), 80, 80),
            (
                "three lines",
                "<p>Hi Ann,</p><p>see you at 12.</p><p>Bob</p>".into(),
                100,
                170,
            ),
            ("one long paragraph", para.clone(), 80, 140),
            ("many paragraphs", para.repeat(100), 6000, 10_000),
            (
                "padded table",
                "<table><tbody><tr><td style=\"padding: 20px\"><p>This week's news.</p>\
                 <img src=\"data:image/png;base64,AA\" height=\"10\"></td></tr></tbody></table>"
                    .into(),
                120,
                200,
            ),
            (
                "declared image",
                "<p>x</p><img src=\"data:image/png;base64,AA\" height=\"300\">".into(),
                320,
                440,
            ),
            (
                "image in style",
                "<img style=\"width: 10px; height: 500px\">".into(),
                500,
                600,
            ),
            ("unknown image", "<img>".into(), 120, 160),
            ("capped", "<br>".repeat(100_000), 12_000, 12_000),
            (
                "broken markup",
                "<p <<< >>> & &amp; <img height=".into(),
                80,
                300,
            ),
        ];
        for (name, html, low, high) in cases {
            let h = estimated_height(&html);
            assert!(
                (low..=high).contains(&h),
                "{name}: {h} not in {low}..={high}"
            );
        }
    }
}
