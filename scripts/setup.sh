#!/usr/bin/env bash
# One-time (and idempotent, fast when already done) set-up for a fresh machine:
#   1. Debian speech packages (espeak-ng, pocketsphinx + en-us model, headers for the front end)
#   2. npm packages (npm ci when package-lock.json changed)
#   3. the pocketsphinx front end (native/ps-frontend.c → .cache/bin/ps-frontend)
# Used by `npm start`, `npm test` and .ci/run. `--quiet` prints only what it changes.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=false; [ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "setup: $*"; }

APT_PKGS=(espeak-ng pocketsphinx pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev sox gcc pkg-config)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p .cache
lock_sum=$(sha1sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat .cache/npm-lock.sha1 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > .cache/npm-lock.sha1
fi

bash scripts/build-native.sh
say "ready"
