#!/usr/bin/env bash
# README command 1: install what is missing, build, seed the demo domain and serve.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
BIN="$CARGO_TARGET_DIR/release/webmail"
DATA="${WEBMAIL_DATA_DIR:-$ROOT/data}"
"$BIN" demo --data "$DATA"
exec "$BIN" serve --data "$DATA" "$@"
