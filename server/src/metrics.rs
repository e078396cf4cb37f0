//! Request counts and latency histograms per route and server function, in
//! Prometheus' text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Who may read `/metrics`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsAccess {
    /// A token the request must carry (`Authorization: Bearer <token>`);
    /// `None`: no token asked.
    pub token: Option<String>,
    /// Served on the main listener too; `false` when it has a listener of
    /// its own (`metrics_listen`).
    pub on_main: bool,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            token: None,
            on_main: true,
        }
    }
}

impl MetricsAccess {
    /// Whether a request with these headers may read the metrics.
    pub fn allows(&self, headers: &axum::http::HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Compared in full whatever the first difference, so timing does
        // not tell how much of a guess was right.
        given.len() == token.len()
            && given
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The registry; cheap to share behind an `Arc`.
#[derive(Default)]
pub struct Metrics {
    /// Who may read it.
    pub access: MetricsAccess,
    series: Mutex<BTreeMap<(String, String), Series>>,
    /// Sending worker outcomes: delivered, retried, bounced, error.
    outbound: [AtomicU64; 4],
    /// Entries in the outbound queue after the last pass.
    outbound_waiting: AtomicU64,
}

/// The `result` labels of `webmail_outbound_messages_total`, in the order
/// of [`Metrics::outbound`].
const OUTBOUND_RESULTS: [&str; 4] = ["delivered", "retried", "bounced", "error"];

impl Metrics {
    /// An empty registry readable as `access` says.
    pub fn new(access: MetricsAccess) -> Metrics {
        Metrics {
            access,
            ..Metrics::default()
        }
    }

    /// Records one request to `route` (a route pattern or server function path).
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map
            .entry((route.to_owned(), method.to_owned()))
            .or_default();
        *s.by_status.entry(status).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                s.buckets[i] += 1;
            }
        }
        s.count += 1;
        s.sum += secs;
    }

    /// Counts one pass of the sending worker.
    pub fn record_outbound(&self, delivered: u64, retried: u64, bounced: u64, errors: u64) {
        for (counter, n) in self
            .outbound
            .iter()
            .zip([delivered, retried, bounced, errors])
        {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Sets how many messages wait in the outbound queue.
    pub fn set_outbound_waiting(&self, n: u64) {
        self.outbound_waiting.store(n, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP webmail_outbound_messages_total Sending attempts by result.\n");
        out.push_str("# TYPE webmail_outbound_messages_total counter\n");
        for (result, counter) in OUTBOUND_RESULTS.iter().zip(&self.outbound) {
            let _ = writeln!(
                out,
                "webmail_outbound_messages_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP webmail_outbound_queue_messages Messages waiting in the outbound queue.\n",
        );
        out.push_str("# TYPE webmail_outbound_queue_messages gauge\n");
        let _ = writeln!(
            out,
            "webmail_outbound_queue_messages {}",
            self.outbound_waiting.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP webmail_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE webmail_http_requests_total counter\n");
        for ((route, method), s) in map.iter() {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "webmail_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape(route),
                    escape(method)
                );
            }
        }
        out.push_str(
            "# HELP webmail_http_request_duration_seconds Time to answer, by route and method.\n",
        );
        out.push_str("# TYPE webmail_http_request_duration_seconds histogram\n");
        for ((route, method), s) in map.iter() {
            let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "webmail_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "webmail_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "webmail_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "webmail_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets() {
        let m = Metrics::default();
        m.record("GET", "/mail", 200, Duration::from_millis(3));
        m.record("GET", "/mail", 200, Duration::from_millis(30));
        m.record("POST", "/api/login", 302, Duration::from_millis(70));
        let text = m.render();
        assert!(
            text.contains(
                "webmail_http_requests_total{route=\"/mail\",method=\"GET\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("webmail_http_request_duration_seconds_bucket{route=\"/mail\",method=\"GET\",le=\"0.005\"} 1"));
        assert!(text.contains("webmail_http_request_duration_seconds_bucket{route=\"/mail\",method=\"GET\",le=\"0.05\"} 2"));
        assert!(text.contains(
            "webmail_http_request_duration_seconds_count{route=\"/api/login\",method=\"POST\"} 1"
        ));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }

    #[test]
    fn outbound_counters() {
        let m = Metrics::default();
        m.record_outbound(2, 1, 0, 0);
        m.record_outbound(1, 0, 1, 0);
        m.set_outbound_waiting(4);
        let text = m.render();
        for line in [
            "webmail_outbound_messages_total{result=\"delivered\"} 3",
            "webmail_outbound_messages_total{result=\"retried\"} 1",
            "webmail_outbound_messages_total{result=\"bounced\"} 1",
            "webmail_outbound_messages_total{result=\"error\"} 0",
            "webmail_outbound_queue_messages 4",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }

    #[test]
    fn a_token_is_asked_when_configured() {
        use axum::http::{HeaderMap, HeaderValue, header};
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            h
        };
        let open = MetricsAccess::default();
        assert!(open.allows(&HeaderMap::new()));
        let closed = MetricsAccess {
            token: Some("s3cret-token".into()),
            on_main: true,
        };
        let cases = [
            (HeaderMap::new(), false),
            (with("Bearer s3cret-token"), true),
            (with("Bearer s3cret-tokeN"), false),
            (with("Bearer s3cret"), false),
            (with("s3cret-token"), false),
            (with("Basic s3cret-token"), false),
        ];
        for (headers, allowed) in cases {
            assert_eq!(closed.allows(&headers), allowed, "{headers:?}");
        }
    }

    #[test]
    fn labels_are_escaped() {
        let m = Metrics::default();
        m.record("GET", "/a\"b", 404, Duration::from_millis(1));
        assert!(m.render().contains("route=\"/a\\\"b\""));
    }
}
