#!/bin/sh
# Idempotent: makes sure a Chromium for the browser test exists (Debian's package; never a
# Playwright download). Prints its path. CI runs it through the test's own setup.
set -e
if [ -n "$APALU_CHROMIUM" ] && [ -x "$APALU_CHROMIUM" ]; then echo "$APALU_CHROMIUM"; exit 0; fi
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and cannot be installed here (needs root and apt-get): apt-get install -y chromium" >&2
    exit 1
  fi
fi
command -v chromium
