//! A real SMTP server for tests: aiosmtpd (`python3 -m aiosmtpd`) writing
//! what it accepts into a Maildir, plus the port and polling helpers that go
//! with it.
//!
//! aiosmtpd is an optional tool: where it is missing, [`available`] says so
//! and the test returns early with a notice, except under
//! `WEBMAIL_REQUIRE_SMTP=1` (CI), where a missing server is a failure rather
//! than a silent pass.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`start_relay`] waits for aiosmtpd to listen.
const START_LIMIT: Duration = Duration::from_secs(15);

/// A child process, killed and reaped when dropped, so a failing test
/// leaves no process behind.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `python3` can import aiosmtpd. When it cannot, prints a
/// `SKIPPED` notice and returns `false`, or panics if
/// `WEBMAIL_REQUIRE_SMTP=1`.
pub fn available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("WEBMAIL_REQUIRE_SMTP").as_deref() == Ok("1") {
            panic!(
                "WEBMAIL_REQUIRE_SMTP=1 but `python3 -m aiosmtpd` is not available \
                 (scripts/setup.sh installs it)"
            );
        }
        eprintln!("SKIPPED: `python3 -m aiosmtpd` is not available");
    }
    ok
}

/// A local TCP port that was free a moment ago (nothing listens on it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("local address")
        .port()
}

/// Whether something accepts connections on `127.0.0.1:port`.
pub fn accepting(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// Polls `check` until it gives a value, panicking with `what` once
/// `limit` has passed.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts aiosmtpd on `127.0.0.1:port`, storing accepted mail in `maildir`
/// (with `X-MailFrom` and `X-RcptTo` headers recording the envelope), and
/// returns once it accepts connections.
///
/// `handler` replaces the default `aiosmtpd.handlers.Mailbox`: the
/// directory holding the Python module (put on `PYTHONPATH`) and the
/// handler as `module.Class`; the class is constructed with `maildir`.
pub fn start_relay(port: u16, maildir: &Path, handler: Option<(&Path, &str)>) -> Process {
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-c")
        .arg(handler.map_or("aiosmtpd.handlers.Mailbox", |(_, class)| class))
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some((dir, _)) = handler {
        cmd.env("PYTHONPATH", dir);
    }
    spawn_listening(cmd, port)
}

/// Runs `cmd` and returns once it accepts connections on `port`.
fn spawn_listening(mut cmd: Command, port: u16) -> Process {
    let mut relay = Process(cmd.spawn().expect("spawn python3 (aiosmtpd)"));
    wait_for("aiosmtpd to listen", START_LIMIT, || {
        if let Ok(Some(status)) = relay.0.try_wait() {
            panic!("aiosmtpd exited before listening: {status}");
        }
        accepting(port).then_some(())
    });
    relay
}

/// The messages in `maildir` (`new/` and `cur/`), ordered by file name.
pub fn received(maildir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
        .flat_map(|dir| dir.flatten().map(|e| e.path()))
        .collect();
    files.sort();
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

/// How a [`start_secure_relay`] server wants TLS.
#[cfg(feature = "tls")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    /// Plain text until `STARTTLS`, which it requires before anything else.
    StartTls,
    /// TLS from the first byte.
    Implicit,
}

/// A certificate and key made for one test, valid for `localhost` and
/// `127.0.0.1`, written as PEM files into `dir`.
#[cfg(feature = "tls")]
pub struct TestCert {
    /// The certificate (self-signed: it is its own CA).
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
    /// The certificate as PEM text.
    pub pem: String,
}

#[cfg(feature = "tls")]
impl TestCert {
    /// Makes a fresh certificate in `dir`.
    pub fn new(dir: &Path) -> TestCert {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("generate a test certificate");
        let pem = made.cert.pem();
        let (cert, key) = (dir.join("relay-cert.pem"), dir.join("relay-key.pem"));
        std::fs::write(&cert, &pem).expect("write the certificate");
        std::fs::write(&key, made.key_pair.serialize_pem()).expect("write the key");
        TestCert { cert, key, pem }
    }
}

/// aiosmtpd with TLS and required `AUTH` (PLAIN or LOGIN, never before
/// TLS), accepting `user`/`password` only.
#[cfg(feature = "tls")]
const SECURE_RELAY: &str = r#"
import ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

mode, port, maildir, cert, key, user, password = sys.argv[1:8]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

def check(server, session, envelope, mechanism, data):
    ok = (isinstance(data, LoginPassword)
          and data.login == user.encode() and data.password == password.encode())
    # handled=False: aiosmtpd answers 535 itself.
    return AuthResult(success=ok, handled=False)

options = dict(authenticator=check, auth_required=True)
if mode == "starttls":
    options.update(tls_context=context, require_starttls=True, auth_require_tls=True)
else:
    # The whole connection is TLS (aiosmtpd's own check only knows STARTTLS).
    options.update(ssl_context=context, auth_require_tls=False)
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), **options)
controller.start()
while True:
    time.sleep(3600)
"#;

/// Starts aiosmtpd on `127.0.0.1:port` with TLS as `tls` says, using
/// `cert`, requiring `AUTH` as `user`/`password`, storing accepted mail in
/// `maildir`; returns once it accepts connections. `dir` holds the script.
#[cfg(feature = "tls")]
pub fn start_secure_relay(
    port: u16,
    maildir: &Path,
    dir: &Path,
    tls: Tls,
    cert: &TestCert,
    (user, password): (&str, &str),
) -> Process {
    let script = dir.join("secure_relay.py");
    std::fs::write(&script, SECURE_RELAY).expect("write the relay script");
    let mut cmd = Command::new("python3");
    cmd.arg(&script)
        .arg(if tls == Tls::StartTls {
            "starttls"
        } else {
            "tls"
        })
        .arg(port.to_string())
        .arg(maildir)
        .arg(&cert.cert)
        .arg(&cert.key)
        .args([user, password])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    spawn_listening(cmd, port)
}
