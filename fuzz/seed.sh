#!/bin/sh
# Seeds the corpora: HTML fixtures and the bodies of hostile mail for
# `sanitize`, typical searches for `query`, typical address fields for
# `addresses`.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/sanitize corpus/query corpus/addresses
for f in ../testdata/html/*.html ../testdata/eml/hostile/*.eml; do
    cp "$f" "corpus/sanitize/$(basename "$f")"
done
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "corpus/query/$n"
done <<'QUERIES'
report
"annual report" from:alice
to:bob subject:"q3 plan" body:budget
after:2024-01-01 before:2024-02 is:unread has:attachment in:Sent
会議の件について Frösche
a%b_c\d "unterminated
is:junk is:forwarded text:"x" header:y
QUERIES
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "corpus/addresses/$n"
done <<'ADDRESSES'
Ann Example <ann@example.org>, bob@example.net
"Doe, Jane" <jane@example.com>; carol@example.com
Jörg <jörg@bücher.example>
<a@b>, "" <c@d.e>, x@[127.0.0.1]
undisclosed-recipients:;
ADDRESSES
