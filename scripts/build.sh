#!/usr/bin/env bash
# Builds the release server and the browser bundle:
#   $CARGO_TARGET_DIR/release/webmail        the binary
#   $CARGO_TARGET_DIR/release/site/          static site it serves by default
#     build-id, favicon.svg, pkg/<build-id>/webmail.{js,css}, webmail_bg.wasm (+ .br, .gz)
# and prints the asset sizes, raw and brotli.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
T="$CARGO_TARGET_DIR"

echo "build: wasm (profile wasm-release)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name webmail \
  "$T/wasm32-unknown-unknown/wasm-release/frontend.wasm"
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$stage/webmail_bg.wasm" -o "$stage/webmail_bg.opt.wasm"
mv "$stage/webmail_bg.opt.wasm" "$stage/webmail_bg.wasm"
cp style/main.css "$stage/webmail.css"

id="$(cat "$stage/webmail.js" "$stage/webmail_bg.wasm" "$stage/webmail.css" | sha256sum | cut -c1-16)"
site="$T/release/site"
mkdir -p "$T/release"
rm -rf "$site.new"
mkdir -p "$site.new/pkg/$id"
cp "$stage/webmail.js" "$stage/webmail_bg.wasm" "$stage/webmail.css" "$site.new/pkg/$id/"
cp -r public/. "$site.new/"
for f in "$site.new/pkg/$id"/*; do
  brotli -q 11 -k -f "$f"
  gzip -9 -k -f "$f"
done
echo "$id" > "$site.new/build-id"
rm -rf "$site"
mv "$site.new" "$site"

echo "build: server (release)"
cargo build -p server --release

printf '\n%-18s %10s %10s %10s\n' "asset" "raw" "gzip" "brotli"
for f in webmail_bg.wasm webmail.js webmail.css; do
  p="$site/pkg/$id/$f"
  printf '%-18s %10s %10s %10s\n' "$f" "$(stat -c %s "$p")" "$(stat -c %s "$p.gz")" "$(stat -c %s "$p.br")"
done
echo "build: ok — binary $T/release/webmail, site $site (build $id)"
