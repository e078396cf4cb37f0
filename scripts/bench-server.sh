# Sourced by the HTTP benchmarks: a throw-away data directory with the demo
# mailbox, and the release server on a free loopback port, stopped and
# removed on exit.
#
#   bench_server MESSAGES [SETTLE_SECONDS]   sets DATA, PORT, BASE and pid
bench_server() {
  BIN="$CARGO_TARGET_DIR/release/webmail"
  [ -x "$BIN" ] || { echo "no release build at $BIN: run scripts/build.sh" >&2; exit 1; }
  DATA="$(mktemp -d -t webmail-bench.XXXXXX)"
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  export WEBMAIL_DATA_DIR="$DATA" WEBMAIL_LOG=warn
  pid=""
  trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT
  echo "bench: filling the demo mailbox with $1 messages" >&2
  "$BIN" demo --messages "$1" >/dev/null
  # Let the writes of the fill reach the disk first: measured during the
  # writeback, every request (even /healthz) is several times slower.
  sync
  sleep "${2:-0}"
  "$BIN" serve --listen "127.0.0.1:$PORT" &
  pid=$!
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
}
