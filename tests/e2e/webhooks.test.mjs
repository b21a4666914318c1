// The hotline's webhooks, in Arabic: the form refuses an empty address and no event, registers
// an endpoint and shows its signing secret once, lists what was sent to it (a screening of a
// report it filed, tried against an address where nothing answers: an attempt with its error,
// retried later), gives it a new secret (shown once, the old one still signing), and deletes
// it. Each step is checked through the API too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;
// Nothing listens on port 9 (discard) here: every delivery attempt fails.
const URL = 'http://127.0.0.1:9/madar';

test('the hotline registers a webhook, reads its deliveries, rotates its secret and deletes it', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    page.on('dialog', (dialog) => dialog.accept());
    await page.waitForSelector('#login-form');
    await login(page, 'hotline');
    await page.click('a[href="/webhooks"]');
    await page.waitForSelector('#webhooks-title');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    await page.waitForSelector('#webhooks-empty');

    // Nothing typed: both fields say what is missing, nothing is sent.
    await page.click('#webhook-submit');
    await page.waitForSelector('#webhook-url-error');
    await page.waitForSelector('#webhook-events-error');
    assert.match(await page.textContent('#webhook-events-error'), ARABIC);
    const hotline = await apiToken('hotline');
    assert.equal((await api('GET', '/webhooks', hotline)).body.items.length, 0);

    await page.fill('#webhook-url', URL);
    await page.check('#webhook-event-report-status_changed');
    await page.check('#webhook-event-alert-created');
    await shot(page, '01-webhook-form');
    await page.click('#webhook-submit');
    await page.waitForSelector('#webhook-secret');
    const secret = await page.inputValue('#webhook-secret-once');
    assert.match(secret, /^whsec_/);
    await shot(page, '02-webhook-secret');
    await page.click('#webhook-secret-done');
    await page.waitForSelector('#webhooks-list .webhooks-item');
    assert.equal(await page.$('#webhook-secret'), null, 'the secret is gone from the page');
    const hooks = (await api('GET', '/webhooks', hotline)).body.items;
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].url, URL);
    assert.deepEqual([...hooks[0].events].sort(), ['alert.created', 'report.status_changed']);
    assert.equal(hooks[0].secret, undefined, 'never shown again');

    // A report the hotline filed is screened: its delivery is tried (and fails) at once.
    const report = await api('POST', '/reports', hotline, {
      source: 'hotline_2511', received_at: new Date(Date.now() - 600_000).toISOString(),
      reporter: { type: 'anonymous' },
      children: [{ given_name_ar: 'سلمى', sex: 'female', estimated_birth_year: 2015, territory: '421' }],
      concerns: ['neglect'], immediate_danger: false, narrative: 'طفلة وحيدة في البيت.',
    });
    assert.equal(report.status, 201, JSON.stringify(report.body));
    const worker = await apiToken('caseworker');
    const screened = await api('POST', `/reports/${report.body.id}/screening`, worker,
      { decision: 'close', closing_reason: 'referred_elsewhere' });
    assert.equal(screened.status, 200, JSON.stringify(screened.body));
    assert.equal((await api('POST', '/dev/clock', null, { seconds: 0 })).status, 200);

    await page.click('.webhooks-show');
    await page.waitForSelector('.webhooks-deliveries .webhooks-delivery');
    const row = await page.textContent('.webhooks-delivery');
    assert.ok(row.includes(report.body.id), `the report's id: ${row}`);
    assert.match(row, ARABIC);
    const deliveries = (await api('GET', `/webhooks/${hooks[0].id}/deliveries`, hotline)).body.items;
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0].status, 'pending');
    assert.equal(deliveries[0].attempts.length, 1);
    assert.ok(deliveries[0].attempts[0].error, 'the attempt failed with its reason');
    await shot(page, '03-webhook-deliveries');

    // A new secret: shown once, different; the old one keeps signing for 24 hours.
    await page.click('.webhooks-rotate');
    await page.waitForSelector('#webhook-secret');
    const rotated = await page.inputValue('#webhook-secret-once');
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, secret);
    await page.click('#webhook-secret-done');
    await page.waitForSelector('.webhooks-item .hint');
    assert.ok((await api('GET', `/webhooks/${hooks[0].id}`, hotline)).body.previous_secret_until);

    await page.click('.webhooks-delete');
    await page.waitForSelector('#webhooks-empty');
    assert.match(await page.textContent('#webhooks-outcome'), ARABIC);
    assert.equal((await api('GET', '/webhooks', hotline)).body.items.length, 0);
    await shot(page, '04-webhook-deleted');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
