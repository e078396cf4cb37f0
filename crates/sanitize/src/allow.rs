//! The allow-lists, kept as data so a review reads one table rather than code.
//!
//! Anything not listed here is removed. Element names in [`DROP_WITH_CONTENT`]
//! go together with everything inside them; other unlisted elements are
//! unwrapped (their text stays, the tag goes).

/// Elements kept, with the attributes each may carry besides [`GENERIC_ATTRIBUTES`].
pub(crate) const TAGS: &[(&str, &[&str])] = &[
    ("a", &["href", "name"]),
    ("abbr", &[]),
    ("acronym", &[]),
    ("address", &[]),
    ("article", &[]),
    ("aside", &[]),
    ("b", &[]),
    ("bdi", &[]),
    ("bdo", &[]),
    ("big", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("center", &[]),
    ("cite", &[]),
    ("code", &[]),
    ("col", &["span", "width"]),
    ("colgroup", &["span", "width"]),
    ("dd", &[]),
    ("del", &["datetime"]),
    ("details", &["open"]),
    ("dfn", &[]),
    ("div", &[]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("font", &["color", "face", "size"]),
    ("footer", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("header", &[]),
    ("hr", &["width", "size", "noshade", "color"]),
    ("i", &[]),
    (
        "img",
        &[
            "src", "alt", "width", "height", "border", "hspace", "vspace",
        ],
    ),
    ("ins", &["datetime"]),
    ("kbd", &[]),
    ("li", &["value", "type"]),
    ("main", &[]),
    ("mark", &[]),
    ("nav", &[]),
    ("ol", &["start", "type", "reversed"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &[]),
    ("rp", &[]),
    ("rt", &[]),
    ("ruby", &[]),
    ("s", &[]),
    ("samp", &[]),
    ("section", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strike", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("summary", &[]),
    ("sup", &[]),
    (
        "table",
        &[
            "width",
            "height",
            "border",
            "cellpadding",
            "cellspacing",
            "bgcolor",
            "summary",
        ],
    ),
    ("tbody", &[]),
    (
        "td",
        &[
            "width", "height", "colspan", "rowspan", "bgcolor", "nowrap", "abbr", "headers",
        ],
    ),
    ("tfoot", &[]),
    (
        "th",
        &[
            "width", "height", "colspan", "rowspan", "bgcolor", "nowrap", "abbr", "headers",
            "scope",
        ],
    ),
    ("thead", &[]),
    ("time", &["datetime"]),
    ("tr", &["bgcolor", "height"]),
    ("tt", &[]),
    ("u", &[]),
    ("ul", &["type"]),
    ("var", &[]),
    ("wbr", &[]),
];

/// Attributes allowed on every kept element. `style` is filtered by
/// [`crate::css`]; nothing here can hold a URL.
pub(crate) const GENERIC_ATTRIBUTES: &[&str] =
    &["style", "title", "dir", "lang", "align", "valign"];

/// Elements removed together with their content. Everything that can run
/// code, load a resource, submit data or change how the document resolves
/// URLs is here, as are containers whose text is not meant to be read.
pub(crate) const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "param",
    "svg",
    "math",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "title",
    "select",
    "textarea",
    "audio",
    "video",
    "canvas",
    "xmp",
    "plaintext",
];

/// URL schemes that may reach the attribute filter at all. The filter then
/// decides per attribute: links get [`LINK_SCHEMES`], images also `cid:` and
/// raster `data:` images.
pub(crate) const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "cid", "data"];

/// Schemes a link may use.
pub(crate) const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// `data:` image types shown inline. No SVG: it can carry script.
pub(crate) const DATA_IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/gif",
    "image/jpeg",
    "image/jpg",
    "image/webp",
];

/// `rel` set on every link: no opener access, no referrer leak, no ranking.
pub(crate) const LINK_REL: &str = "noopener noreferrer nofollow";

/// CSS properties kept in `style` attributes. Anything positional
/// (`position`, `z-index`, `transform`), anything that loads a resource
/// (`background-image`, `list-style-image`, `border-image`, `cursor`,
/// `content`) and anything that changes how the page behaves is absent.
pub(crate) const CSS_PROPERTIES: &[&str] = &[
    "background",
    "background-color",
    "border",
    "border-bottom",
    "border-bottom-color",
    "border-bottom-left-radius",
    "border-bottom-right-radius",
    "border-bottom-style",
    "border-bottom-width",
    "border-collapse",
    "border-color",
    "border-left",
    "border-left-color",
    "border-left-style",
    "border-left-width",
    "border-radius",
    "border-right",
    "border-right-color",
    "border-right-style",
    "border-right-width",
    "border-spacing",
    "border-style",
    "border-top",
    "border-top-color",
    "border-top-left-radius",
    "border-top-right-radius",
    "border-top-style",
    "border-top-width",
    "border-width",
    "caption-side",
    "clear",
    "color",
    "direction",
    "display",
    "empty-cells",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "list-style",
    "list-style-position",
    "list-style-type",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-height",
    "max-width",
    "min-height",
    "min-width",
    "overflow-wrap",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "table-layout",
    "text-align",
    "text-decoration",
    "text-decoration-color",
    "text-decoration-line",
    "text-decoration-style",
    "text-indent",
    "text-transform",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
    "word-spacing",
    "word-wrap",
];

/// Values `display` may take.
pub(crate) const CSS_DISPLAY_VALUES: &[&str] = &[
    "none",
    "block",
    "inline",
    "inline-block",
    "list-item",
    "table",
    "inline-table",
    "table-row",
    "table-cell",
    "table-caption",
    "table-column",
    "table-column-group",
    "table-header-group",
    "table-footer-group",
    "table-row-group",
    "flex",
    "inline-flex",
];

/// CSS functions a value may call (colours only).
pub(crate) const CSS_FUNCTIONS: &[&str] = &["rgb", "rgba", "hsl", "hsla"];

/// Substrings that make a whole declaration go, compared lower-case.
pub(crate) const CSS_FORBIDDEN: &[&str] = &[
    "url(",
    "expression",
    "@import",
    "javascript:",
    "vbscript:",
    "behavior",
    "behaviour",
    "-moz-binding",
    "\\",
    "/*",
    "*/",
    "<",
    ">",
    "&",
    "image",
    "attr(",
    "var(",
    "env(",
];
