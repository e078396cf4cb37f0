#!/usr/bin/env bash
# Throughput and tail latency of the message-list server function under
# load, against /healthz measured in the same run (read the ratio: the
# absolute figures depend on the machine's load). Needs the release build
# (scripts/build.sh) and wrk (apt).
#
#   scripts/bench-load.sh [MESSAGES] [SESSIONS] [CONCURRENCIES] [ROUNDS]
#   defaults:              20         20         "10 100 1000"   3
#
# MESSAGES fill the demo Inbox; SESSIONS sign-ins of the demo user share the
# load (each request uses the next session's cookie). Each round runs, for
# each concurrency, 10 s of /healthz then 10 s of the list (page 1 of the
# Inbox by date); the table gives the medians over the rounds, the ratio
# list/healthz, and the server's peak RSS.
# env: DURATION (10s), THREADS (wrk threads, 2), BASIC=1 also loads the
# basic Inbox page.
set -euo pipefail
source "$(dirname "$0")/env.sh"
MESSAGES="${1:-20}"
SESSIONS="${2:-20}"
CONCURRENCIES="${3:-10 100 1000}"
ROUNDS="${4:-3}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
source "$(dirname "$0")/bench-server.sh"
bench_server "$MESSAGES"

echo "load: signing in $SESSIONS sessions"
: > "$DATA/cookies"
for i in $(seq "$SESSIONS"); do
  curl -fs -c "$DATA/jar" -o /dev/null \
    -d 'address=alice@example.com&password=alice-demo-1&interface=standard' "$BASE/api/login" || true
  c=$(awk '$6 == "webmail_session" {print $7}' "$DATA/jar")
  [ -n "$c" ] || { echo "load: sign-in $i failed" >&2; exit 1; }
  echo "webmail_session=$c" >> "$DATA/cookies"
  rm -f "$DATA/jar"
done

cat > "$DATA/load.lua" <<EOF
local cookies = {}
for line in io.lines("$DATA/cookies") do cookies[#cookies + 1] = line end
local n = 0
local path = os.getenv("LOAD_PATH")
local body = os.getenv("LOAD_BODY")
request = function()
  n = n + 1
  local headers = { ["Cookie"] = cookies[(n % #cookies) + 1], ["Accept"] = "application/json" }
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.requests))
end
EOF

LIST='query[folder]=INBOX&query[sort]=date&query[desc]=true&query[page]=1&query[q]=&query[scope]=headers&query[all_folders]=false'
run() { # name path body conns
  local line
  line=$(LOAD_PATH="$2" LOAD_BODY="$3" wrk -t "$THREADS" -c "$4" -d "$DURATION" --timeout 30s \
    -s "$DATA/load.lua" "$BASE" | grep '^RESULT')
  echo "$1 $4 ${line#RESULT }" | tee -a "$DATA/results" >&2
}
# Warm up: the first requests open the index.
LOAD_PATH=/api/mail/list LOAD_BODY="$LIST" wrk -t 1 -c 4 -d 2s -s "$DATA/load.lua" "$BASE" >/dev/null
echo "load: name conns req/s p50_ms p99_ms errors requests" >&2
for _ in $(seq "$ROUNDS"); do
  for c in $CONCURRENCIES; do
    run healthz /healthz "" "$c"
    run list /api/mail/list "$LIST" "$c"
    [ "${BASIC:-0}" = 1 ] && run basic-inbox /basic/mail "" "$c"
  done
done
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

python3 - "$DATA/results" "$RSS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, conns, rps, p50, p99, errors, requests = line.split()
    rows.setdefault((int(conns), name), []).append((float(rps), float(p50), float(p99), int(errors)))
print(f"{'conns':>6} {'request':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs healthz':>10}")
for (conns, name), rs in sorted(rows.items()):
    rps = statistics.median(r[0] for r in rs)
    base = statistics.median(r[0] for r in rows[(conns, "healthz")])
    print(f"{conns:>6} {name:<12} {rps:>9.0f} {statistics.median(r[1] for r in rs):>8.2f} "
          f"{statistics.median(r[2] for r in rs):>8.2f} {sum(r[3] for r in rs):>7} {rps / base:>10.2f}")
print(f"server peak RSS: {int(sys.argv[2]) // 1024} MB")
EOF
