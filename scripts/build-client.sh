#!/usr/bin/env bash
# Builds the Yew web client into client/dist (index.html, app.js, styles.css, madar_client.js,
# madar_client_bg.wasm), which `madar` serves. Installs what it needs on a fresh machine: the
# wasm32 target and the wasm-bindgen CLI of the same version as the `wasm-bindgen` crate.
# Safe to run again; set CARGO_TARGET_DIR to build elsewhere than target/client.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

WASM_BINDGEN_VERSION=0.2.130
TARGET=wasm32-unknown-unknown
PROFILE=release-wasm
DIST=client/dist
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/client}"

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi

installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$installed" != "$WASM_BINDGEN_VERSION" ]; then
    # No --locked: the CLI's lockfile pins a crate version the registry here lacks. Built in a
    # temporary directory, not in CARGO_TARGET_DIR.
    env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

cargo build -p madar-client --target "$TARGET" --profile "$PROFILE"

rm -rf "$DIST"
mkdir -p "$DIST"
# The name section (function names for stack traces) is a third of the module: dropped.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$DIST" --out-name madar_client \
    "$CARGO_TARGET_DIR/$TARGET/$PROFILE/madar-client.wasm"
cp -R client/static/. "$DIST/"

ls -l "$DIST"
echo "wasm: $(wc -c <"$DIST/madar_client_bg.wasm") bytes, $(gzip -9c "$DIST/madar_client_bg.wasm" | wc -c) gzipped"
