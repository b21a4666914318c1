#!/usr/bin/env bash
# Builds the Yew web client into client/dist, which `madar` serves: index.html, and the assets
# (app.js, styles.css, madar_client.js, madar_client_bg.wasm, locale-fr.json, locale-en.json)
# under assets/<hash>/, a folder
# named by their content hash, so the server can let browsers cache them for a year. Installs what it needs on a fresh machine: the
# wasm32 target and the wasm-bindgen CLI of the same version as the `wasm-bindgen` crate.
# Safe to run again; set CARGO_TARGET_DIR to build elsewhere than target/client.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

WASM_BINDGEN_VERSION=0.2.130
TARGET=wasm32-unknown-unknown
PROFILE="${PROFILE:-release-wasm}"
DIST=client/dist
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/client}"

command -v brotli >/dev/null || { echo "brotli is missing: make setup installs it (Debian package brotli)"; exit 1; }

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi

installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$installed" != "$WASM_BINDGEN_VERSION" ]; then
    # No --locked: the CLI's lockfile pins a crate version the registry here lacks. Built in a
    # temporary directory, not in CARGO_TARGET_DIR.
    env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# The build script writes the French and English texts (locale-fr.json, locale-en.json) into
# its OUT_DIR: only Arabic is compiled into the module; the others are fetched when chosen.
OUT_DIR="$(cargo build -p madar-client --target "$TARGET" --profile "$PROFILE" \
    --message-format=json-render-diagnostics |
    grep '"reason":"build-script-executed"' | grep 'madar-client' |
    sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)"
[ -f "$OUT_DIR/locale-fr.json" ] || { echo "the client's locale files were not built (OUT_DIR '$OUT_DIR')"; exit 1; }

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
# The name section (function names for stack traces) is a third of the module: dropped.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$STAGE" --out-name madar_client \
    "$CARGO_TARGET_DIR/$TARGET/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")/madar-client.wasm"
TOOLS=client/tools/node_modules/.bin
# binaryen's wasm-opt (npm's binaryen@132, pinned in client/tools) shaves the module: about
# 8 KB less with Brotli at -O2 (-Oz, -Os, -O3 and --merge-similar-functions make it larger
# compressed; --converge gains under 500 bytes).
if [ "$PROFILE" != dev ]; then
    [ -x "$TOOLS/wasm-opt" ] && [ -x "$TOOLS/esbuild" ] ||
        (cd client/tools && npm ci --no-audit --no-fund --loglevel=error)
    "$TOOLS/wasm-opt" -O2 --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals \
        -o "$STAGE/madar_client_bg.opt.wasm" "$STAGE/madar_client_bg.wasm"
    mv "$STAGE/madar_client_bg.opt.wasm" "$STAGE/madar_client_bg.wasm"
fi
cp client/static/app.js "$OUT_DIR"/locale-fr.json "$OUT_DIR"/locale-en.json "$STAGE/"
# styles.css is the base; each screen's own sheet (client/static/css/*.css) follows it.
shopt -s nullglob
cat client/static/styles.css client/static/css/*.css >"$STAGE/styles.css"
# esbuild (npm, pinned in client/tools) minifies wasm-bindgen's glue and the style sheet: about
# 3 KB less of the first load with Brotli. Names the module exports and CSS behaviour are kept.
if [ "$PROFILE" != dev ]; then
    for f in madar_client.js styles.css; do
        "$TOOLS/esbuild" "$STAGE/$f" --minify --log-level=warning --outfile="$STAGE/min.$f"
        mv "$STAGE/min.$f" "$STAGE/$f"
    done
fi
HASH="$(cat "$STAGE"/* | sha256sum | cut -c1-16)"

rm -rf "$DIST"
mkdir -p "$DIST/assets/$HASH"
cp "$STAGE"/* "$DIST/assets/$HASH/"
# Precompressed forms, served by madar to browsers that accept them (far smaller than what
# on-the-fly compression makes): Brotli at its best quality, and gzip.
for f in "$DIST/assets/$HASH"/*; do
    brotli -q 11 -f -o "$f.br" "$f"
    gzip -9 -k -f "$f"
done
sed "s|/assets/|/assets/$HASH/|g" client/static/index.html >"$DIST/index.html"

ls -lR "$DIST"
wasm="$DIST/assets/$HASH/madar_client_bg.wasm"
echo "wasm: $(wc -c <"$wasm") bytes, $(wc -c <"$wasm.gz") gzipped, $(wc -c <"$wasm.br") with Brotli"
