#!/usr/bin/env bash
# Two builds of the server side by side: the message list (newest first) and
# opening a message, over HTTP on loopback, each server on its own copy of
# one demo mailbox, interleaved round by round so machine load hits both
# alike. For "did this change make it slower": medians and the ratio B/A.
#
#   scripts/bench/http-ab.sh BIN_A BIN_B [MESSAGES] [ROUNDS]   defaults: 20000 30
set -euo pipefail
A="$1"; B="$2"; MESSAGES="${3:-20000}"; ROUNDS="${4:-30}"
for bin in "$A" "$B"; do [ -x "$bin" ] || { echo "no server binary at $bin" >&2; exit 1; }; done
WORK="$(mktemp -d -t webmail-ab.XXXXXX)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export WEBMAIL_LOG=warn
echo "ab: filling a demo mailbox with $MESSAGES messages" >&2
WEBMAIL_DATA_DIR="$WORK/a" "$A" demo --messages "$MESSAGES" >/dev/null
cp -a "$WORK/a" "$WORK/b"
sync
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # name bin; sets PORT
  local port; port="$(free_port)"
  WEBMAIL_DATA_DIR="$WORK/$1" "$2" serve --listen "127.0.0.1:$port" >/dev/null &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs -c "$WORK/$1.jar" -o /dev/null \
    -d 'address=alice@example.com&password=alice-demo-1&interface=standard' \
    "http://127.0.0.1:$port/api/login" || true
  grep -q webmail_session "$WORK/$1.jar" || { echo "ab: cannot sign in on $1" >&2; exit 1; }
  PORT=$port
}
start a "$A"; PA=$PORT
start b "$B"; PB=$PORT
Q='query[folder]=INBOX&query[sort]=date&query[desc]=true&query[page]=1&query[q]=&query[scope]=headers&query[all_folders]=false'
one() { # side port what body
  curl -fs -b "$WORK/$1.jar" -o /dev/null -w "$1 $3 %{time_total}\n" \
    -H 'Accept: application/json' -d "$4" "http://127.0.0.1:$2/api/mail/$3"
}
open_body() { echo "$Q&uid=$1&nested=&images=false&full=false"; }
# Warm both: the index (each server may rebuild its copy for its own index
# schema, and checks it in the background once), the page cache, the first
# open of the user data.
for side in a b; do
  port=$PA; [ "$side" = b ] && port=$PB
  for _ in $(seq 600); do
    curl -fs -b "$WORK/$side.jar" -o /dev/null -H 'Accept: application/json' -d "$Q" \
      "http://127.0.0.1:$port/api/mail/list" && break
    sleep 0.2
  done
done
sleep 10
for side in a b; do
  port=$PA; [ "$side" = b ] && port=$PB
  for uid in $(seq 1 40); do one $side $port list "$Q" >/dev/null; one $side $port message "$(open_body $uid)" >/dev/null; done
done
for r in $(seq "$ROUNDS"); do
  uid=$(( (r * 37) % 500 + 1 ))
  for side in a b; do
    port=$PA; [ "$side" = b ] && port=$PB
    one $side $port list "$Q"
    one $side $port message "$(open_body $uid)"
  done
done >"$WORK/times"
python3 - "$WORK/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    side, what, s = line.split()
    t.setdefault((what, side), []).append(float(s) * 1000)
print(f"{'request':<10} {'A median ms':>12} {'B median ms':>12} {'B/A':>6}")
for what in ("list", "message"):
    a, b = statistics.median(t[(what, "a")]), statistics.median(t[(what, "b")])
    print(f"{what:<10} {a:>12.2f} {b:>12.2f} {b / a:>6.2f}")
PY
