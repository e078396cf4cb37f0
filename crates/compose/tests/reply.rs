//! Reply and forward prefill from real-looking originals.

use compose::reply::{ReplyKind, forward_as_attachment, forward_inline, reply};
use compose::{Error, Mailbox};
use model::compose::BodyFormat;

const ORIGINAL: &str = "From: Bob Jones <bob@example.net>\r
To: Ann <ann@example.org>, Carol <carol@example.com>\r
Cc: dave@example.com, ANN@example.org, Carol <carol@example.com>\r
Subject: Re: Re: Lunch <friday>\r
Date: Tue, 14 Nov 2023 10:00:00 +0100\r
Message-ID: <m3@example.net>\r
References: <m1@example.org> <m2@example.com>\r
In-Reply-To: <m2@example.com>\r
\r
Shall we meet at 12 & eat <outside>?\r
> earlier text\r
\r
Bob\r
";

fn addrs(l: &[Mailbox]) -> Vec<&str> {
    l.iter().map(|m| m.address.as_str()).collect()
}

#[test]
fn recipients_table() {
    let with_reply_to = ORIGINAL.replace("Subject:", "Reply-To: list@example.net\r\nSubject:");
    let from_me = ORIGINAL.replace(
        "From: Bob Jones <bob@example.net>",
        "From: Ann <ann@example.org>",
    );
    let own = ["ann@example.org"];
    type Case<'a> = (&'a str, &'a str, ReplyKind, Vec<&'a str>, Vec<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        (
            "reply",
            ORIGINAL,
            ReplyKind::Reply,
            vec!["bob@example.net"],
            vec![],
        ),
        (
            "reply-to wins",
            &with_reply_to,
            ReplyKind::Reply,
            vec!["list@example.net"],
            vec![],
        ),
        (
            "reply all",
            ORIGINAL,
            ReplyKind::ReplyAll,
            vec!["bob@example.net", "carol@example.com"],
            vec!["dave@example.com"],
        ),
        (
            "reply all with reply-to",
            &with_reply_to,
            ReplyKind::ReplyAll,
            vec!["list@example.net", "carol@example.com"],
            vec!["dave@example.com"],
        ),
        (
            "reply to own sent message",
            &from_me,
            ReplyKind::Reply,
            vec!["carol@example.com"],
            vec![],
        ),
        (
            "reply all to own sent message",
            &from_me,
            ReplyKind::ReplyAll,
            vec!["carol@example.com"],
            vec!["dave@example.com"],
        ),
    ];
    for (name, raw, kind, to, cc) in cases {
        let p = reply(raw.as_bytes(), kind, &own).unwrap();
        assert_eq!((addrs(&p.to), addrs(&p.cc)), (to, cc), "{name}");
    }
}

#[test]
fn threading_and_subject() {
    let p = reply(ORIGINAL.as_bytes(), ReplyKind::Reply, &["ann@example.org"]).unwrap();
    assert_eq!(p.subject, "Re: Lunch <friday>");
    assert_eq!(p.in_reply_to.as_deref(), Some("m3@example.net"));
    assert_eq!(
        p.references,
        vec!["m1@example.org", "m2@example.com", "m3@example.net"]
    );

    let no_refs = "From: b@x.org\r\nIn-Reply-To: <p@x.org>\r\nMessage-ID: <q@x.org>\r\n\r\nhi\r\n";
    let p = reply(no_refs.as_bytes(), ReplyKind::Reply, &[]).unwrap();
    assert_eq!(p.references, vec!["p@x.org", "q@x.org"]);

    let many: Vec<String> = (0..40).map(|i| format!("<r{i}@x.org>")).collect();
    let long = format!(
        "From: b@x.org\r\nReferences: {} <r3@x.org>\r\nMessage-ID: <last@x.org>\r\n\r\nhi\r\n",
        many.join(" ")
    );
    let p = reply(long.as_bytes(), ReplyKind::Reply, &[]).unwrap();
    assert_eq!(p.references.len(), compose::reply::MAX_REFERENCES);
    assert_eq!(p.references.first().map(String::as_str), Some("r0@x.org"));
    assert_eq!(p.references.last().map(String::as_str), Some("last@x.org"));
}

