#!/usr/bin/env bash
# Starts webmail for the end-to-end run: a fresh data dir, the demo users and
# a few extra accounts in special states, on the port Playwright chose.
set -euo pipefail
: "${WEBMAIL_BIN:?}" "${E2E_PORT:?}"
DATA="$(mktemp -d -t webmail-e2e.XXXXXX)"
trap 'rm -rf "$DATA"' EXIT
export WEBMAIL_DATA_DIR="$DATA"
# All tests come from 127.0.0.1; the per-account limit stays as configured.
export WEBMAIL_LOGIN_MAX_FAILURES_PER_CLIENT=10000
export WEBMAIL_LOG="warn"
"$WEBMAIL_BIN" demo >/dev/null
for u in dave erin frank; do
  printf '%s-e2e-password\n' "$u" | "$WEBMAIL_BIN" admin user add "$u@example.com" --password-stdin >/dev/null
done
"$WEBMAIL_BIN" admin user status dave@example.com locked >/dev/null
"$WEBMAIL_BIN" admin user status frank@example.com suspended-sending >/dev/null
"$WEBMAIL_BIN" serve --listen "127.0.0.1:$E2E_PORT" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$DATA"' EXIT INT TERM
wait $pid
