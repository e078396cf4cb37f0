#!/usr/bin/env bash
# Latency of the message-list server function on a large demo mailbox, over
# HTTP on loopback, against /healthz measured in the same run (interleaved,
# so machine load hits both alike). Needs the release build (build.sh).
#
#   scripts/bench-http.sh [MESSAGES] [ROUNDS]     defaults: 100000 40
set -euo pipefail
source "$(dirname "$0")/env.sh"
MESSAGES="${1:-100000}"
ROUNDS="${2:-40}"
BIN="$CARGO_TARGET_DIR/release/webmail"
[ -x "$BIN" ] || { echo "no release build at $BIN: run scripts/build.sh" >&2; exit 1; }

DATA="$(mktemp -d -t webmail-bench.XXXXXX)"
JAR="$DATA/cookies"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export WEBMAIL_DATA_DIR="$DATA" WEBMAIL_LOG=warn
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

echo "bench: filling the demo mailbox with $MESSAGES messages"
"$BIN" demo --messages "$MESSAGES" >/dev/null
# Let the writes of the fill reach the disk first: measured during the
# writeback, every request (even /healthz) is several times slower.
sync
sleep 10
"$BIN" serve --listen "127.0.0.1:$PORT" &
pid=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# Sign in as the demo user (a plain form post, as the login page does).
curl -fs -c "$JAR" -o /dev/null -d 'address=alice@example.com&password=alice-demo-1&interface=standard' \
  "$BASE/api/login" || true
grep -q webmail_session "$JAR" || { echo "bench: could not sign in as alice" >&2; exit 1; }

list() { # sort dir
  printf 'query[folder]=INBOX&query[sort]=%s&query[desc]=%s&query[page]=1&query[q]=&query[scope]=headers&query[all_folders]=false' "$1" "$2"
}
time_one() { # name url [body]
  if [ $# -eq 3 ]; then
    curl -fs -b "$JAR" -o /dev/null -w "$1 %{time_total}\n" -H 'Accept: application/json' -d "$3" "$2"
  else
    curl -fs -b "$JAR" -o /dev/null -w "$1 %{time_total}\n" "$2"
  fi
}
# Warm the index and the page cache.
for _ in $(seq 20); do time_one warm "$BASE/api/mail/list" "$(list date true)" >/dev/null; done

for _ in $(seq "$ROUNDS"); do
  time_one healthz "$BASE/healthz"
  time_one list-date-desc "$BASE/api/mail/list" "$(list date true)"
  time_one list-date-asc "$BASE/api/mail/list" "$(list date false)"
  time_one list-subject-asc "$BASE/api/mail/list" "$(list subject false)"
done >"$DATA/times"

python3 - "$DATA/times" <<'EOF'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, t = line.split()
    times.setdefault(name, []).append(float(t) * 1000)
base = statistics.median(times["healthz"])
print(f"{'request':<18} {'median ms':>10} {'vs healthz':>10}")
for name, ts in times.items():
    m = statistics.median(ts)
    print(f"{name:<18} {m:>10.2f} {m / base:>9.1f}x")
EOF
