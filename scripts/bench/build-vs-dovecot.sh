#!/usr/bin/env bash
# Full index build, ours against Dovecot's, interleaved on the same Maildir.
#
#   scripts/bench/build-vs-dovecot.sh MAILDIR [ROUNDS]
#
# MAILDIR: a Maildir from gen-maildir.py. Each round drops the page cache
# (root only; NO_DROP=1 keeps it), runs `doveadm index INBOX` on a fresh
# private Dovecot (the benchmark kit's dovecot-up.sh, no full text), drops
# again and builds our index (messages, body and header full text, threads)
# from a fresh user directory whose Maildir holds hard links to the same
# files. Prints each run, then the medians, their ratio, the load average,
# peak RSS and the index sizes against the mail size.
# env: BENCH_KIT (../shared/bench), SCRATCH (/tmp)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/scripts/env.sh"
MAILDIR=$(readlink -f "${1:?usage: build-vs-dovecot.sh MAILDIR [ROUNDS]}")
ROUNDS=${2:-3}
KIT=${BENCH_KIT:-$ROOT/../shared/bench}
SCRATCH=${SCRATCH:-/tmp}
WORK=$SCRATCH/build-vs-dovecot.$$
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p mailstore --example index_dir
OURS=$CARGO_TARGET_DIR/release/examples/index_dir

drop() { sync; [ "${NO_DROP:-0}" = 1 ] || [ "$(id -u)" != 0 ] || echo 3 > /proc/sys/vm/drop_caches; }
timed() { # timed OUT cmd... -> "wall_s peak_kb" in OUT
  local out=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$out" "$@" > "$out.log" 2>&1
}

for r in $(seq 1 "$ROUNDS"); do
  RUN="$WORK/dove"
  "$KIT/dovecot-down.sh" "$RUN" --purge >/dev/null 2>&1 || true
  "$KIT/dovecot-up.sh" "$MAILDIR" plain "$RUN" > "$WORK/up.txt"
  set -a; . "$WORK/up.txt"; set +a
  drop
  timed "$WORK/dove.$r.t" doveadm -c "$CONF" index -u "$USER" INBOX
  DOVE_INDEX=$(du -sb "$RUN/index" | cut -f1)
  "$KIT/dovecot-down.sh" "$RUN" --purge >/dev/null 2>&1 || true

  U="$WORK/user"
  rm -rf "$U"; mkdir -p "$U/Maildir/new" "$U/Maildir/tmp" "$U/Maildir/cur"
  cp -al "$MAILDIR/cur/." "$U/Maildir/cur/"
  [ -d "$MAILDIR/new" ] && cp -al "$MAILDIR/new/." "$U/Maildir/new/"
  drop
  timed "$WORK/ours.$r.t" "$OURS" "$U"
  OUR_INDEX=$(du -sb "$U/index.sqlite" | cut -f1)
  printf 'round %s: dovecot %s s wall (%s KB peak, %s s user, %s s sys)  ours %s s wall (%s KB peak, %s s user, %s s sys)\n' \
    "$r" $(tail -1 "$WORK/dove.$r.t") $(tail -1 "$WORK/ours.$r.t")
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
D=$(tail -qn1 "$WORK"/dove.*.t | awk '{print $1}' | median)
O=$(tail -qn1 "$WORK"/ours.*.t | awk '{print $1}' | median)
MAIL=$(du -sb "$MAILDIR" | cut -f1)
echo "messages: $(find "$MAILDIR/cur" "$MAILDIR/new" -type f | wc -l)  mail: $((MAIL / 1000000)) MB"
echo "median wall: dovecot $D s, ours $O s, ratio ours/dovecot $(echo "scale=2; $O / $D" | bc)"
echo "median peak RSS: ours $(tail -qn1 "$WORK"/ours.*.t | awk '{print $2}' | median) KB, dovecot $(tail -qn1 "$WORK"/dove.*.t | awk '{print $2}' | median) KB"
echo "index: ours $((OUR_INDEX / 1000)) KB (with full text), dovecot $((DOVE_INDEX / 1000)) KB (no full text)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
