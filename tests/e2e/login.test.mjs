// Signing in, the language switch (saved on the server), reload without losing the session,
// signing out; Arabic first, right to left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

test('a case worker signs in in Arabic, switches to French and back, reloads, signs out', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar'], 'Arabic, right to left, by default');
    await shot(page, 'login-ar');

    // A wrong password: a translated message, no raw English.
    await page.fill('#email', 'caseworker@demo.madar.ma');
    await page.fill('#password', 'not-the-password');
    await page.click('#login-submit');
    const error = await page.textContent('#login-error');
    assert.match(error, /[\u0600-\u06FF]/, `the error is in Arabic: ${error}`);

    await login(page, 'caseworker');
    await page.waitForSelector('#worklist-title');
    await shot(page, 'home-ar');

    await page.click('#lang-fr');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    assert.deepEqual(await rootDir(page), ['ltr', 'fr']);
    await page.waitForFunction(() => document.querySelector('#worklist-title')?.textContent.includes('travail'));
    await shot(page, 'home-fr');
    // Saved as the person's preference.
    const token = await apiToken('caseworker');
    await page.waitForTimeout(300);
    const me = await api('GET', '/me', token);
    assert.equal(me.body.language, 'fr');

    // A reload resumes the session from the HttpOnly cookie; no token in storage.
    await page.reload();
    await page.waitForSelector('#home');
    assert.deepEqual(await rootDir(page), ['ltr', 'fr']);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!/eyJ/.test(stored), `no token readable by page scripts: ${stored}`);

    await page.click('#lang-ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.waitForTimeout(300);
    assert.equal((await api('GET', '/me', token)).body.language, 'ar');

    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.reload();
    await page.waitForSelector('#login-form');
    await shot(page, 'signed-out');

    // A session that ends by itself says so on the sign-in page.
    await login(page, 'caseworker');
    const moved = await api('POST', '/dev/clock', null, { seconds: 13 * 3600 });
    assert.equal(moved.status, 200, 'the dev clock moves past the refresh token');
    // The next call finds the access token expired and the refresh refused. That call may be one
    // the home page still has in flight (then the sign-in page is already there), or the
    // inbox's, after the click.
    await page.click('a[href="/reports"]', { timeout: 3000 }).catch(() => {});
    await page.waitForSelector('#session-expired');
    assert.match(await page.textContent('#session-expired'), /[\u0600-\u06FF]/);
    await shot(page, 'session-expired');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
