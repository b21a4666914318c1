// The new-report form on a phone (360×740, Arabic): filed online, then captured offline, kept
// encrypted in IndexedDB, sent when the network returns, once only even when sent twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

const PHONE = { width: 360, height: 740 };

/** Every report the case worker sees whose narrative is `narrative`. */
async function reportsWithNarrative(token, narrative) {
  const found = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const query = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const res = await api('GET', `/reports${query}`, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    found.push(...res.body.items.filter((r) => r.narrative === narrative));
    cursor = res.body.next_cursor;
    if (!cursor) break;
  }
  return found;
}

/** Signs in on a phone and opens the form, with the vocabulary loaded. */
async function openForm(browser) {
  const page = await newPage(browser, '/', PHONE);
  await login(page, 'caseworker');
  await page.goto(BASE + '/reports/new');
  try {
    await page.waitForSelector('#nr-form');
    await page.waitForFunction(() => document.querySelectorAll('#nr-source option').length > 3);
    await page.waitForFunction(() => document.querySelectorAll('#nr-territory option').length > 50);
    await page.waitForSelector('#nr-queue-count');
  } catch (e) {
    await shot(page, 'form-not-ready');
    throw new Error(`the form did not load: ${e.message}\n${page.problems.join('\n')}`);
  }
  return page;
}

/** Fills the form in Arabic. */
async function fill(page, narrative) {
  await page.fill('#nr-given-ar', 'سلمى');
  await page.fill('#nr-family-ar', 'الإدريسي');
  await page.fill('#nr-given-latin', 'Salma');
  await page.selectOption('#nr-sex', 'female');
  await page.fill('#nr-birth-year', '2015');
  await page.selectOption('#nr-territory', '421');
  await page.fill('#nr-address', 'قرب محطة القطار، الرباط');
  await page.check('#nr-sit-street_situation');
  await page.check('#nr-concern-street_situation');
  await page.check('#nr-concern-begging_exploitation');
  await page.check('#nr-danger');
  await page.fill('#nr-narrative', narrative);
  await page.selectOption('#nr-reporter-type', 'professional');
  await page.fill('#nr-reporter-phone', '+212 600 112 233');
}

async function noSideScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `no horizontal scroll at 360 px (${scroll} > ${width})`);
}

