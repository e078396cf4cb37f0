//! The attachment list, file names, and the type a download is served as.

use std::collections::HashSet;

use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};
use model::mail::Attachment;

/// Longest file name kept, in characters.
const MAX_FILENAME_CHARS: usize = 200;

/// Every part `mail-parser` classed as an attachment (anything that is not
/// the body), in part order.
pub(crate) fn list(msg: &Message<'_>, data: &[u8], inline_parts: &HashSet<u32>) -> Vec<Attachment> {
    let mut out = Vec::new();
    for &i in &msg.attachments {
        let Some(p) = msg.parts.get(i as usize) else {
            continue;
        };
        let content_type = content_type(p);
        // A container whose boundary was missing is shown as the body.
        if matches!(p.body, PartType::Multipart(_)) || content_type.starts_with("multipart/") {
            continue;
        }
        let is_message = matches!(p.body, PartType::Message(_)) || content_type == "message/rfc822";
        let size = match &p.body {
            PartType::Message(_) => nested_bytes(p, data).len(),
            _ => p.contents().len(),
        };
        out.push(Attachment {
            part: i,
            filename: filename(p, i, &content_type),
            size: size as u64,
            content_id: p
                .content_id()
                .map(|c| c.trim().trim_matches(['<', '>']).to_string())
                .filter(|c| !c.is_empty()),
            inline: inline_parts.contains(&i),
            is_message,
            content_type,
        });
    }
    out
}

/// The declared type, lower-case `type/subtype`, or what the part's shape
/// implies when none is declared.
pub(crate) fn content_type(p: &MessagePart<'_>) -> String {
    if let Some(ct) = p.content_type() {
        let main = ct.c_type.trim().to_ascii_lowercase();
        let sub = ct
            .c_subtype
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase());
        if !main.is_empty() {
            return match sub {
                Some(sub) if !sub.is_empty() => format!("{main}/{sub}"),
                _ => main,
            };
        }
    }
    match p.body {
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        PartType::Message(_) => "message/rfc822",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// The decoded file name without any directory part or control
/// characters, or `part-N.ext` when there is none.
pub(crate) fn filename(p: &MessagePart<'_>, n: u32, content_type: &str) -> String {
    let name = p.attachment_name().unwrap_or_default();
    let last = name
        .rsplit(['/', '\\'])
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        format!("part-{n}.{}", extension(content_type))
    } else {
        cleaned.to_string()
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/csv" => "csv",
        "text/vcard" | "text/x-vcard" => "vcf",
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/json" => "json",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

/// The bytes of an attached message as received. An unencoded
/// `message/rfc822` part is a slice of the outer message; an encoded one
/// was decoded by the parser.
pub(crate) fn nested_bytes<'a>(p: &'a MessagePart<'_>, data: &'a [u8]) -> &'a [u8] {
    if p.encoding == Encoding::None
        && let Some(slice) = data.get(p.offset_body as usize..p.offset_end as usize)
        && p.offset_end > p.offset_body
    {
        return slice;
    }
    match &p.body {
        PartType::Message(m) => m.raw_message(),
        _ => p.contents(),
    }
}

/// The `Content-Type` to serve a downloaded part with, from its declared
/// type. Raster images, plain text, PDF, calendar data and messages keep a
/// type of their own; everything a browser could run or render as a page
/// (HTML, SVG, XML, JavaScript, and anything unknown) becomes
/// `application/octet-stream`. Serve it with `Content-Disposition:
/// attachment` and `X-Content-Type-Options: nosniff`; add the charset
/// (UTF-8 for text parts) yourself.
pub fn safe_content_type(declared: &str) -> &'static str {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/png" => "image/png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "image/jpeg",
        "image/gif" => "image/gif",
        "image/webp" => "image/webp",
        "text/plain" | "text/csv" => "text/plain",
        "text/calendar" => "text/calendar",
        "application/pdf" => "application/pdf",
        "message/rfc822" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_content_type;

    #[test]
    fn safe_content_type_table() {
        let cases = [
            ("image/png", "image/png"),
            ("IMAGE/JPEG; name=x.jpg", "image/jpeg"),
            ("image/gif", "image/gif"),
            ("image/webp", "image/webp"),
            ("image/svg+xml", "application/octet-stream"),
            ("text/html; charset=utf-8", "application/octet-stream"),
            ("application/xhtml+xml", "application/octet-stream"),
            ("text/xml", "application/octet-stream"),
            ("application/xml", "application/octet-stream"),
            ("application/javascript", "application/octet-stream"),
            ("text/javascript", "application/octet-stream"),
            ("text/plain; charset=iso-8859-1", "text/plain"),
            ("application/pdf", "application/pdf"),
            ("message/rfc822", "message/rfc822"),
            ("application/x-shockwave-flash", "application/octet-stream"),
            ("", "application/octet-stream"),
            ("garbage", "application/octet-stream"),
        ];
        for (declared, want) in cases {
            assert_eq!(safe_content_type(declared), want, "{declared:?}");
        }
    }
}
