#!/usr/bin/env bash
# One-time (and idempotent, fast when already done) set-up for a fresh machine:
#   1. Debian speech packages (espeak-ng, pocketsphinx + en-us model, headers for the front end)
#   2. npm packages (npm ci when package-lock.json changed)
#   3. the pocketsphinx front end (native/ps-frontend.c → .cache/bin/ps-frontend)
#   4. the FerretDB runner (db/ferretdb-runner → ~/.cache/voice-ivr/ferretdb-runner), built in the
#      background while 2–3 run; skipped when Go is absent and MONGODB_URI is set
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

# 4 starts first: its first build takes minutes; it is waited for at the end.
mongodb_uri="${MONGODB_URI:-$({ sed -n 's/^MONGODB_URI=//p' .env 2>/dev/null || true; } | tail -n1)}"
db_pid=""
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || [ -z "$mongodb_uri" ]; then
  bash scripts/build-db.sh --quiet & db_pid=$!
else
  say "Go not found and MONGODB_URI is set: not building the FerretDB runner"
fi

mkdir -p .cache
lock_sum=$(sha1sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat .cache/npm-lock.sha1 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: installing npm packages"
  # npm 11 omits other platforms' optional packages (e.g. @swc/core-darwin-*) that this registry
  # cannot resolve, then `npm ci` calls the lock out of sync; `npm install` honours the same lock.
  if ! npm ci --no-audit --no-fund --loglevel=silent; then
    echo "setup: npm ci refused the lock file; installing the locked versions with npm install"
    npm install --no-audit --no-fund --loglevel=error
  fi
  sha1sum package-lock.json | cut -d' ' -f1 > .cache/npm-lock.sha1
fi

bash scripts/build-native.sh
if [ -n "$db_pid" ]; then
  db_rc=0; wait "$db_pid" || db_rc=$?
  if [ "$db_rc" -eq 2 ]; then
    echo "setup: warning: no local database server; set MONGODB_URI or install Go >=1.22 and rerun npm run setup" >&2
  elif [ "$db_rc" -ne 0 ]; then
    echo "setup: building the FerretDB runner failed (see above)" >&2; exit "$db_rc"
  fi
fi
say "ready"