test('a case worker files a report online in Arabic on a phone', async () => {
  const browser = await launch();
  try {
    const page = await openForm(browser);
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    assert.match(await page.textContent('#nr-title'), /بلاغ جديد/);
    assert.equal(await page.textContent('#nr-queue-count'), 'لا يوجد أي بلاغ في الانتظار على هذا الجهاز.');
    await noSideScroll(page);
    await shot(page, 'online-1-empty-form');

    // Sent empty: the errors are shown on their fields, in Arabic, nothing is filed.
    await page.click('#nr-submit');
    await page.waitForSelector('#nr-errors');
    assert.match(await page.textContent('#nr-errors'), /يرجى مراجعة/);
    assert.match(await page.textContent('#nr-given-ar-error'), /اسماً واحداً على الأقل/);
    assert.match(await page.textContent('#nr-concerns-error'), /إلزامية/);
    await page.fill('#nr-reporter-phone', 'اتصل بي');
    await page.click('#nr-submit');
    await page.waitForSelector('#nr-reporter-phone-error');
    await shot(page, 'online-2-errors');

    const narrative = `طفلة تتسول قرب محطة القطار ليلاً — e2e online ${Date.now()}`;
    await fill(page, narrative);
    await shot(page, 'online-3-filled');
    await page.click('#nr-submit');
    await page.waitForSelector('#nr-reference');
    const reference = (await page.textContent('#nr-reference')).trim();
    assert.match(reference, /^RPT-421-\d{4}-\d+$/);
    assert.match(await page.textContent('#nr-status'), /[\u0600-\u06FF]/, 'the status in Arabic');
    // The form is empty again for the next report, nothing waits on the device.
    assert.equal(await page.inputValue('#nr-narrative'), '');
    assert.equal(await page.getAttribute('#nr-queue-count', 'data-count'), '0');
    await noSideScroll(page);
    await shot(page, 'online-4-filed');

    const token = await apiToken('caseworker');
    const found = await reportsWithNarrative(token, narrative);
    assert.equal(found.length, 1, 'one report filed');
    const report = found[0];
    assert.equal(report.reference, reference);
    assert.equal(report.status, 'received');
    assert.equal(report.source, 'mobile_unit');
    assert.equal(report.immediate_danger, true);
    assert.deepEqual([...report.concerns].sort(), ['begging_exploitation', 'street_situation']);
    assert.equal(report.reporter.type, 'professional');
    assert.equal(report.reporter.phone, '+212 600 112 233');
    const child = report.children[0];
    assert.equal(child.given_name_ar, 'سلمى');
    assert.equal(child.given_name_latin, 'Salma');
    assert.equal(child.sex, 'female');
    assert.equal(child.estimated_birth_year, 2015);
    assert.equal(child.territory, '421');
    assert.deepEqual(child.situation, ['street_situation']);
    const received = Date.parse(report.received_at);
    assert.ok(Math.abs(Date.now() - received) < 15 * 60 * 1000, `received now: ${report.received_at}`);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});

test('offline: a report waits encrypted on the device and is sent once when the network returns', async () => {
  const browser = await launch();
  try {
    const page = await openForm(browser);
    const context = page.context();
    await context.setOffline(true);
    await page.waitForSelector('#nr-offline');
    assert.match(await page.textContent('#nr-submit'), /حفظ البلاغ على هذا الجهاز/);
    await shot(page, 'offline-1-banner');

    const narrative = `شوهد طفل ينام في الشارع قرب السوق — e2e offline ${Date.now()}`;
    await fill(page, narrative);
    await page.click('#nr-submit');
    await page.waitForSelector('#nr-queued');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '1');
    assert.match(await page.textContent('#nr-queue-count'), /عدد البلاغات في الانتظار: 1/);
    assert.equal(await page.locator('.nr-queue-item').count(), 1);
    assert.match(await page.textContent('.nr-queue-item'), /سُجّل في/);
    await shot(page, 'offline-2-queued');

    // What IndexedDB holds: no plaintext of the report; the user's key is a non-extractable
    // CryptoKey. A copy of the record is kept to replay it later.
    const stored = await page.evaluate(async (narrative) => {
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const all = (name) => new Promise((ok, ko) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const allKeys = (name) => new Promise((ok, ko) => {
        const r = db.transaction(name).objectStore(name).getAllKeys();
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const reports = await all('reports');
      const ids = await allKeys('reports');
      const keys = await all('keys');
      window.__nrCopy = { id: ids[0], record: reports[0] };
      const text = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v)
        ? new TextDecoder('utf-8', { fatal: false }).decode(v) : JSON.stringify(v);
      const dump = reports.map((r) => Object.values(r).map(text).join('|')).join('\n');
      db.close();
      return {
        count: reports.length,
        dump,
        hasNarrative: dump.includes(narrative) || dump.includes('سلمى') || dump.includes('Salma'),
        keyTypes: keys.map((k) => [k instanceof CryptoKey, k.extractable, k.algorithm.name]),
      };
    }, narrative);
    assert.equal(stored.count, 1, 'one record');
    assert.equal(stored.hasNarrative, false, `no plaintext stored: ${stored.dump.slice(0, 300)}`);
    assert.deepEqual(stored.keyTypes, [[true, false, 'AES-GCM']], 'one non-extractable AES-GCM key');

    // The network returns; the sync is asked several times at once.
    await context.setOffline(false);
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'));
      window.dispatchEvent(new Event('online'));
    });
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '0', null, { timeout: 15000 });
    await page.waitForSelector('.nr-synced-ref');
    const reference = (await page.textContent('.nr-synced-ref')).trim();
    assert.match(reference, /^RPT-421-\d{4}-\d+$/);
    assert.equal(await page.$('#nr-offline'), null, 'the offline banner is gone');
    await shot(page, 'offline-3-sent');

    // The same entry is sent again (as if a page closed mid-send left it behind): put the
    // copy back and reload online. Its key makes the server replay the first 201.
    await page.evaluate(async () => {
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      await new Promise((ok, ko) => {
        const tx = db.transaction('reports', 'readwrite');
        tx.objectStore('reports').put(window.__nrCopy.record, window.__nrCopy.id);
        tx.oncomplete = ok;
        tx.onerror = () => ko(tx.error);
      });
      db.close();
    });
    await page.reload();
    await page.waitForSelector('#nr-form');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '0', null, { timeout: 15000 });
    await page.waitForSelector('.nr-synced-ref');
    assert.equal((await page.textContent('.nr-synced-ref')).trim(), reference, 'the replay answers the same report');
    await shot(page, 'offline-4-replayed');

    const token = await apiToken('caseworker');
    const found = await reportsWithNarrative(token, narrative);
    assert.equal(found.length, 1, 'exactly one report with that narrative');
    assert.equal(found[0].reference, reference);
    assert.equal(found[0].children[0].given_name_ar, 'سلمى');
    const empty = await page.evaluate(async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
      });
      const n = await new Promise((ok) => {
        const r = db.transaction('reports').objectStore('reports').count();
        r.onsuccess = () => ok(r.result);
      });
      db.close();
      return n;
    });
    assert.equal(empty, 0, 'the queue is cleared');
    // Offline, the live-updates stream and the failed fetches log errors; none are the page's.
    assert.deepEqual(page.problems.filter((p) => p.startsWith('pageerror')), []);
  } finally {
    await browser.close();
  }
});

