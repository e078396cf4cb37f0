#!/usr/bin/env bash
# Debian's Chromium for Playwright, with sandboxed frames kept in process.
#
# Chromium runs a sandboxed iframe without allow-same-origin (the message
# body frame) in a process of its own (the IsolateSandboxedIframes feature),
# and Playwright then reports none of that frame's requests: a test that
# checks "nothing remote is loaded" would pass whatever the frame does.
# Playwright passes its own --disable-features list; a second flag would
# replace it, so the feature is added to that list instead.
extra=IsolateSandboxedIframes
args=()
merged=0
for a in "$@"; do
  if [[ $a == --disable-features=* ]]; then
    args+=("$a,$extra")
    merged=1
  else
    args+=("$a")
  fi
done
if [ $merged -eq 0 ]; then
  args+=("--disable-features=$extra")
fi
exec /usr/bin/chromium "${args[@]}"
