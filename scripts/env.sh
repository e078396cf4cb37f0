# Shared environment for the scripts: caches outside the clone, tools on PATH.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/webmail-target}"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The browser bundle's file names; the server is told the same at run time.
unset LEPTOS_OUTPUT_NAME
