#!/usr/bin/env bash
# The message list (a page of 50 in every sort) and the searches (body rare,
# 1 %, 10 %, UTF-8, inside an attachment; sender; subject) over HTTP, against
# Dovecot's IMAP on the same Maildir, interleaved (http-vs-dovecot.py).
#
#   scripts/bench/http-vs-dovecot.sh MAILDIR [ROUNDS]
#
# MAILDIR: a Maildir from gen-maildir.py, with its MAILDIR.manifest.json.
# Makes a throw-away data directory with one user whose Maildir holds hard
# links to the same files, builds the index with `webmail reindex`, serves it
# on loopback from the release build (scripts/build.sh), and starts a private
# Dovecot (the benchmark kit's dovecot-up.sh, no full text) on the Maildir.
# env: BENCH_KIT (../shared/bench), SCRATCH (/tmp)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/scripts/env.sh"
MAILDIR=$(readlink -f "${1:?usage: http-vs-dovecot.sh MAILDIR [ROUNDS]}")
ROUNDS=${2:-5}
MANIFEST="$MAILDIR.manifest.json"
[ -f "$MANIFEST" ] || { echo "no manifest at $MANIFEST" >&2; exit 2; }
KIT=$(readlink -f "${BENCH_KIT:-$ROOT/../shared/bench}")
BIN="$CARGO_TARGET_DIR/release/webmail"
[ -x "$BIN" ] || { echo "no release build at $BIN: run scripts/build.sh" >&2; exit 1; }
# The kit's Dovecot serves IMAP, POP3 and LMTP.
for p in imap pop3 lmtp; do
  [ -x "/usr/lib/dovecot/$p" ] || { echo "Dovecot's $p is missing: apt-get install dovecot-imapd dovecot-pop3d dovecot-lmtpd" >&2; exit 1; }
done
WORK=$(mktemp -d "${SCRATCH:-/tmp}/http-vs-dovecot.XXXXXX")
chmod 755 "$WORK" # Dovecot's unprivileged auth process reads its passwd file in here
RUN="$WORK/dove"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; "$KIT/dovecot-down.sh" "$RUN" --purge >/dev/null 2>&1; wait 2>/dev/null; rm -rf "$WORK"' EXIT

export WEBMAIL_DATA_DIR="$WORK/data" WEBMAIL_LOG=warn
"$BIN" admin domain add bench.test >/dev/null
printf 'bench-password-1\n' | "$BIN" admin user add bench@bench.test --password-stdin >/dev/null
U="$WORK/data/users/bench.test/bench"
mkdir -p "$U/Maildir/new" "$U/Maildir/tmp" "$U/Maildir/cur"
cp -al "$MAILDIR/cur/." "$U/Maildir/cur/"
[ -d "$MAILDIR/new" ] && cp -al "$MAILDIR/new/." "$U/Maildir/new/"
echo "bench: indexing $(find "$U/Maildir/cur" "$U/Maildir/new" -type f | wc -l) messages" >&2
/usr/bin/time -f "bench: reindex %e s wall, %M KB peak" "$BIN" reindex bench@bench.test >/dev/null

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" serve --listen "127.0.0.1:$PORT" &
pid=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -fs -c "$WORK/jar" -o /dev/null \
  -d 'address=bench@bench.test&password=bench-password-1&interface=standard' "$BASE/api/login" || true
COOKIE=$(awk '$6 == "webmail_session" {print $6 "=" $7}' "$WORK/jar")
[ -n "$COOKIE" ] || { echo "bench: could not sign in" >&2; exit 1; }

"$KIT/dovecot-up.sh" "$MAILDIR" plain "$RUN" > "$WORK/up.txt"
IMAP_PORT=$(sed -n 's/^IMAP_PORT=//p' "$WORK/up.txt")
echo "bench: Dovecot builds its index (doveadm index)" >&2
CONF=$(sed -n 's/^CONF=//p' "$WORK/up.txt")
# The auth service may still be starting: try again for a few seconds.
for i in $(seq 20); do
  doveadm -c "$CONF" index -u bench INBOX 2>"$WORK/doveadm.err" && break
  [ "$i" = 20 ] && { cat "$WORK/doveadm.err" >&2; exit 1; }
  sleep 0.5
done

python3 "$ROOT/scripts/bench/http-vs-dovecot.py" "$BASE" "$COOKIE" "$MANIFEST" "$ROUNDS" "$KIT" "$IMAP_PORT" "$WORK"
