/// A multipart/related message whose HTML shows `n` small PNG images by
/// `cid:`, each its own part (about 190 bytes a part).
pub fn many_cid_images(n: usize) -> Vec<u8> {
    let mut out = String::new();
    out.push_str(
        "From: Sender <s@example.org>\r\nTo: r@example.org\r\nSubject: Many images\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>",
    );
    for i in 0..n {
        out.push_str(&format!("<img src=\"cid:img{i}@x\">"));
    }
    out.push_str("</p>\r\n");
    for i in 0..n {
        out.push_str(&format!(
            "--B\r\nContent-Type: image/png\r\nContent-ID: <img{i}@x>\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n\
             iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n"
        ));
    }
    out.push_str("--B--\r\n");
    out.into_bytes()
}
