//! Minimal encoders for building test messages.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 with lines of 76 characters (RFC 2045 §6.8).
pub(crate) fn base64_lines(data: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        line += 4;
        if line >= 76 {
            out.push_str("\r\n");
            line = 0;
        }
    }
    if line > 0 {
        out.push_str("\r\n");
    }
    out
}

/// Base64 on one line, for encoded words.
pub(crate) fn base64(data: &[u8]) -> String {
    base64_lines(data).replace("\r\n", "")
}

/// Quoted-printable (RFC 2045 §6.7) with soft line breaks.
pub(crate) fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            out.push_str("\r\n");
            line = 0;
            continue;
        }
        if b == b'\r' {
            continue;
        }
        let trailing_space =
            (b == b' ' || b == b'\t') && data.get(i + 1).is_none_or(|&n| n == b'\r' || n == b'\n');
        let enc = if (33..=126).contains(&b) && b != b'=' || (b == b' ' && !trailing_space) {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + enc.len() > 75 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += enc.len();
        out.push_str(&enc);
    }
    out
}

/// An RFC 2047 encoded word (`B` encoding) of raw charset bytes.
pub(crate) fn encoded_word(charset: &str, bytes: &[u8]) -> String {
    format!("=?{charset}?B?{}?=", base64(bytes))
}

/// An RFC 2047 encoded word (`Q` encoding).
pub(crate) fn encoded_word_q(charset: &str, bytes: &[u8]) -> String {
    let mut s = format!("=?{charset}?Q?");
    for &b in bytes {
        match b {
            b' ' => s.push('_'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => s.push(b as char),
            _ => s.push_str(&format!("={b:02X}")),
        }
    }
    s.push_str("?=");
    s
}

/// RFC 2231 percent-encoding of a parameter value.
pub(crate) fn rfc2231(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(quoted_printable("café = ok".as_bytes()), "caf=C3=A9 =3D ok");
        assert_eq!(
            encoded_word_q("iso-8859-1", b"J\xf6rg M"),
            "=?iso-8859-1?Q?J=F6rg_M?="
        );
        assert_eq!(rfc2231(b"r\xe9sum\xe9 1.pdf"), "r%E9sum%E9%201.pdf");
    }
}