#[test]
fn quoted_bodies() {
    let p = reply(ORIGINAL.as_bytes(), ReplyKind::Reply, &[]).unwrap();
    assert_eq!(
        p.quote_text,
        "On Tue, 14 Nov 2023 10:00:00 +0100, Bob Jones wrote:\n\
         > Shall we meet at 12 & eat <outside>?\n\
         >> earlier text\n\
         >\n\
         > Bob\n"
    );
    assert!(p.quote_html.starts_with(
        "<p>On Tue, 14 Nov 2023 10:00:00 +0100, Bob Jones wrote:</p><blockquote type=\"cite\">"
    ));
    assert!(
        p.quote_html.contains("12 &amp; eat &lt;outside&gt;?"),
        "{}",
        p.quote_html
    );
    assert!(!p.quote_html.contains("<outside>"));

    let html = "From: b@x.org\r\nContent-Type: text/html\r\n\r\n<p>Hi <b>there</b></p>\r\n";
    let p = reply(html.as_bytes(), ReplyKind::Reply, &[]).unwrap();
    assert!(
        p.quote_html
            .contains("<blockquote type=\"cite\"><p>Hi <b>there</b></p>"),
        "{}",
        p.quote_html
    );
    assert!(p.quote_text.contains("> Hi there"), "{}", p.quote_text);
    assert!(
        p.quote_text.starts_with("b@x.org wrote:\n"),
        "{}",
        p.quote_text
    );

    let draft = p.to_draft(BodyFormat::Plain);
    assert_eq!(draft.to, "b@x.org");
    assert!(draft.body.starts_with("\n\nb@x.org wrote:"));
    assert_eq!(p.to_draft(BodyFormat::Html).format, BodyFormat::Html);
}

#[test]
fn forward_inline_block() {
    let p = forward_inline(ORIGINAL.as_bytes()).unwrap();
    assert_eq!(p.subject, "Fwd: Re: Re: Lunch <friday>");
    assert!(p.to.is_empty() && p.in_reply_to.is_none());
    assert_eq!(
        p.quote_text.lines().take(7).collect::<Vec<_>>(),
        vec![
            "---------- Forwarded message ----------",
            "From: Bob Jones <bob@example.net>",
            "Date: Tue, 14 Nov 2023 10:00:00 +0100",
            "Subject: Re: Re: Lunch <friday>",
            "To: Ann <ann@example.org>, Carol <carol@example.com>",
            "Cc: dave@example.com, ANN@example.org, Carol <carol@example.com>",
            "",
        ]
    );
    assert!(p.quote_text.contains("Shall we meet"));
    assert!(
        p.quote_html
            .contains("Subject: Re: Re: Lunch &lt;friday&gt;<br>")
    );
}

#[test]
fn forward_as_attachment_keeps_bytes() {
    let (p, bytes) = forward_as_attachment(ORIGINAL.as_bytes()).unwrap();
    assert_eq!(p.subject, "Fwd: Re: Re: Lunch <friday>");
    assert_eq!(bytes, ORIGINAL.as_bytes());
}

#[test]
fn broken_input() {
    for raw in [
        &b""[..],
        b"   \r\n",
        b"\xff\xfe\x00garbage",
        b"Subject: only\r\n",
        b"From: <<<>>>\r\n\r\n",
    ] {
        match reply(raw, ReplyKind::ReplyAll, &["a@b.c"]) {
            Ok(p) => {
                assert!(p.subject.starts_with("Re: "));
                assert!(p.to.iter().all(|m| m.address.contains('@')));
            }
            Err(e) => assert!(matches!(e, Error::Unreadable), "{raw:?}: {e}"),
        }
        let _ = forward_inline(raw);
    }
    assert!(matches!(
        reply(b"", ReplyKind::Reply, &[]),
        Err(Error::Unreadable)
    ));
}

/// Every hostile message of the corpus, replied to and forwarded: the quoted
/// HTML is what the editor is given, so it must be inert (no script, no
/// refresh, nothing fetched) by the sanitizer's independent audit.
#[test]
fn quotes_of_hostile_mail_are_inert() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eml/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("hostile corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 100,
        "hostile corpus too small: {}",
        files.len()
    );
    let mut problems = Vec::new();
    for file in &files {
        let raw = std::fs::read(file).unwrap();
        let quotes = [
            reply(&raw, ReplyKind::ReplyAll, &[]).map(|p| p.quote_html),
            forward_inline(&raw).map(|p| p.quote_html),
        ];
        for html in quotes.into_iter().flatten() {
            let found = sanitize::audit::violations(&html, false);
            if !found.is_empty() {
                problems.push(format!("{}: {found:?}", file.display()));
            }
            let lower = html.to_ascii_lowercase();
            for bad in [
                "<meta",
                "<script",
                "<iframe",
                "<link",
                "<base",
                "src=\"cid:",
            ] {
                if lower.contains(bad) {
                    problems.push(format!("{}: {bad}", file.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn quoted_html_keeps_formatting_and_drops_the_rest() {
    let raw = "From: b@x.org\r\nContent-Type: text/html\r\n\r\n\
               <meta http-equiv=refresh content=\"0;url=https://evil.example/\">\
               <p>Hi <b>there</b><img src=\"https://track.example/p.gif\"></p>\r\n";
    let p = reply(raw.as_bytes(), ReplyKind::Reply, &[]).unwrap();
    assert!(
        p.quote_html.contains("<p>Hi <b>there</b>"),
        "{}",
        p.quote_html
    );
    assert!(!p.quote_html.contains("refresh"), "{}", p.quote_html);
    assert!(!p.quote_html.contains("track.example"), "{}", p.quote_html);
    let f = forward_inline(raw.as_bytes()).unwrap();
    assert!(!f.quote_html.contains("evil.example"), "{}", f.quote_html);
}
