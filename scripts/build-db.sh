#!/usr/bin/env bash
# Builds db/ferretdb-runner (FerretDB embedded, SQLite backend) into the user cache, outside git:
#   ${FERRETDB_BIN:-$HOME/.cache/voice-ivr/ferretdb-runner}
# Rebuilds only when the binary is missing or db/ferretdb-runner/{*.go,go.mod,go.sum} changed
# (sha1 stamp next to the binary), so it is fast when up to date. The first build takes minutes.
# Exit status: 0 built or up to date; 1 build failed; 2 Go is missing.
# `--quiet` prints only what it changes.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=false; [ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "build-db: $*"; }

src=db/ferretdb-runner
bin="${FERRETDB_BIN:-$HOME/.cache/voice-ivr/ferretdb-runner}"
stamp="$bin.sha1"
sum=$(cat "$src"/*.go "$src/go.mod" "$src/go.sum" | sha1sum | cut -d' ' -f1)

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  say "up to date: $bin"
  exit 0
fi

GO=$(command -v go || true)
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  echo "build-db: Go is not installed: install Go >=1.22 (https://go.dev/dl/) or set MONGODB_URI" >&2
  exit 2
fi

mkdir -p "$(dirname "$bin")"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
build() { (cd "$src" && CGO_ENABLED=0 "$@" "$GO" build -trimpath -o "$tmp" .); }

echo "build-db: building the FerretDB runner with $("$GO" version | cut -d' ' -f3) (first build takes a few minutes)"
start=$(date +%s)
if ! build env; then
  echo "build-db: default Go toolchain failed; retrying with GOTOOLCHAIN=go1.24.3" >&2
  build env GOTOOLCHAIN=go1.24.3 || { echo "build-db: build failed" >&2; exit 1; }
fi
mv -f "$tmp" "$bin"
echo "$sum" > "$stamp"
echo "build-db: built $bin in $(( $(date +%s) - start ))s"
