#!/usr/bin/env bash
# A MAILSTORE_BENCH_DIR for crates/mailstore/benches from gen-maildir.py
# Maildirs, so the benches run on the real-world shape:
#
#   scripts/bench/bench-root.sh ROOT MAILDIR_10K MAILDIR_100K
#   MAILSTORE_BENCH_DIR=ROOT cargo bench -p mailstore --bench index
#
# Each user directory holds hard links to the Maildir's files (no copy); the
# first bench run builds its index.
set -euo pipefail
ROOT=${1:?usage: bench-root.sh ROOT MAILDIR_10K MAILDIR_100K}
shift
mkdir -p "$ROOT"
for src in "$@"; do
  src=$(readlink -f "$src")
  n=$(find "$src/cur" "$src/new" -type f 2>/dev/null | wc -l)
  dir="$ROOT/$n"
  if [ -e "$dir/generated" ]; then echo "$dir: there"; continue; fi
  rm -rf "$dir"
  mkdir -p "$dir/Maildir/new" "$dir/Maildir/tmp" "$dir/Maildir/cur"
  cp -al "$src/cur/." "$dir/Maildir/cur/"
  [ -d "$src/new" ] && cp -al "$src/new/." "$dir/Maildir/new/"
  : > "$dir/generated"
  echo "$dir: $n messages"
done
