#!/bin/sh
# Installs Debian's chromium for the end-to-end tests when it is missing (idempotent), plus the
# colour emoji font formatMatrix's ✅/❌ need in screenshots. Never `npx playwright install`:
# it downloads a browser, which this network forbids.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
missing=""
[ -x "$CHROMIUM" ] || missing="chromium"
[ -f "$EMOJI_FONT" ] || missing="$missing fonts-noto-color-emoji"
[ -n "$missing" ] || exit 0

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-chromium: missing$missing and this user cannot install packages; run 'apt-get install -y$missing' as root." >&2
    exit 1
  fi
fi
echo "setup-chromium: installing$missing from Debian (about 30 s, 480 MB for chromium)…" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index gives 404s for superseded versions: refresh it once and retry.
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
  $SUDO apt-get update -qq
  $SUDO apt-get install -y --no-install-recommends $missing
}
test -x "$CHROMIUM"
"$CHROMIUM" --version >&2 2>/dev/null || true
