#!/usr/bin/env bash
# Builds the pocketsphinx front end: native/ps-*.c → .cache/bin/ps-frontend.
# Idempotent: does nothing (and prints nothing) when the binary is newer than every source file
# and this script. Needs gcc, pkg-config and the Debian packages libpocketsphinx-dev and
# libsphinxbase-dev (pocketsphinx-en-us for the model it loads at run time).
# Usage: bash scripts/build-native.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

srcs=(native/ps-frontend.c native/ps-session.c native/ps-confidence.c)
deps=("${srcs[@]}" native/ps-session.h native/ps-confidence.h "$0")
out=.cache/bin/ps-frontend
force=false; [ "${1:-}" = "--force" ] && force=true

up_to_date() {
  [ -x "$out" ] || return 1
  for f in "${deps[@]}"; do [ "$out" -nt "$f" ] || return 1; done
}
if ! $force && up_to_date; then exit 0; fi

fail() {
  echo "build-native: $*" >&2
  echo "build-native: install the build dependencies with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends gcc pkg-config libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us" >&2
  exit 1
}

command -v gcc >/dev/null 2>&1 || fail "gcc not found"
command -v pkg-config >/dev/null 2>&1 || fail "pkg-config not found"
pkg-config --exists pocketsphinx 2>/dev/null || fail "pkg-config does not know 'pocketsphinx' (libpocketsphinx-dev missing)"
cflags=$(pkg-config --cflags pocketsphinx)
libs=$(pkg-config --libs pocketsphinx)
# shellcheck disable=SC2086  # pkg-config prints a list of flags
printf '#include <pocketsphinx.h>\n#include <sphinxbase/cmn.h>\n' | gcc $cflags -fsyntax-only -x c - 2>/dev/null \
  || fail "pocketsphinx/sphinxbase headers not found (libpocketsphinx-dev, libsphinxbase-dev)"

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
# shellcheck disable=SC2086
gcc -O2 -std=gnu99 -Wall -Wextra -Wno-unused-parameter $cflags -o "$tmp" "${srcs[@]}" $libs -lm \
  || { rm -f "$tmp"; fail "compilation failed"; }
mv -f "$tmp" "$out"
echo "build-native: built $out"
