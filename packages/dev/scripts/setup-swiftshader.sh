#!/bin/sh
# Puts SwiftShader's Vulkan driver (a CPU implementation) where Dawn can load it, so the
# WebGPU tests run on machines without a GPU. Idempotent: does nothing when the files exist.
# Source: Debian's chromium-common package (its usr/lib/chromium holds the three files below).
# Needs apt-get and dpkg-deb. Used through src/swiftshader.ts (useSwiftShader).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/.vk"
files="libvk_swiftshader.so vk_swiftshader_icd.json libvulkan.so.1"

missing=0
for f in $files; do [ -s "$dest/$f" ] || missing=1; done
if [ "$missing" = 0 ]; then
  echo "SwiftShader already in $dest"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || { echo "setup-swiftshader: apt-get not found; install SwiftShader by hand into $dest ($files)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download chromium-common >/dev/null 2>&1; then
  # A fresh container has no package lists yet.
  apt-get update >/dev/null 2>&1 || true
  apt-get download chromium-common >/dev/null
fi
dpkg-deb -x chromium-common_*.deb x
mkdir -p "$dest"
for f in $files; do
  cp "x/usr/lib/chromium/$f" "$dest/$f.tmp"
  mv "$dest/$f.tmp" "$dest/$f"
done
# The ICD manifest names the driver by a path relative to itself; keep it that way.
echo "SwiftShader installed in $dest"
