//! A deterministic generator of realistic mail.
//!
//! Messages mix plain text, `multipart/alternative`, attachments, inline
//! images, RFC 2047 encoded words and RFC 2231 parameters in many charsets,
//! threads (with and without `References`), and a few broken messages. The
//! body vocabulary is large (pseudo-words with a skewed distribution), and
//! some words are planted at known rates so that search results can be
//! asserted exactly: [`CorpusStats`] reports how many messages got each.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::encode::{base64_lines, encoded_word, encoded_word_q, quoted_printable, rfc2231};

/// Words planted in bodies, with the share of (well-formed) messages that
/// get them: a rare word, a 1% word and a 10% word. Syllables of the normal
/// vocabulary never produce them.
pub const PLANTED_BODY_WORDS: [(&str, f64); 3] = [
    ("quokkazx", 0.0002),
    ("xylowombat", 0.01),
    ("zanzibarq", 0.10),
];
/// A sender display name planted in 0.5% of messages.
pub const PLANTED_SENDER: &str = "Zebedee Quixley";
/// A subject word planted in 0.3% of messages (and kept by their replies).
pub const PLANTED_SUBJECT: &str = "Zxquarterly";

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "ta", "shi", "ven", "dor", "bel", "an", "es", "ol", "ur", "pra",
    "sti", "gle", "mon", "tra", "fen", "hul", "wi", "ber", "cal", "dun", "rin", "sol", "pel",
    "vik", "nor", "gar", "lim", "bos", "pen", "tic", "ard", "ell", "om", "ust", "ing",
];
const FIRST: &[&str] = &[
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yolanda", "Amir",
    "Beatriz", "Chen", "Dmitri", "Eun-ji", "Fatima", "Giulia", "Hiroshi", "Ingrid", "Jamal",
];
const LAST: &[&str] = &[
    "Smith", "Jones", "Garcia", "Miller", "Davis", "Martin", "Dubois", "Rossi", "Kowalski",
    "Novak", "Tanaka", "Kim", "Okafor", "Silva", "Larsen", "Nguyen", "Schmidt", "Haddad",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.co.uk",
    "lists.example.org",
];

/// Text in a legacy charset: (charset, encoded bytes, the same text in UTF-8).
const CHARSET_WORDS: &[(&str, &[u8], &str)] = &[
    ("iso-8859-1", b"J\xf6rg M\xfcller", "Jörg Müller"),
    ("iso-8859-1", b"Caf\xe9 cr\xe8me", "Café crème"),
    (
        "windows-1252",
        b"\x93Quoted\x94 \x80 price",
        "“Quoted” € price",
    ),
    ("iso-8859-2", b"\xa3\xf3d\xbc", "Łódź"),
    ("iso-8859-7", b"\xc3\xe5\xe9\xe1", "Γεια"),
    ("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
    ("windows-1251", b"\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"),
    ("shift_jis", b"\x93\xfa\x96\x7b", "日本"),
    ("iso-2022-jp", b"\x1b$BF|K\\\x1b(B", "日本"),
    ("gb2312", b"\xd6\xd0\xce\xc4", "中文"),
    ("big5", b"\xa4\xa4\xa4\xe5", "中文"),
    ("euc-kr", b"\xc7\xd1\xb1\xb9", "한국"),
    ("utf-8", "Ünïcødé ✓".as_bytes(), "Ünïcødé ✓"),
];

const FOLDERS: &[(&str, u32)] = &[
    ("INBOX", 70),
    ("Sent", 10),
    ("Archive", 10),
    ("Lists/rust", 5),
    ("Trash", 5),
];

/// One generated message and where it belongs.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Folder name (`/`-separated, `INBOX` for the Inbox).
    pub folder: &'static str,
    /// Maildir flag letters (`S`, `FS`, …).
    pub info: String,
    /// The Date header, seconds since the epoch (also the file's mtime).
    pub date: i64,
    /// The raw message.
    pub bytes: Vec<u8>,
    /// Its Message-ID (empty for some broken messages).
    pub message_id: String,
    /// Planted body words it contains.
    pub planted: Vec<&'static str>,
    /// Whether the sender is [`PLANTED_SENDER`].
    pub planted_sender: bool,
    /// Whether the subject contains [`PLANTED_SUBJECT`].
    pub planted_subject: bool,
    /// Whether it is deliberately malformed.
    pub broken: bool,
    /// Whether it has a real attachment.
    pub attachment: bool,
}

