//! Sent mail survives a SIGKILL: a message accepted while the relay is down
//! stays in the spool across a killed server, and the restarted server hands
//! it to a real SMTP server (aiosmtpd) at once (not after the backoff of its
//! failed attempt) and exactly once, with the same Message-ID.
//!
//! Needs `python3 -m aiosmtpd`; without it the test is skipped with a
//! notice, unless `WEBMAIL_REQUIRE_SMTP=1` (CI), which makes it fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::smtp::{self, Process, free_port, wait_for};

const PASSWORD: &str = "alice-kill-password";

fn webmail(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_webmail"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WEBMAIL_") {
            cmd.env_remove(key);
        }
    }
    cmd.arg("--data").arg(data);
    cmd
}

fn admin(data: &Path, args: &[&str], stdin: &str) {
    let mut child = webmail(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "webmail {args:?}");
}

/// Starts `webmail serve` on a free port, relaying to `relay_port`; returns
/// the process and its address. Its log goes to `log`.
fn serve(data: &Path, spell: &Path, relay_port: u16, log: &Path) -> (Process, String) {
    let mut child = webmail(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("WEBMAIL_HOSTNAME", "webmail.test")
        .env("WEBMAIL_RELAY_HOST", "127.0.0.1")
        .env("WEBMAIL_RELAY_PORT", relay_port.to_string())
        .env("WEBMAIL_RELAY_SECURITY", "none")
        .env("WEBMAIL_RELAY_TIMEOUT_SECONDS", "5")
        .env("WEBMAIL_QUEUE_POLL_SECONDS", "1")
        .env("WEBMAIL_SPELL_DIR", spell)
        .env("WEBMAIL_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("webmail listening on http://")
        .unwrap_or_else(|| {
            panic!(
                "server did not start: {line:?}\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            )
        })
        .to_owned();
    (Process(child), addr)
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a fresh connection.
fn http(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {raw:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn sign_in(addr: &str) -> String {
    let res = http(
        addr,
        "/api/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
            ("Sec-Fetch-Site", "same-origin"),
            ("Referer", &format!("http://{addr}/login")),
        ],
        format!("address=alice%40example.com&password={PASSWORD}&interface=standard").as_bytes(),
    );
    res.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap_or_default())
        .find(|c| c.starts_with("webmail_session=") && *c != "webmail_session=")
        .unwrap_or_else(|| panic!("no session cookie: {} {:?}", res.status, res.headers))
        .to_owned()
}

fn send_message(addr: &str, cookie: &str) -> Response {
    const BOUNDARY: &str = "kill-test-boundary";
    let mut body = String::new();
    for (name, value) in [
        ("op", "send"),
        ("account", "alice@example.com"),
        ("to", "someone@remote.test"),
        ("subject", "Kill test"),
        ("body", "hello"),
        ("format", "plain"),
        ("priority", "normal"),
        ("back", "/mail"),
    ] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    http(
        addr,
        "/api/mail/compose",
        &[
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            ),
            ("Accept", "text/html"),
            ("Sec-Fetch-Site", "same-origin"),
            ("Referer", &format!("http://{addr}/mail/compose")),
            ("Cookie", cookie),
        ],
        body.as_bytes(),
    )
}

/// The spool's files with `ext`.
fn spooled(spool: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(spool)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default()
}

/// The Message-ID header's value in `raw`.
fn message_id(raw: &str) -> Option<String> {
    raw.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("message-id")
            .then(|| value.trim().to_owned())
    })
}

/// The messages in the relay's Maildir (`new/` and `cur/`), as text.
fn received(maildir: &Path) -> Vec<String> {
    smtp::received(maildir)
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect()
}

#[test]
fn queued_mail_survives_sigkill_and_is_sent_once_after_restart() {
    if !smtp::available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let spell = tmp.path().join("dictionaries");
    std::fs::create_dir_all(&spell).unwrap();
    let spool = data.join("spool");
    admin(&data, &["admin", "domain", "add", "example.com"], "");
    admin(
        &data,
        &[
            "admin",
            "user",
            "add",
            "alice@example.com",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    // Nothing listens on the relay port yet.
    let relay_port = free_port();

    // 1. Send while the relay is down: accepted, spooled, first attempt fails.
    let log1 = tmp.path().join("server1.log");
    let (mut server, addr) = serve(&data, &spell, relay_port, &log1);
    let cookie = sign_in(&addr);
    let res = send_message(&addr, &cookie);
    // A plain form post is sent on to its `back` page.
    assert!(
        matches!(res.status, 302 | 303)
            && res
                .header("location")
                .is_some_and(|l| l.starts_with("/mail")),
        "compose answered {} {:?}: {}",
        res.status,
        res.headers,
        res.body
    );
    let emls = spooled(&spool, "eml");
    assert_eq!(emls.len(), 1, "one message in the spool: {emls:?}");
    let spooled_raw = std::fs::read_to_string(&emls[0]).unwrap();
    let id = message_id(&spooled_raw).expect("the spooled message has a Message-ID");
    assert!(spooled_raw.contains("Kill test"));
    wait_for("the first attempt to fail", Duration::from_secs(20), || {
        let json = spooled(&spool, "json");
        let text = std::fs::read_to_string(json.first()?).ok()?;
        text.contains("\"attempts\": 1").then_some(())
    });

    // 2. SIGKILL: no shutdown, no flush.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    assert_eq!(
        spooled(&spool, "eml").len(),
        1,
        "still spooled after the kill"
    );

    // 3. The relay comes up.
    let maildir = tmp.path().join("relay");
    let _relay = smtp::start_relay(relay_port, &maildir, None);

    // 4. Restart: the start-up pass tries all waiting mail at once, well
    //    before the first backoff step would be over.
    let log2 = tmp.path().join("server2.log");
    let (_server, _addr) = serve(&data, &spell, relay_port, &log2);
    let limit = Duration::from_secs(compose::queue::backoff(1) as u64 / 3);
    let got = wait_for("the relay to receive the message", limit, || {
        let got = received(&maildir);
        (!got.is_empty()).then_some(got)
    });
    wait_for("the spool to empty", Duration::from_secs(10), || {
        (spooled(&spool, "eml").is_empty() && spooled(&spool, "json").is_empty()).then_some(())
    });
    // Exactly once: nothing more arrives after the spool is empty.
    std::thread::sleep(Duration::from_secs(3));
    let all = received(&maildir);
    assert_eq!(all.len(), 1, "received once: {all:#?}");
    assert_eq!(got.len(), 1);
    assert_eq!(message_id(&all[0]).as_deref(), Some(id.as_str()));
    assert!(
        all[0].contains("X-RcptTo: someone@remote.test"),
        "{}",
        all[0]
    );
    assert!(all[0].contains("Kill test"));
}
