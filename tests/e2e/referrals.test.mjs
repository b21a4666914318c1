// Referrals and the service directory. Set up through the API: a report screened into a case by
// the demo case worker (cape-rabat), the guardian's consent naming ngo-rabat, a referral to
// ngo-rabat's legal-aid service. In the browser: the partner (Arabic) finds it in the incoming
// inbox, reads the shared snapshot, accepts, starts and completes it with an outcome, while the
// case worker's outgoing list shows each new status live (SSE), without reload. Then the
// directory filtered by province shows ngo-rabat's service. Results checked through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors,
} from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;

/** Report → screening → case → consent → referral, as the Rust tests do it. */
async function setUp() {
  const worker = await apiToken('caseworker');
  const report = await api('POST', '/reports', worker, {
    source: 'hotline_2511',
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter: { type: 'neighbour', name: 'خديجة', phone: '+212 6 61 23 45 67' },
    children: [{
      given_name_ar: 'يوسف', family_name_ar: 'البقالي',
      given_name_latin: 'Youssef', family_name_latin: 'El Bakkali',
      sex: 'male', estimated_birth_year: new Date().getFullYear() - 11, territory: '421',
      situation: ['out_of_school'],
    }],
    concerns: ['neglect'],
    immediate_danger: false,
    narrative: 'الطفل ينام في الشارع منذ أسبوع.',
  });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  const screened = await api('POST', `/reports/${report.body.id}/screening`, worker, {
    decision: 'accept',
    children: [{ index: 0, create: true, confirm_new: true }],
  });
  assert.equal(screened.status, 200, JSON.stringify(screened.body));
  const { case_id: caseId, child_id: childId } = screened.body.children[0];
  const consent = await api('POST', `/children/${childId}/consents`, worker, {
    given_by: 'الأم', relationship: 'parent', given_at: '2026-01-05T10:00:00Z',
    recipients: ['ngo-rabat'], field_groups: ['identity', 'contact', 'situation'],
    purpose: 'الإحالة على جمعية شريكة.',
  });
  assert.equal(consent.status, 201, JSON.stringify(consent.body));
  const services = await api('GET', '/services?provider=ngo-rabat&type=legal_aid', worker);
  assert.equal(services.status, 200);
  const service = services.body.items[0];
  assert.ok(service, 'ngo-rabat has a legal-aid service');
  const refer = async () => {
    const referral = await api('POST', `/cases/${caseId}/referrals`, worker, {
      service_id: service.id,
      reason: 'مواكبة قانونية للطفل وأسرته.',
      urgency: 'high',
      due_by: new Date(Date.now() + 20 * 86400_000).toISOString(),
      consent_id: consent.body.id,
      field_groups: ['identity', 'contact', 'situation'],
    });
    assert.equal(referral.status, 201, JSON.stringify(referral.body));
    return referral.body.id;
  };
  return { worker, caseId, referralId: await refer(), service, refer };
}

/** Waits until the row of the referral on `page` shows `status` (its data-status). */
async function rowStatus(page, id, status) {
  await page.waitForSelector(`#referral-${id} [data-status="${status}"]`, { timeout: 15000 });
}

/** Waits until the row's status is labelled from the vocabulary (Arabic, not the code). */
async function labelled(page, id) {
  await page.waitForFunction(
    (id) => /[\u0600-\u06FF]/.test(document.querySelector(`#referral-${id} .referrals-status`)?.textContent ?? ''),
    id,
  );
}