/// Counts that searches and listings over a generated Maildir must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Messages written.
    pub messages: usize,
    /// (total, unread) per folder.
    pub folders: BTreeMap<String, (usize, usize)>,
    /// Messages containing each planted body word.
    pub body_words: BTreeMap<String, usize>,
    /// Messages from [`PLANTED_SENDER`].
    pub sender: usize,
    /// Messages whose subject has [`PLANTED_SUBJECT`].
    pub subject: usize,
    /// Malformed messages.
    pub broken: usize,
    /// Messages with attachments.
    pub attachments: usize,
    /// Total bytes written.
    pub bytes: u64,
}

/// Produces messages one after another from a seed.
pub struct Generator {
    rng: StdRng,
    vocab: Vec<String>,
    n: usize,
    history: Vec<(String, String, String)>,
}

impl Generator {
    /// A generator; the same seed gives the same messages.
    pub fn new(seed: u64) -> Generator {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut vocab: Vec<String> = Vec::with_capacity(20000);
        let mut seen = std::collections::HashSet::new();
        while vocab.len() < 20000 {
            let k = rng.gen_range(1..=4);
            let w: String = (0..k)
                .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
                .collect();
            if seen.insert(w.clone()) {
                vocab.push(w);
            }
        }
        Generator {
            rng,
            vocab,
            n: 0,
            history: Vec::new(),
        }
    }

    fn word(&mut self) -> &str {
        // Skewed: low indexes are much more common, as in real text.
        let x: f64 = self.rng.r#gen();
        let i = ((x * x * x) * self.vocab.len() as f64) as usize;
        &self.vocab[i.min(self.vocab.len() - 1)]
    }

