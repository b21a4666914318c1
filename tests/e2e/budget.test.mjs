// The first load's weight (at most 600 KB compressed) and how soon the sign-in form is usable.
// The weight is asserted; the time is measured and written to target/e2e/budget/figures.json
// (timing is the benchmark's business, not a test's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, BASE, SHOTS } from './lib.mjs';

test('the first load is at most 600 KB compressed, with hashed assets cached for a year', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    const encodings = {};
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    cdp.on('Network.responseReceived', (e) => {
      encodings[new URL(e.response.url).pathname] = {
        encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'],
        cache: e.response.headers['cache-control'] ?? e.response.headers['Cache-Control'],
      };
    });
    const started = Date.now();
    await page.goto(BASE + '/', { waitUntil: 'commit' });
    await page.waitForSelector('#login-submit:not([disabled])');
    const interactive = Date.now() - started;
    await page.waitForLoadState('networkidle');

    const wasm = Object.entries(encodings).find(([path]) => path.endsWith('.wasm'));
    assert.ok(wasm, 'the WASM module was loaded');
    assert.match(wasm[0], /^\/assets\/[0-9a-f]{16}\//, 'under a hashed folder');
    assert.ok(['br', 'gzip', 'zstd'].includes(wasm[1].encoding), `compressed: ${JSON.stringify(wasm[1])}`);
    assert.match(wasm[1].cache, /immutable/, 'cached for good');
    assert.match(encodings['/'].cache, /no-cache/, 'the page revalidates');
    assert.ok(bytes <= 600 * 1024, `first load ${bytes} bytes`);

    mkdirSync(join(SHOTS), { recursive: true });
    const figures = { first_load_bytes: bytes, login_interactive_ms: interactive };
    writeFileSync(join(SHOTS, 'figures.json'), JSON.stringify(figures, null, 2));
    console.log(`first load: ${bytes} bytes transferred; sign-in form usable after ${interactive} ms`);
  } finally {
    await browser.close();
  }
});
