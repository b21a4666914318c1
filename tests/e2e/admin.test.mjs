// Administration on screen (issue 9), as the admin in Arabic: an organization is created (a form
// sent empty is refused on its fields first), then a user in it with a generated password shown
// once (the same email again is refused, said in Arabic); the user is found in the list, edited
// (a change made meanwhile through the API answers 412 and the form shows the fresh copy), and
// deactivated, after which they cannot sign in; an API client is created, its secret shown once
// and working, given a new secret (shown once too; the old one refused), then revoked. The coordinator reads the users of Rabat without the controls, and
// the screens fit 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;
const STAMP = Date.now() % 1_000_000;
const CODE = `ngo-amal-${STAMP}`;
const EMAIL = `salma.${STAMP}@amal.ma`;

async function signIn(email, password) {
  return fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function clientToken(client_id, client_secret) {
  return fetch(`${BASE}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id, client_secret }),
  });
}

/** No horizontal scrolling at the page's current width. */
async function fits(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${what} fits 360 px (overflow ${overflow})`);
}

test('an admin creates an organization, a user in it and an API client, and deactivates them', async () => {
  const admin = await apiToken('admin');
  const browser = await launch();
  try {
    const page = await newPage(browser);
    page.on('dialog', (dialog) => dialog.accept());
    await login(page, 'admin');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);

    // An organization: refused on its fields when empty, then created.
    await page.click('a[href="/admin/organizations"]');
    await page.waitForSelector('#orgs-list');
    await page.click('#org-new-open');
    await page.waitForSelector('#org-form');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'org-code', 'the first field has the focus');
    await page.click('#org-submit');
    await page.waitForSelector('#org-code-error');
    assert.match(await page.textContent('#org-code-error'), ARABIC);
    assert.match(await page.textContent('#org-territories-error'), ARABIC);
    assert.equal(await page.getAttribute('#org-code', 'aria-invalid'), 'true');
    await page.fill('#org-code', CODE);
    await page.waitForSelector('#org-code-error', { state: 'detached' }); // corrected, its error goes
    await page.fill('#org-name', 'Association Al Amal');
    await page.fill('#org-label-ar', 'جمعية الأمل');
    await page.fill('#org-label-fr', 'Association Al Amal');
    await page.fill('#org-label-en', 'Al Amal Association');
    await page.selectOption('#org-type', 'ngo');
    await page.selectOption('#org-territories', '421');
    await page.waitForSelector('#org-territories-chosen [data-code="421"]');
    await shot(page, '1-organization-form');
    await page.click('#org-submit');
    await page.waitForSelector('#org-created');
    assert.match(await page.textContent('#org-created'), /جمعية الأمل/);
    await page.waitForSelector(`#orgs-list [data-code="${CODE}"]`);
    const org = await api('GET', `/organizations/${CODE}`, admin);
    assert.equal(org.status, 200);
    assert.deepEqual(org.body.territories, ['421']);
    assert.equal(org.body.labels.ar, 'جمعية الأمل');
    await shot(page, '2-organization-created');

    // A user in it, with a generated password shown once.
    await page.click('a[href="/admin/users"]');
    await page.waitForSelector('#users-list');
    await page.click('#user-new-open');
    await page.waitForSelector('#user-form');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'user-email');
    const fill = async (email) => {
      await page.fill('#user-email', email);
      await page.fill('#user-name', 'Salma Bennani');
      await page.selectOption('#user-role', 'partner');
      await page.selectOption('#user-organization', CODE);
      await page.click('#user-generate');
    };
    await fill(EMAIL);
    assert.equal(await page.inputValue('#user-territory'), '421', 'the territory the organization serves');
    await page.selectOption('#user-language', 'fr');
    const password = await page.inputValue('#user-password');
    assert.match(password, /^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    await shot(page, '3-user-form');
    await page.click('#user-submit');
    await page.waitForSelector('#user-created');
    assert.equal((await page.textContent('#user-password-once')).trim(), password);
    await shot(page, '4-user-created');
    assert.equal((await signIn(EMAIL, password)).status, 200, 'she signs in with the password shown');

    // The same email again (in capitals): refused, in Arabic.
    await page.click('#user-another');
    await page.waitForSelector('#user-form');
    await fill(EMAIL.toUpperCase());
    await page.click('#user-submit');
    await page.waitForSelector('#user-outcome .error');
    assert.equal((await page.textContent('#user-outcome .error')).trim(), 'هذا البريد الإلكتروني مستعمل من قبل.');
    await shot(page, '5-email-taken');

    // Found in the list by organization, and by a search of names and emails (the API's q).
    await page.selectOption('#users-organization', CODE);
    await page.click('#users-filter');
    await page.waitForSelector(`#users-list [data-email="${EMAIL}"]`);
    assert.equal(await page.locator('#users-list .admin-item').count(), 1);
    await page.fill('#users-q', 'zzz');
    await page.click('#users-filter');
    await page.waitForSelector('#users-empty');
    await page.fill('#users-q', 'BENNANI');
    await page.click('#users-filter');
    await page.waitForSelector(`#users-list [data-email="${EMAIL}"]`);
    await page.setViewportSize({ width: 360, height: 740 });
    await fits(page, 'the users list');
    await shot(page, '6-users-360');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Edited: the name is saved with If-Match.
    await page.click(`#users-list [data-email="${EMAIL}"] a`);
    await page.waitForSelector('#user-page #user-form');
    const id = (await api('GET', `/users?organization=${CODE}`, admin)).body.items[0].id;
    await page.fill('#user-name', 'Salma Bennani Idrissi');
    await page.click('#user-save');
    await page.waitForSelector('#user-outcome.case-success');
    assert.equal((await page.textContent('#user-outcome')).trim(), 'تم حفظ التغييرات.');
    assert.equal((await api('GET', `/users/${id}`, admin)).body.display_name, 'Salma Bennani Idrissi');
    await page.waitForFunction(() => document.querySelector('#user-title')?.textContent === 'Salma Bennani Idrissi');

    // Changed meanwhile through the API: the page's copy is stale, 412, and the form reloads.
    const read = await fetch(`${BASE}/api/v1/users/${id}`, { headers: { authorization: `Bearer ${admin}` } });
    const changed = await fetch(`${BASE}/api/v1/users/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': read.headers.get('etag') },
      body: JSON.stringify({ language: 'en' }),
    });
    assert.equal(changed.status, 200);
    await page.fill('#user-name', 'Salma B.');
    await page.click('#user-save');
    await page.waitForFunction(() => /عدّل شخص آخر/.test(document.querySelector('#user-outcome')?.textContent ?? ''));
    assert.equal(await page.inputValue('#user-name'), 'Salma Bennani Idrissi', 'the form shows the fresh copy');
    assert.equal(await page.inputValue('#user-language'), 'en');
    await shot(page, '7-user-conflict');
    await page.setViewportSize({ width: 360, height: 740 });
    await fits(page, 'the user page');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Deactivated (after the browser's confirmation): she can no longer sign in.
    await page.click('#deactivate');
    await page.waitForSelector('#reactivate');
    assert.equal((await page.textContent('#access-outcome')).trim(), 'تم تعطيل الحساب.');
    assert.equal((await api('GET', `/users/${id}`, admin)).body.active, false);
    assert.equal((await signIn(EMAIL, password)).status, 401);
    await shot(page, '8-user-deactivated');
    const her = await newPage(browser);
    await her.waitForSelector('#login-form');
    await her.fill('#email', EMAIL);
    await her.fill('#password', password);
    await her.click('#login-submit');
    await her.waitForSelector('#login-error');
    assert.match(await her.textContent('#login-error'), ARABIC);
    await her.close();

    // An API client: its secret shown once, working, then revoked.
    await page.click('a[href="/admin/clients"]');
    await page.waitForSelector('#clients-results');
    await page.click('#client-new-open');
    await page.waitForSelector('#client-form');
    await page.fill('#client-name', 'نظام جمعية الأمل');
    await page.selectOption('#client-organization', CODE);
    await page.selectOption('#client-role', 'partner');
    await page.click('#client-submit');
    await page.waitForSelector('#client-secret');
    assert.match(await page.textContent('#client-secret-warning'), /مرة فقط|هذه المرة/);
    const clientId = await page.inputValue('#client-id-once');
    const secret = await page.inputValue('#client-secret-once');
    assert.ok(secret.length >= 20, 'a secret');
    await shot(page, '9-client-secret');
    assert.equal((await clientToken(clientId, secret)).status, 200, 'the secret works');
    const card = `#clients-list [data-client-id="${clientId}"]`;
    await page.waitForSelector(card);
    await page.click('#client-secret-done');
    await page.waitForSelector('#client-secret', { state: 'detached' });
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
    // A new secret, shown once the same way: the old one stops at once, the new one works.
    await page.click(`${card} .admin-rotate`);
    await page.waitForSelector('#client-secret');
    assert.match(await page.textContent('#client-secret-title'), /نظام جمعية الأمل/);
    assert.equal(await page.inputValue('#client-id-once'), clientId, 'the same client');
    const renewed = await page.inputValue('#client-secret-once');
    assert.ok(renewed.length >= 20 && renewed !== secret, 'a new secret');
    await shot(page, '9b-client-new-secret');
    assert.equal((await clientToken(clientId, secret)).status, 401, 'the old secret is refused');
    assert.equal((await clientToken(clientId, renewed)).status, 200, 'the new secret works');
    await page.click('#client-secret-done');
    await page.waitForSelector('#client-secret', { state: 'detached' });
    assert.ok(!(await page.content()).includes(renewed), 'the new secret is gone from the page');
    await page.click(`${card} .admin-toggle`);
    await page.waitForSelector(`${card} .admin-inactive`);
    assert.match(await page.textContent('#clients-outcome'), /نظام جمعية الأمل/);
    assert.equal((await clientToken(clientId, renewed)).status, 401, 'revoked');
    assert.equal(await page.locator(`${card} .admin-rotate`).count(), 0, 'no new secret for a revoked client');
    await page.setViewportSize({ width: 360, height: 740 });
    await fits(page, 'the clients page');
    await shot(page, '10-clients-360');
    // The same page in French, left to right.
    await page.click('#lang-fr');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    assert.equal(await page.textContent('#clients-title'), "Clients d'API");
    await fits(page, 'the clients page in French');
    await shot(page, '11-clients-fr-360');
    assertNoPageErrors(page);

    // The coordinator reads the users of Rabat, without creating or editing them.
    const coordinator = await newPage(browser);
    await login(coordinator, 'coordinator');
    assert.equal(await coordinator.locator('a[href="/admin/organizations"], a[href="/admin/clients"]').count(), 0);
    await coordinator.click('a[href="/admin/users"]');
    await coordinator.waitForSelector(`#users-list [data-email="${EMAIL}"]`);
    // Roles and territories are named once the vocabulary has arrived.
    await coordinator.waitForFunction(() => /[\u0600-\u06FF]/.test(document.querySelector('#users-list .admin-role')?.textContent ?? ''));
    assert.equal(await coordinator.locator('#user-new-open').count(), 0);
    assert.equal(await coordinator.locator('#users-list a').count(), 0);
    await shot(coordinator, '12-coordinator-users');
    assertNoPageErrors(coordinator);
  } finally {
    await browser.close();
  }
});