    fn sentence(&mut self) -> String {
        let n = self.rng.gen_range(4..16);
        let mut s = String::new();
        for i in 0..n {
            let w = self.word().to_string();
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(&w);
            }
        }
        s.push('.');
        s
    }

    fn person(&mut self) -> (String, String) {
        let f = FIRST[self.rng.gen_range(0..FIRST.len())];
        let l = LAST[self.rng.gen_range(0..LAST.len())];
        let d = DOMAINS[self.rng.gen_range(0..DOMAINS.len())];
        (
            format!("{f} {l}"),
            format!("{}.{}@{d}", f.to_lowercase(), l.to_lowercase()),
        )
    }

    /// An address header value, sometimes with an encoded display name.
    fn address(&mut self, name: &str, addr: &str) -> String {
        match self.rng.gen_range(0..10) {
            0 => addr.to_string(),
            1 => {
                let (cs, bytes, _) = CHARSET_WORDS[self.rng.gen_range(0..CHARSET_WORDS.len())];
                format!("{} <{addr}>", encoded_word(cs, bytes))
            }
            2 => format!("\"{name}\" <{addr}>"),
            _ => format!("{name} <{addr}>"),
        }
    }

    fn date_header(t: i64) -> String {
        let days = t.div_euclid(86400);
        let secs = t.rem_euclid(86400);
        // Civil date from days since the epoch.
        let z = days + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        const MON: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        const DOW: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        format!(
            "{}, {} {} {} {:02}:{:02}:{:02} +0000",
            DOW[days.rem_euclid(7) as usize],
            d,
            MON[(m - 1) as usize],
            y,
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    /// The next message.
    pub fn next_message(&mut self) -> Generated {
        let i = self.n;
        self.n += 1;
        let date = 1_600_000_000 + i as i64 * 97 + self.rng.gen_range(0..60);
        let folder = {
            let total: u32 = FOLDERS.iter().map(|f| f.1).sum();
            let mut x = self.rng.gen_range(0..total);
            let mut pick = FOLDERS[0].0;
            for (f, w) in FOLDERS {
                if x < *w {
                    pick = f;
                    break;
                }
                x -= w;
            }
            pick
        };
        let mut info = String::new();
        let seen = self.rng.gen_bool(0.7);
        if self.rng.gen_bool(0.05) {
            info.push('F');
        }
        if self.rng.gen_bool(0.1) {
            info.push('R');
        }
        if seen {
            info.push('S');
        }
        if self.rng.gen_bool(0.03) {
            return self.broken(i, folder, info, date);
        }

        let (mut from_name, from_addr) = self.person();
        let planted_sender = self.rng.gen_bool(0.005);
        if planted_sender {
            from_name = PLANTED_SENDER.to_string();
        }
        let from = if planted_sender {
            format!("{from_name} <{from_addr}>")
        } else {
            self.address(&from_name.clone(), &from_addr)
        };
        let n_to = self.rng.gen_range(1..4);
        let to: Vec<String> = (0..n_to)
            .map(|_| {
                let (n, a) = self.person();
                self.address(&n, &a)
            })
            .collect();
        let message_id = format!("<{i}.{:08x}@gen.example.com>", self.rng.r#gen::<u32>());

        // Subject and threading.
        let mut refs = String::new();
        let mut subject;
        let mut reply_to_id = String::new();
        if !self.history.is_empty() && self.rng.gen_bool(0.3) {
            let back = self.rng.gen_range(1..=self.history.len().min(200));
            let (pid, psubj, prefs) = self.history[self.history.len() - back].clone();
            subject = if psubj.starts_with("Re: ") {
                psubj.clone()
            } else {
                format!("Re: {psubj}")
            };
            if self.rng.gen_bool(0.85) {
                refs = if prefs.is_empty() {
                    pid.clone()
                } else {
                    format!("{prefs} {pid}")
                };
                reply_to_id = pid;
            }
        } else {
            let n = self.rng.gen_range(2..7);
            subject = (0..n)
                .map(|_| self.word().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(c) = subject.get(..1) {
                subject = c.to_uppercase() + &subject[1..];
            }
        }
        if self.rng.gen_bool(0.003) {
            subject = format!("{PLANTED_SUBJECT} {subject}");
        }
        // Replies inherit it too.
        let planted_subject = subject.contains(PLANTED_SUBJECT);
        let keep_refs = refs
            .split(' ')
            .rev()
            .take(10)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ");
        self.history
            .push((message_id.clone(), subject.clone(), keep_refs.clone()));
        let subject_header = match self.rng.gen_range(0..12) {
            0 => {
                let (cs, bytes, _) = CHARSET_WORDS[self.rng.gen_range(0..CHARSET_WORDS.len())];
                format!("{subject} {}", encoded_word(cs, bytes))
            }
            1 => {
                let (cs, bytes, _) = CHARSET_WORDS[self.rng.gen_range(0..2)];
                format!("{} {subject}", encoded_word_q(cs, bytes))
            }
            _ => subject.clone(),
        };

        // Body text with planted words.
        let mut planted = Vec::new();
        let paragraphs = self.rng.gen_range(1..6);
        let mut text = String::new();
        for _ in 0..paragraphs {
            let n = self.rng.gen_range(1..6);
            for _ in 0..n {
                text.push_str(&self.sentence());
                text.push(' ');
            }
            text.push_str("\n\n");
        }
        for (w, rate) in PLANTED_BODY_WORDS {
            let hit = if rate < 0.001 {
                i % 4999 == 17
            } else {
                self.rng.gen_bool(rate)
            };
            if hit {
                planted.push(w);
                text.push_str(&format!("Note the {w} here.\n"));
            }
        }
        if !reply_to_id.is_empty() && self.rng.gen_bool(0.5) {
            text.push_str("\nOn an earlier day someone wrote:\n> ");
            text.push_str(&self.sentence());
            text.push('\n');
        }
        let unicode_body = self.rng.gen_bool(0.15);
        if unicode_body {
            let (_, _, utf) = CHARSET_WORDS[self.rng.gen_range(0..CHARSET_WORDS.len())];
            text.push_str(&format!("\n{utf} — naïve façade\n"));
        }

        let mut headers = format!(
            "Return-Path: <{from_addr}>\r\nReceived: from mx.example.com by mail.example.org; {}\r\n\
             From: {from}\r\nTo: {}\r\nSubject: {subject_header}\r\nDate: {}\r\nMessage-ID: {message_id}\r\n",
            Self::date_header(date),
            to.join(",\r\n "),
            Self::date_header(date),
        );
        if !reply_to_id.is_empty() {
            headers.push_str(&format!(
                "In-Reply-To: {reply_to_id}\r\nReferences: {keep_refs}\r\n"
            ));
        }
        if self.rng.gen_bool(0.02) {
            headers.push_str("X-Priority: 1 (Highest)\r\n");
        }
        if self.rng.gen_bool(0.01) {
            headers.push_str(&format!("Disposition-Notification-To: {from_addr}\r\n"));
        }
        headers.push_str("MIME-Version: 1.0\r\n");

        let kind = self.rng.gen_range(0..100);
        let mut attachment = false;
        let body = if kind < 50 {
            self.plain_part(&text, unicode_body)
        } else if kind < 78 {
            let b = format!("alt{i:x}");
            format!(
                "Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n{}\r\n--{b}\r\n{}\r\n--{b}--\r\n",
                self.plain_part(&text, unicode_body),
                self.html_part(&text),
            )
        } else if kind < 93 {
            attachment = true;
            let b = format!("mix{i:x}");
            let att = self.attachment();
            format!(
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n{}\r\n--{b}\r\n{att}\r\n--{b}--\r\n",
                self.plain_part(&text, unicode_body),
            )
        } else {
            let b = format!("rel{i:x}");
            let img = self.image(i);
            format!(
                "Content-Type: multipart/related; boundary=\"{b}\"; type=\"text/html\"\r\n\r\n--{b}\r\n{}\r\n--{b}\r\n{img}\r\n--{b}--\r\n",
                self.html_part(&format!("{text}\n[image]")),
            )
        };
        let bytes = format!("{headers}{body}").into_bytes();
        Generated {
            folder,
            info,
            date,
            bytes,
            message_id,
            planted,
            planted_sender,
            planted_subject,
            broken: false,
            attachment,
        }
    }

    fn plain_part(&mut self, text: &str, unicode: bool) -> String {
        if unicode || self.rng.gen_bool(0.2) {
            format!(
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
                quoted_printable(text.as_bytes())
            )
        } else {
            format!(
                "Content-Type: text/plain; charset=us-ascii; format=flowed\r\n\r\n{}",
                text.replace('\n', "\r\n")
            )
        }
    }

    fn html_part(&mut self, text: &str) -> String {
        let mut html = String::from("<html><head><style>p{margin:0}</style></head><body>");
        for p in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let p = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            html.push_str(&format!(
                "<p>{}</p>\n",
                p.replace("[image]", "<img src=\"cid:img@gen\">")
            ));
        }
        html.push_str("</body></html>\n");
        format!(
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
            quoted_printable(html.as_bytes())
        )
    }

    fn attachment(&mut self) -> String {
        let len = self.rng.gen_range(200..6000);
        let data: Vec<u8> = (0..len).map(|_| self.rng.r#gen()).collect();
        match self.rng.gen_range(0..4) {
            0 => {
                let (cs, bytes, _) = CHARSET_WORDS[self.rng.gen_range(0..4)];
                format!(
                    "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*={cs}''{}.pdf\r\n\
                     Content-Transfer-Encoding: base64\r\n\r\n{}",
                    rfc2231(bytes),
                    base64_lines(&data)
                )
            }
            1 => format!(
                "Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Disposition: attachment;\r\n \
                 filename*0*=utf-8''%E2%9C%93%20long%20;\r\n filename*1=\"name.bin\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{}",
                base64_lines(&data)
            ),
            2 => {
                let (cs, bytes, _) = CHARSET_WORDS[self.rng.gen_range(0..CHARSET_WORDS.len())];
                format!(
                    "Content-Type: application/zip; name=\"{}.zip\"\r\nContent-Disposition: attachment\r\n\
                     Content-Transfer-Encoding: base64\r\n\r\n{}",
                    encoded_word(cs, bytes),
                    base64_lines(&data)
                )
            }
            _ => {
                let lines: Vec<String> = (0..self.rng.gen_range(3..30))
                    .map(|_| self.sentence())
                    .collect();
                format!(
                    "Content-Type: text/plain; charset=us-ascii; name=\"notes.txt\"\r\n\
                     Content-Disposition: attachment; filename=\"notes.txt\"\r\n\r\n{}\r\n",
                    lines.join("\r\n")
                )
            }
        }
    }

    fn image(&mut self, i: usize) -> String {
        // A tiny valid GIF with some trailing bytes for variety.
        let mut data = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
        data.extend((0..(i % 64)).map(|_| self.rng.r#gen::<u8>()));
        format!(
            "Content-Type: image/gif; name=\"dot.gif\"\r\nContent-ID: <img@gen>\r\nContent-Disposition: inline\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}",
            base64_lines(&data)
        )
    }

    fn broken(&mut self, i: usize, folder: &'static str, info: String, date: i64) -> Generated {
        let bytes: Vec<u8> = match self.rng.gen_range(0..7) {
            0 => format!("From: nobody\nSubject: no body separator {i}").into_bytes(),
            1 => format!(
                "From: a@example.com\r\nSubject: bad base64 {i}\r\nContent-Type: text/plain\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64***\r\n"
            )
            .into_bytes(),
            2 => format!(
                "From: a@example.com\r\nSubject: unterminated multipart {i}\r\n\
                 Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\ncut off"
            )
            .into_bytes(),
            3 => {
                let mut v = format!("From: a@example.com\r\nSubject: nul bytes {i}\r\n\r\nbefore").into_bytes();
                v.extend_from_slice(b"\0\0\0after\xff\xfe\r\n");
                v
            }
            4 => format!("Subject: =?x-unknown?B?!!!?= =?utf-8?Q?bro=ZZken?= {i}\r\nFrom: =?utf-8?B?\r\n\r\nbody\n")
                .into_bytes(),
            5 => {
                let mut v = b"From: \xc3\x28 raw 8-bit <r@example.com>\r\nSubject: 8bit \xe9t\xe9 ".to_vec();
                v.extend(format!("{i}\r\nDate: not a date\r\n\r\nbody\r\n").into_bytes());
                v
            }
            _ => Vec::new(),
        };
        Generated {
            folder,
            info,
            date,
            bytes,
            message_id: String::new(),
            planted: Vec::new(),
            planted_sender: false,
            planted_subject: false,
            broken: true,
            attachment: false,
        }
    }
}

/// Writes generated Maildirs.
pub struct Corpus;

impl Corpus {
    /// The directory of a folder under a Maildir root, as Dovecot names it.
    pub fn folder_dir(maildir: &Path, folder: &str) -> std::path::PathBuf {
        if folder == "INBOX" {
            maildir.to_path_buf()
        } else {
            maildir.join(format!(".{}", folder.replace('/', ".")))
        }
    }

    /// Writes `n` messages generated from `seed` into `user_dir/Maildir`
    /// (`cur/` with flags, mtimes set to the Date) and returns their stats.
    pub fn write(user_dir: &Path, n: usize, seed: u64) -> CorpusStats {
        let maildir = user_dir.join("Maildir");
        let mut stats = CorpusStats::default();
        for (f, _) in FOLDERS {
            let dir = Self::folder_dir(&maildir, f);
            for sub in ["cur", "new", "tmp"] {
                fs::create_dir_all(dir.join(sub)).expect("create maildir");
            }
            if *f != "INBOX" {
                fs::write(dir.join("maildirfolder"), b"").expect("create maildirfolder");
            }
        }
        let mut g = Generator::new(seed);
        for (w, _) in PLANTED_BODY_WORDS {
            stats.body_words.insert(w.to_string(), 0);
        }
        for i in 0..n {
            let m = g.next_message();
            let dir = Self::folder_dir(&maildir, m.folder);
            let name = format!(
                "{}.M{}P7Q{}.testkit,S={}:2,{}",
                m.date,
                i,
                i,
                m.bytes.len(),
                m.info
            );
            let path = dir.join("cur").join(name);
            let f = fs::File::create(&path).expect("write message");
            use std::io::Write;
            (&f).write_all(&m.bytes).expect("write message");
            let _ = f.set_modified(UNIX_EPOCH + Duration::from_secs(m.date as u64));
            stats.messages += 1;
            stats.bytes += m.bytes.len() as u64;
            let e = stats.folders.entry(m.folder.to_string()).or_default();
            e.0 += 1;
            if !m.info.contains('S') {
                e.1 += 1;
            }
            for w in &m.planted {
                *stats.body_words.entry(w.to_string()).or_default() += 1;
            }
            stats.sender += usize::from(m.planted_sender);
            stats.subject += usize::from(m.planted_subject);
            stats.broken += usize::from(m.broken);
            stats.attachments += usize::from(m.attachment);
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        let a: Vec<Vec<u8>> = {
            let mut g = Generator::new(7);
            (0..50).map(|_| g.next_message().bytes).collect()
        };
        let b: Vec<Vec<u8>> = {
            let mut g = Generator::new(7);
            (0..50).map(|_| g.next_message().bytes).collect()
        };
        assert_eq!(a, b);
        let mut g = Generator::new(8);
        assert_ne!(a[0], g.next_message().bytes);
    }

    #[test]
    fn vocabulary_never_contains_planted_words() {
        let g = Generator::new(1);
        for (w, _) in PLANTED_BODY_WORDS {
            assert!(!g.vocab.iter().any(|v| v.contains(w)));
        }
        assert!(g.vocab.len() >= 20000);
    }

    #[test]
    fn writes_maildir_with_stats() {
        let t = crate::TempUser::new();
        let stats = Corpus::write(t.path(), 300, 42);
        assert_eq!(stats.messages, 300);
        assert_eq!(stats.folders.values().map(|v| v.0).sum::<usize>(), 300);
        assert!(stats.broken > 0 && stats.attachments > 0);
        let files = fs::read_dir(t.maildir().join("cur")).unwrap().count();
        assert_eq!(files, stats.folders["INBOX"].0);
    }

    #[test]
    fn dates_table() {
        assert_eq!(Generator::date_header(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            Generator::date_header(1_600_000_000),
            "Sun, 13 Sep 2020 12:26:40 +0000"
        );
    }
}