test('a queued report the server refuses stays visible as refused and can be corrected; others\' entries stay hidden; discard', async () => {
  const browser = await launch();
  try {
    const page = await openForm(browser);
    const context = page.context();
    await context.setOffline(true);
    await page.waitForSelector('#nr-offline');
    const narrative = `طفل يشتغل في ورشة ميكانيك — e2e refused ${Date.now()}`;
    await fill(page, narrative);
    await page.click('#nr-submit');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '1');

    // Meanwhile the same Idempotency-Key files another report: the queued one will be refused
    // (422 idempotency_key_reused), a 4xx that keeps it on the device as refused.
    const key = await page.evaluate(async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
      });
      const keys = await new Promise((ok) => {
        const r = db.transaction('reports').objectStore('reports').getAllKeys();
        r.onsuccess = () => ok(r.result);
      });
      db.close();
      return keys[0];
    });
    const token = await apiToken('caseworker');
    const other = await fetch(`${BASE}/api/v1/reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        'idempotency-key': key,
      },
      body: JSON.stringify({
        source: 'walk_in',
        received_at: new Date().toISOString(),
        reporter: { type: 'anonymous' },
        children: [{ given_name_latin: 'Other', sex: 'male', territory: '421' }],
        concerns: ['neglect'],
        immediate_danger: false,
        narrative: `another report with the same key ${Date.now()}`,
      }),
    });
    assert.equal(other.status, 201, await other.text());

    await context.setOffline(false);
    await page.waitForSelector('.nr-queue-failed', { timeout: 15000 });
    assert.equal(await page.getAttribute('#nr-queue-count', 'data-count'), '1', 'still on the device');
    const refused = await page.textContent('.nr-queue-failed');
    assert.match(refused, /مرفوض/);
    assert.match(refused, /استُعمل مفتاح الطلب هذا لطلب مختلف/, 'the problem, in Arabic');
    await shot(page, 'refused-1-listed');

    // Correct: back in the form (decrypted), off the device; sent with a new key.
    await page.click('.nr-queue-failed .nr-correct');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '0');
    assert.equal(await page.inputValue('#nr-narrative'), narrative);
    assert.equal(await page.inputValue('#nr-given-ar'), 'سلمى');
    await shot(page, 'refused-2-back-in-form');
    await page.click('#nr-submit');
    await page.waitForSelector('#nr-reference');
    const found = await reportsWithNarrative(token, narrative);
    assert.equal(found.length, 1, 'filed once after correction');
    assert.equal(found[0].reference, (await page.textContent('#nr-reference')).trim());
    await shot(page, 'refused-3-filed');

    // Another person's entry on this device is neither shown nor sent.
    const stranger = '00000000-0000-4000-8000-000000000000';
    await page.evaluate(async (stranger) => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
      });
      const meta = { key: 'someone-elses', user: stranger, captured_at: new Date().toISOString(), state: 'queued', attempts: 0 };
      await new Promise((ok, ko) => {
        const tx = db.transaction('reports', 'readwrite');
        tx.objectStore('reports').put({ meta: JSON.stringify(meta), user: stranger, iv: new Uint8Array(12), data: new ArrayBuffer(32) }, 'someone-elses');
        tx.oncomplete = ok;
        tx.onerror = () => ko(tx.error);
      });
      db.close();
    }, stranger);
    await page.reload();
    await page.waitForSelector('#nr-queue-count');
    await page.waitForTimeout(1000);
    assert.equal(await page.getAttribute('#nr-queue-count', 'data-count'), '0', 'not shown to this user');

    // A report kept by mistake is discarded (after confirming).
    await context.setOffline(true);
    await page.waitForSelector('#nr-offline');
    await fill(page, `to discard ${Date.now()}`);
    await page.click('#nr-submit');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '1');
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('.nr-queue-item .nr-discard');
    await page.waitForFunction(() => document.querySelector('#nr-queue-count')?.dataset.count === '0');
    await shot(page, 'refused-4-discarded');
    await context.setOffline(false);
    const left = await page.evaluate(async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open('madar-offline');
        r.onsuccess = () => ok(r.result);
      });
      const keys = await new Promise((ok) => {
        const r = db.transaction('reports').objectStore('reports').getAllKeys();
        r.onsuccess = () => ok(r.result);
      });
      db.close();
      return keys;
    });
    assert.deepEqual(left, ['someone-elses'], "only the other person's entry is left, unsent");
    assert.deepEqual(page.problems.filter((p) => p.startsWith('pageerror')), []);
  } finally {
    await browser.close();
  }
});
