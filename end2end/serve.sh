#!/usr/bin/env bash
# Starts webmail for the end-to-end run: a fresh data dir, the demo users and
# a few extra accounts in special states, on the port Playwright chose.
set -euo pipefail
: "${WEBMAIL_BIN:?}" "${E2E_PORT:?}" "${E2E_SMTP_PORT:?}"
DATA="$(mktemp -d -t webmail-e2e.XXXXXX)"
trap 'rm -rf "$DATA"' EXIT
export WEBMAIL_DATA_DIR="$DATA"
# All tests come from 127.0.0.1; the per-account limit stays as configured.
export WEBMAIL_LOGIN_MAX_FAILURES_PER_CLIENT=10000
export WEBMAIL_LOG="warn"
# Outgoing mail goes to the test relay on loopback (aiosmtpd, started below
# for the whole run; only relay.spec.ts stops it, see tests/smtp.ts). The
# worker looks at the queue every 2 s; a failed attempt is still retried
# only after compose's backoff (1 min after the first failure).
export WEBMAIL_HOSTNAME="webmail.test"
export WEBMAIL_RELAY_HOST="127.0.0.1"
export WEBMAIL_RELAY_PORT="$E2E_SMTP_PORT"
export WEBMAIL_RELAY_SECURITY="none"
export WEBMAIL_RELAY_TIMEOUT_SECONDS=5
export WEBMAIL_QUEUE_POLL_SECONDS=2
# Small enough to test the limit with a modest file.
export WEBMAIL_MAX_MESSAGE_MB=2
"$WEBMAIL_BIN" demo >/dev/null
for u in dave erin frank; do
  printf '%s-e2e-password\n' "$u" | "$WEBMAIL_BIN" admin user add "$u@example.com" --password-stdin >/dev/null
done
"$WEBMAIL_BIN" admin user status dave@example.com locked >/dev/null
# Mail readers with a known mailbox: one per Playwright project, so the
# JavaScript-on and -off runs never see each other's changes; wendy is the
# reader of the hydrated list's reload test.
for u in grace heidi wendy; do
  printf '%s-e2e-password\n' "$u" | "$WEBMAIL_BIN" admin user add "$u@example.com" --password-stdin >/dev/null
  for f in "$(dirname "$0")"/fixtures/*.eml; do
    "$WEBMAIL_BIN" deliver "$u@example.com" < "$f"
  done
done
# Readers for the keyboard, attached-message, search-navigation and time
# zone tests.
for u in judy kim lena olga pete; do
  printf '%s-e2e-password\n' "$u" | "$WEBMAIL_BIN" admin user add "$u@example.com" --password-stdin >/dev/null
  for f in "$(dirname "$0")"/fixtures/extras/*.eml; do
    "$WEBMAIL_BIN" deliver "$u@example.com" < "$f"
  done
  for f in "$(dirname "$0")"/fixtures/extras-archive/*.eml; do
    "$WEBMAIL_BIN" deliver --folder Archive "$u@example.com" < "$f"
  done
done
# Writers and their correspondents for the compose tests, one pair per project.
for u in nina omar quinn rita uma; do
  printf '%s-e2e-password\n' "$u" | "$WEBMAIL_BIN" admin user add "$u@example.com" --password-stdin >/dev/null
done
"$WEBMAIL_BIN" admin user status frank@example.com suspended-sending >/dev/null
# A reader of a newsletter with remote images, for the test that the
# message frame's requests are seen.
printf 'victor-e2e-password\n' | "$WEBMAIL_BIN" admin user add victor@example.com --password-stdin >/dev/null
for f in "$(dirname "$0")"/fixtures/probe/*.eml; do
  "$WEBMAIL_BIN" deliver victor@example.com < "$f"
done
# A reader of hostile mail, for the sanitizer's end-to-end test.
printf 'ivan-e2e-password\n' | "$WEBMAIL_BIN" admin user add ivan@example.com --password-stdin >/dev/null
for f in "$(dirname "$0")"/../testdata/eml/hostile/*.eml; do
  "$WEBMAIL_BIN" deliver ivan@example.com < "$f"
done
# The relay, detached from Playwright's workers, its pid where tests/smtp.ts
# looks for it.
mkdir -p "$E2E_SMTP_DIR"
python3 -m aiosmtpd -n -l "127.0.0.1:$E2E_SMTP_PORT" -s $((64 * 1024 * 1024)) \
  -c aiosmtpd.handlers.Mailbox "$E2E_SMTP_DIR/maildir" >>"$E2E_SMTP_DIR/relay.log" 2>&1 &
echo $! >"$E2E_SMTP_DIR/relay.pid"
"$WEBMAIL_BIN" serve --listen "127.0.0.1:$E2E_PORT" &
pid=$!
# The test relay (whoever last started it) and its Maildir (made by
# playwright.config.ts) go with the run.
cleanup() {
  # Every step runs even if one fails (the server may already be gone).
  set +e
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ -n "${E2E_SMTP_DIR:-}" ]; then
    [ -f "$E2E_SMTP_DIR/relay.pid" ] && kill -TERM "$(cat "$E2E_SMTP_DIR/relay.pid")" 2>/dev/null
    rm -rf "$E2E_SMTP_DIR"
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM
wait $pid
