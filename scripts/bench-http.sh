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
source "$(dirname "$0")/bench-server.sh"
bench_server "$MESSAGES" 10
JAR="$DATA/cookies"

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
