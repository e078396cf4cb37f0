#!/bin/sh
# Seeds the corpus of the `view` target with every .eml fixture in
# testdata/eml (named after its directory, so names do not collide).
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/view
find ../../../testdata/eml -name '*.eml' | while read -r f; do
    rel=${f#../../../testdata/eml/}
    cp "$f" "corpus/view/$(echo "$rel" | tr / -)"
done
