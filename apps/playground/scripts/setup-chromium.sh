#!/bin/sh
# Installs Debian's chromium for the end-to-end tests when it is missing (idempotent).
# Never `npx playwright install`: that downloads a browser, which this network forbids.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-chromium: $CHROMIUM is missing and this user cannot install packages; run 'apt-get install -y chromium' as root." >&2
    exit 1
  fi
fi
echo "setup-chromium: installing Debian's chromium (about 30 s, 480 MB)…" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index gives 404s for superseded versions: refresh it once and retry.
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update -qq
  $SUDO apt-get install -y --no-install-recommends chromium
}
test -x "$CHROMIUM"
"$CHROMIUM" --version >&2
