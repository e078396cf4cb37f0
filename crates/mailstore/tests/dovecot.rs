//! Interop with real Dovecot (Debian's `dovecot-imapd`), started on a
//! loopback port with a temporary configuration over a temporary Maildir.
//!
//! Without Dovecot installed the test prints why it is skipped, or fails
//! when `WEBMAIL_REQUIRE_DOVECOT=1` is set (as CI does).

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mailstore::{Flag, Mailstore, SortColumn};

fn dovecot_binary() -> Option<PathBuf> {
    [
        "/usr/sbin/dovecot",
        "/usr/bin/dovecot",
        "/usr/local/sbin/dovecot",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The uid Dovecot should access mail as: ours, or `nobody` when we are
/// root (Dovecot refuses uid 0).
fn mail_ids() -> (u32, u32) {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u32 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    match (field("Uid:"), field("Gid:")) {
        (0, _) => (65534, 65534),
        ids => ids,
    }
}

/// Hands the tree to the mail uid so Dovecot may write it.
fn give_away(path: &Path) {
    let (uid, gid) = mail_ids();
    let _ = std::os::unix::fs::chown(path, Some(uid), Some(gid));
    if path.is_dir() {
        for e in fs::read_dir(path).unwrap().flatten() {
            give_away(&e.path());
        }
    }
}

struct Dovecot {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Dovecot {
    fn start(bin: &Path, root: &Path, user_dir: &Path) -> Dovecot {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (uid, gid) = mail_ids();
        let dir = root.join("dovecot");
        for d in ["run", "state"] {
            fs::create_dir_all(dir.join(d)).unwrap();
        }
        let am_root = mail_ids() == (65534, 65534);
        let users = if am_root {
            "default_internal_user = dovecot\ndefault_internal_group = dovecot\ndefault_login_user = dovenull\n"
                .to_string()
        } else {
            let name = std::env::var("USER").unwrap_or_default();
            format!("default_internal_user = {name}\ndefault_login_user = {name}\n")
        };
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain\nfirst_valid_uid = 1\n{users}\
             mail_location = maildir:{m}/Maildir\n\
             passdb {{\n  driver = static\n  args = password=secret\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={m}\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n",
            d = dir.display(),
            m = user_dir.display(),
        );
        fs::write(dir.join("dovecot.conf"), conf).unwrap();
        let child = Command::new(bin)
            .args(["-F", "-c"])
            .arg(dir.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "dovecot did not start: {}",
                Self::log_of(&dir)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Dovecot { child, port, dir }
    }

    fn log_of(dir: &Path) -> String {
        fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default()
    }
}

/// A minimal IMAP client: sends tagged commands, returns the untagged and
/// tagged response text with literals inlined.
struct Imap {
    r: BufReader<TcpStream>,
    w: TcpStream,
    tag: u32,
}

impl Imap {
    fn connect(port: u16) -> Imap {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut imap = Imap {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
            tag: 0,
        };
        let mut greeting = String::new();
        imap.r.read_line(&mut greeting).unwrap();
        assert!(greeting.starts_with("* OK"), "{greeting}");
        imap
    }

    fn cmd(&mut self, command: &str) -> String {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        write!(self.w, "{tag} {command}\r\n").unwrap();
        let mut out = String::new();
        loop {
            let mut line = String::new();
            assert!(
                self.r.read_line(&mut line).unwrap() > 0,
                "connection closed after {out}"
            );
            // A literal: {n}\r\n followed by n bytes.
            if let Some(n) = line
                .trim_end()
                .strip_suffix('}')
                .and_then(|l| l.rsplit('{').next())
                .and_then(|n| n.parse::<usize>().ok())
            {
                let mut buf = vec![0; n];
                self.r.read_exact(&mut buf).unwrap();
                out.push_str(&line);
                out.push_str(&String::from_utf8_lossy(&buf));
                continue;
            }
            out.push_str(&line);
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                assert!(rest.starts_with("OK"), "{command}: {out}");
                return out;
            }
        }
    }
}

fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Interop <interop@example.com>\r\nTo: u@example.org\r\nSubject: interop {n}\r\n\
         Message-ID: <interop-{n}@example.com>\r\nDate: Mon, 1 Jan 2024 10:0{n}:00 +0000\r\n\r\nhello {n}\r\n"
    )
    .into_bytes()
}

#[test]
fn dovecot_sees_our_mail_and_we_see_its_changes() {
    let Some(bin) = dovecot_binary() else {
        if std::env::var("WEBMAIL_REQUIRE_DOVECOT").as_deref() == Ok("1") {
            panic!(
                "WEBMAIL_REQUIRE_DOVECOT=1 but dovecot is not installed (apt-get install dovecot-imapd)"
            );
        }
        eprintln!(
            "SKIPPED dovecot interop: dovecot is not installed (apt-get install dovecot-imapd)"
        );
        return;
    };
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let user = root.path().join("user");
    let s = Mailstore::open(&user).unwrap();
    for n in 1..=3 {
        s.deliver("INBOX", &message(n)).unwrap();
    }
    s.create_folder("Projects").unwrap();
    give_away(&user);
    let dovecot = Dovecot::start(&bin, root.path(), &user);
    let mut imap = Imap::connect(dovecot.port);
    imap.cmd("LOGIN u secret");

    // Mail we delivered is visible, folders too.
    let list = imap.cmd("LIST \"\" \"*\"");
    for f in [
        "INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Projects",
    ] {
        assert!(
            list.contains(&format!(" {f}\r\n")),
            "{f} missing from {list}"
        );
    }
    let sel = imap.cmd("SELECT INBOX");
    assert!(sel.contains("* 3 EXISTS"), "{sel}");
    let fetch = imap.cmd("FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    for n in 1..=3 {
        assert!(fetch.contains(&format!("Subject: interop {n}")), "{fetch}");
    }

    // Flags and keywords set over IMAP are seen by us.
    imap.cmd("STORE 1 +FLAGS (\\Flagged $Forwarded)");
    let m = s
        .list("INBOX", SortColumn::Date, false, 0, 10)
        .unwrap()
        .items;
    assert_eq!(m[0].subject, "interop 1");
    assert!(m[0].flags.flagged, "{:?}", m[0].flags);
    assert_eq!(m[0].flags.keywords, vec!["$Forwarded"]);

    // Ours are seen over IMAP.
    s.set_flags(
        "INBOX",
        &[m[1].uid],
        &[Flag::Seen, Flag::Keyword("$Junk".into())],
    )
    .unwrap();
    imap.cmd("NOOP");
    let flags = imap.cmd("FETCH 2 (FLAGS)");
    assert!(
        flags.contains("\\Seen") && flags.contains("$Junk"),
        "{flags}"
    );
    let flags1 = imap.cmd("FETCH 1 (FLAGS)");
    assert!(
        flags1.contains("\\Flagged") && flags1.contains("$Forwarded"),
        "{flags1}"
    );

    // A move over IMAP does not confuse us.
    imap.cmd("MOVE 3 Projects");
    let inbox = s.list("INBOX", SortColumn::Date, false, 0, 10).unwrap();
    let projects = s.list("Projects", SortColumn::Date, false, 0, 10).unwrap();
    assert_eq!(inbox.total, 2);
    assert_eq!(projects.total, 1);
    assert_eq!(projects.items[0].subject, "interop 3");
    assert_eq!(
        s.raw("Projects", projects.items[0].uid).unwrap().unwrap(),
        message(3)
    );

    // A folder and a message appended over IMAP appear here.
    imap.cmd("CREATE Reports");
    let msg = message(9);
    imap.cmd(&format!(
        "APPEND Reports (\\Seen) {{{}+}}\r\n{}",
        msg.len(),
        String::from_utf8(msg.clone()).unwrap()
    ));
    let reports = s.list("Reports", SortColumn::Date, false, 0, 10).unwrap();
    assert_eq!(reports.total, 1);
    assert!(reports.items[0].flags.seen);

    // Our move is seen by Dovecot.
    s.move_to("INBOX", &[m[0].uid], "Archive").unwrap();
    imap.cmd("NOOP");
    let st = imap.cmd("STATUS Archive (MESSAGES)");
    assert!(st.contains("MESSAGES 1"), "{st}");
    let st = imap.cmd("STATUS INBOX (MESSAGES)");
    assert!(st.contains("MESSAGES 1"), "{st}");
    imap.cmd("LOGOUT");

    assert_eq!(
        s.check().unwrap(),
        vec![],
        "index agrees with the Maildir Dovecot changed"
    );
    let log = Dovecot::log_of(&dovecot.dir);
    assert!(!log.contains("Error:"), "dovecot complained: {log}");
}