/** A status change through the API, with If-Match. */
async function move(token, id, verb, body) {
  const read = await fetch(`${BASE}/api/v1/referrals/${id}`, { headers: { authorization: `Bearer ${token}` } });
  const res = await fetch(`${BASE}/api/v1/referrals/${id}/${verb}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json',
      'if-match': read.headers.get('etag'), 'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body ?? {}),
  });
  assert.equal(res.status, 200, await res.text());
}

test('a partner answers a referral in Arabic while the case worker watches it live', async () => {
  const { worker, referralId, service, refer } = await setUp();
  const browser = await launch();
  try {
    // The case worker's outgoing list, kept open: it must follow the partner's answers live.
    const watcher = await newPage(browser);
    await login(watcher, 'caseworker');
    await watcher.goto(`${BASE}/referrals`);
    await watcher.waitForSelector('#referrals');
    await watcher.click('#tab-outgoing');
    await rowStatus(watcher, referralId, 'sent');
    await labelled(watcher, referralId);
    const marker = await watcher.evaluate(() => (window.__notReloaded = true));
    assert.ok(marker);
    await shot(watcher, '01-worker-outgoing-sent');

    // The partner's incoming inbox, in Arabic, right to left.
    const page = await newPage(browser);
    await login(page, 'partner');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    await page.goto(`${BASE}/referrals`);
    await page.waitForSelector('#referrals-list');
    await rowStatus(page, referralId, 'sent');
    await labelled(page, referralId);
    const row = await page.textContent(`#referral-${referralId}`);
    assert.match(row, ARABIC, `the row is in Arabic: ${row}`);
    assert.match(row, /مواكبة قانونية/, 'the reason is shown');
    assert.match(row, /الهوية/, 'the groups shared are named');
    assert.equal(await page.getAttribute('[aria-selected="true"]', 'id'), 'tab-incoming');
    await shot(page, '02-partner-incoming');

    // The status filter: "completed" hides it, "sent" shows it.
    await page.selectOption('#referrals-status', 'completed');
    await page.waitForFunction(
      (id) => !document.querySelector(`#referral-${id}`) && !document.querySelector('.loading'),
      referralId,
    );
    await page.selectOption('#referrals-status', 'sent');
    await rowStatus(page, referralId, 'sent');

    // The referral: details and the snapshot of the groups the consent covers, nothing else.
    await page.click(`#referral-${referralId} a.referrals-open`);
    await page.waitForSelector('#referral-snapshot');
    const snapshot = await page.textContent('#referral-snapshot');
    assert.match(snapshot, /يوسف البقالي/, `the child's name: ${snapshot}`);
    assert.ok(await page.$('#snapshot-identity'));
    assert.ok(await page.$('#snapshot-contact'));
    assert.ok(await page.$('#snapshot-situation'));
    assert.equal(await page.$('#snapshot-narrative'), null, 'no narrative: not consented');
    assert.equal(await page.$('#snapshot-health'), null, 'no health: not consented');
    assert.equal(await page.$('#referral-cancel'), null, 'the receiver cannot withdraw');
    await shot(page, '03-partner-referral');

    // Accept.
    await page.click('#referral-accept');
    await page.waitForSelector('#referral-result');
    assert.match(await page.textContent('#referral-result'), /مقبولة|قبول|قُبلت|accepted/i);
    await page.waitForSelector('#referral-status [data-status="accepted"]');
    await shot(page, '04-partner-accepted');
    await rowStatus(watcher, referralId, 'accepted');
    await shot(watcher, '05-worker-sees-accepted');

    // Start.
    await page.click('#referral-start');
    await page.waitForSelector('#referral-status [data-status="in_progress"]');
    await shot(page, '06-partner-in-progress');
    await rowStatus(watcher, referralId, 'in_progress');

    // Complete, with an outcome and feedback.
    await page.selectOption('#complete-outcome', 'partially_achieved');
    await page.fill('#complete-feedback', 'حضر الطفل ثلاث جلسات من أصل خمس.');
    await page.click('#referral-complete');
    await page.waitForSelector('#referral-status [data-status="completed"]');
    assert.match(await page.textContent('#referral-details'), /تحققت جزئيًا/);
    assert.match(await page.textContent('#referral-details'), /ثلاث جلسات/);
    assert.equal(await page.$('.referrals-move'), null, 'no action left once completed');
    await shot(page, '07-partner-completed');
    await rowStatus(watcher, referralId, 'completed');
    assert.equal(await watcher.evaluate(() => window.__notReloaded), true, 'updated without reload');
    await shot(watcher, '08-worker-sees-completed');

    // Through the API.
    const stored = await api('GET', `/referrals/${referralId}`, worker);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.status, 'completed');
    assert.equal(stored.body.outcome, 'partially_achieved');
    assert.equal(stored.body.feedback, 'حضر الطفل ثلاث جلسات من أصل خمس.');
    assert.ok(stored.body.answered_at && stored.body.started_at && stored.body.closed_at);

    // On a phone, the referral still reads (one column, no sideways page scroll).
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(200);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 362, `no horizontal scroll at 360 px: ${wide}`);
    await shot(page, '09-partner-referral-360');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The directory, filtered by the province of Rabat (421).
    await page.goto(`${BASE}/services`);
    await page.waitForSelector('#services-list');
    await page.selectOption('#services-territory', '421');
    await page.click('#services-search');
    await page.waitForSelector('#services-results[data-query*="territory=421"]');
    await page.waitForSelector(`#service-${service.id}`);
    const card = await page.textContent(`#service-${service.id}`);
    assert.match(card, /المساعدة القانونية للأطفال الرباط سلا/, card);
    assert.match(card, /12, rue Oued Ziz/, 'the address');
    assert.match(card, /\+212 5 37 77 11 22/, 'the phone');
    const shown = await page.$$eval('#services-list > li', (items) => items.map((li) => li.id));
    const expected = await api('GET', '/services?territory=421&limit=20', worker);
    assert.deepEqual(
      shown.sort(),
      expected.body.items.map((s) => `service-${s.id}`).sort(),
      'the services shown are those the API finds for the province',
    );
    await shot(page, '10-services-province');

    // Eligibility among those shown: a boy of 14 does not see the girls' shelter.
    assert.ok(await page.$('#services-list .badge.danger'), "the girls' shelter serves Rabat");
    await page.fill('#services-age', '14');
    await page.selectOption('#services-sex', 'male');
    await page.click('#services-search');
    await page.waitForFunction(() => !document.querySelector('[data-provider] .badge.danger'));
    await shot(page, '11-services-eligibility');

    // The directory in French, left to right, then back to Arabic.
    await page.click('#lang-fr');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.waitForFunction(() => document.querySelector('#services-title')?.textContent.includes('Répertoire'));
    assert.match(await page.textContent('#services-form'), /Âge de l'enfant/);
    await shot(page, '11b-services-fr');
    await page.click('#lang-ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');

    // The worker's inbox on a phone: the table scrolls inside its card, not the page.
    await watcher.setViewportSize({ width: 360, height: 800 });
    await watcher.waitForTimeout(200);
    assert.ok(await watcher.evaluate(() => document.documentElement.scrollWidth) <= 362);
    await shot(watcher, '11c-worker-outgoing-360');

    assertNoPageErrors(page);
    assertNoPageErrors(watcher);

    // A stale answer: the partner's page gets no live events (blocked), the case worker
    // withdraws the referral meanwhile; the partner's accept answers 412, explained, reloaded.
    const second = await refer();
    const stale = await newPage(browser);
    await stale.route('**/api/v1/events**', (route) => route.abort());
    await login(stale, 'partner');
    await stale.goto(`${BASE}/referrals/${second}`);
    await stale.waitForSelector('#referral-accept');
    await stale.click('#referral-decline');
    const invalid = await stale.textContent('#referral-invalid');
    assert.match(invalid, ARABIC, 'declining without a reason is refused on the page, in Arabic');
    await move(worker, second, 'cancel', { reason: 'انتقلت الأسرة إلى مدينة أخرى.' });
    await stale.click('#referral-accept');
    await stale.waitForSelector('#referral-conflict');
    assert.match(await stale.textContent('#referral-conflict'), /أُعيد تحميلها/);
    await stale.waitForSelector('#referral-status [data-status="cancelled"]');
    assert.equal(await stale.$('#referral-accept'), null, 'no answer left on a withdrawn referral');
    assert.match(await stale.textContent('#referral-details'), /انتقلت الأسرة/, 'the reason shows');
    await shot(stale, '12-partner-conflict-reloaded');
    assert.equal((await api('GET', `/referrals/${second}`, worker)).body.status, 'cancelled');
  } finally {
    await browser.close();
  }
});
