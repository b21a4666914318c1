#!/usr/bin/env bash
# Dev mode for the web client: rebuilds client/dist whenever a file under client/ (sources,
# locales, static files) or openapi/src changes, while `madar serve` (started separately, e.g.
# `make run` in another terminal) serves the folder; reload the page to see the change.
# Uses the faster dev profile for the WASM build (set PROFILE=release-wasm for the real size).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
while true; do
    touch "$stamp"
    PROFILE="${PROFILE:-dev}" scripts/build-client.sh | tail -1 || echo "build failed; waiting for a change"
    echo "watching client/ and openapi/src (Ctrl-C to stop)"
    until [ -n "$(find client/src client/locales client/static client/build.rs openapi/src -newer "$stamp" -print -quit)" ]; do
        sleep 1
    done
done
