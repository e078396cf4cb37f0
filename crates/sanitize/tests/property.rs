//! Random input, deterministic seed: the sanitizer never panics and its
//! output always passes the independent audit.

use sanitize::{Policy, audit, compose_html, email_html, html_to_text, safe_url, text_to_html};

/// xorshift64*: small, deterministic, good enough to shuffle fragments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "=",
    "\"",
    "'",
    " ",
    "\t",
    "\n",
    "\0",
    "&",
    ";",
    "#",
    "&#",
    "&#x",
    "&lt;",
    "&colon;",
    "&Tab;",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "<!",
    "script",
    "style",
    "svg",
    "math",
    "img",
    "a",
    "iframe",
    "base",
    "meta",
    "form",
    "input",
    "table",
    "td",
    "p",
    "div",
    "noscript",
    "template",
    "textarea",
    "title",
    "xmp",
    "animate",
    "set",
    "feImage",
    "foreignObject",
    "mtext",
    "mglyph",
    "annotation-xml",
    "encoding=\"text/html\"",
    "src",
    "href",
    "xlink:href",
    "srcset",
    "style",
    "onerror",
    "onload",
    "onclick",
    "on",
    "attributeName",
    "values",
    "to",
    "javascript:",
    "java",
    "script:",
    "vbscript:",
    "data:",
    "data:image/png;base64,AAAA",
    "data:image/svg+xml,",
    "http://e.test/",
    "https://e.test/a.png",
    "//e.test/",
    "cid:x@y",
    "mailto:",
    "url(",
    "expression(",
    "@import",
    "\\",
    "/*",
    "*/",
    "position:fixed",
    "color:red",
    "background:",
    "alert(1)",
    "(",
    ")",
    "%3A",
    "%0A",
    "\u{a0}",
    "\u{2028}",
    "\u{feff}",
    "é",
    "日本",
    "<style>",
    "</style>",
    "{",
    "}",
    ".a",
    "#b",
    " class=a",
    " id=b",
    "@media screen",
    "@font-face",
    "!important",
    " > ",
    "*",
    "blockquote",
    "li",
    "pre",
];

fn random_input(rng: &mut Rng) -> String {
    let n = rng.below(80);
    let mut s = String::new();
    for _ in 0..n {
        if rng.below(10) == 0 {
            // An arbitrary scalar value now and then.
            if let Some(c) = char::from_u32((rng.next() % 0x11_0000) as u32) {
                s.push(c);
            }
        } else {
            s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
        }
    }
    s
}

#[test]
fn random_html_is_always_inert() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let iterations = 3000;
    for i in 0..iterations {
        let input = random_input(&mut rng);
        let allow = i % 3 == 0;
        let policy = Policy::new()
            .allow_remote_images(allow)
            .cid_url(|cid| Some(format!("/part/{}", cid.len())));
        let out = email_html(&input, &policy);
        let v = audit::violations(&out.html, allow);
        assert!(
            v.is_empty(),
            "iteration {i}: {v:?}\n in: {input:?}\n out: {:?}",
            out.html
        );

        let composed = compose_html(&input);
        let v = audit::violations(&composed, false);
        assert!(
            v.is_empty(),
            "compose iteration {i}: {v:?}\n in: {input:?}\n out: {composed:?}"
        );
        let plain = html_to_text(&input);
        assert!(
            !plain
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "plain iteration {i}: {plain:?}"
        );

        let text = text_to_html(&input);
        let v = audit::violations(&text, false);
        assert!(
            v.is_empty(),
            "text iteration {i}: {v:?}\n in: {input:?}\n out: {text:?}"
        );
        assert_eq!(text.matches("<pre").count(), 1);

        if let Some(u) = safe_url(&input) {
            assert!(
                u.starts_with("http://") || u.starts_with("https://") || u.starts_with("mailto:"),
                "{input:?} -> {u:?}"
            );
        }
    }
}

#[test]
fn sanitizing_is_stable() {
    // Cleaning clean output changes nothing that matters: still inert.
    let mut rng = Rng(42);
    for _ in 0..500 {
        let input = random_input(&mut rng);
        let once = email_html(&input, &Policy::default()).html;
        let twice = email_html(&once, &Policy::default()).html;
        assert!(audit::violations(&twice, false).is_empty());
    }
}
