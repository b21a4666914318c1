// The reports inbox and screening: the hotline files a report (Arabic name, immediate danger)
// for a child the centre already knows under a close spelling; the case worker sees it in the
// inbox in Arabic, right to left, opens it, sees the known child suggested, links the report to
// that child and opens a case; the API confirms the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

test('a case worker screens a hotline report into a case, linking the suggested known child', async () => {
  // The child the centre already knows.
  const worker = await apiToken('caseworker');
  const known = await api('POST', '/children', worker, {
    given_name_ar: 'ياسين',
    family_name_ar: 'العلوي',
    given_name_latin: 'Yassine',
    family_name_latin: 'El Alaoui',
    sex: 'male',
    estimated_birth_year: 2014,
    civil_status: 'registered',
    territory: '421',
  });
  assert.equal(known.status, 201, JSON.stringify(known.body));
  const childId = known.body.id;

  // The hotline's report, with a close spelling of the same child.
  const hotline = await apiToken('hotline');
  const filed = await api('POST', '/reports', hotline, {
    source: 'hotline_2511',
    received_at: new Date().toISOString(),
    reporter: { type: 'neighbour' },
    children: [{
      given_name_ar: 'ياسين',
      family_name_ar: 'العلوى',
      given_name_latin: 'Yasine',
      family_name_latin: 'Alaoui',
      sex: 'male',
      estimated_birth_year: 2014,
      territory: '421',
    }],
    concerns: ['physical_violence'],
    immediate_danger: true,
    narrative: 'أفاد الجار بأن الطفل يتعرض للضرب يومياً ويبيت خارج المنزل.',
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const reportId = filed.body.id;
  const reference = filed.body.reference;

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'caseworker');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar'], 'Arabic, right to left');

    // The inbox: the report is there, with its danger badge, in Arabic.
    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('#reports-table');
    const row = page.locator('#reports-table tbody tr', { hasText: reference });
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /خطر داهم/, `the immediate-danger badge: ${text}`);
    assert.match(text, /ياسين العلوى/, 'the child\'s Arabic name');
    assert.match(await page.textContent('#reports-title'), /البلاغات الواردة/);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#reports-table')).direction), 'rtl');
    // Immediate danger first: the report is in the first row.
    assert.match(await page.locator('#reports-table tbody tr').first().textContent(), /خطر داهم/);
    await shot(page, '1-inbox-ar');

    // The report beside the suggestions.
    await row.locator('a').first().click();
    await page.waitForSelector('#report-reference');
    assert.equal((await page.textContent('#report-reference')).trim(), reference);
    assert.match(await page.textContent('#report-narrative'), /يتعرض للضرب/);
    const suggestion = page.locator('#suggestions-0 .reports-suggestion', { hasText: 'ياسين العلوي' });
    await suggestion.first().waitFor();
    assert.match(await suggestion.first().textContent(), /تطابق (مرجح|ممكن)/);
    await shot(page, '2-report-suggestions');

    // Without a choice the form says what is missing, nothing is sent.
    await page.click('#screen-submit');
    await page.waitForSelector('#screening-form-error');
    assert.match(await page.textContent('#screening-form-error'), /[\u0600-\u06FF]/);

    // Link to the suggested child and open a case.
    await page.check('#decision-accept');
    const at = await suggestion.first().getAttribute('id'); // suggestion-0-<n>
    const n = at.split('-').pop();
    await page.check(`#choice-0-link-${n}`);
    await shot(page, '3-screening-form');
    await page.click('#screen-submit');
    await page.waitForSelector('#screening-result');
    const result = await page.textContent('#screening-result');
    assert.match(result, /CASE-/, `a case reference is shown: ${result}`);
    assert.match(result, /طفل مسجل سابقاً/, 'linked to the known child');
    assert.match(result, /ملف جديد/, 'a case opened');
    await shot(page, '4-screened');

    // The API agrees: the report is linked to the known child, and the case exists.
    const report = await api('GET', `/reports/${reportId}`, worker);
    assert.equal(report.body.status, 'case_opened');
    assert.equal(report.body.children[0].child_id, childId);
    const caseHref = await page.getAttribute('#screening-result a.reports-case-link', 'href');
    const caseId = caseHref.split('/').pop();
    const opened = await api('GET', `/cases/${caseId}`, worker);
    assert.equal(opened.status, 200);
    assert.equal(opened.body.child.id, childId);
    assert.equal(opened.body.reference, (await page.textContent('#screening-result a.reports-case-link')).trim());

    // Screened: it leaves the inbox of new reports.
    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('#reports-table, #reports-empty');
    assert.equal(await page.locator('#reports-table tbody tr', { hasText: reference }).count(), 0);
    await page.selectOption('#report-status-filter', 'case_opened');
    await page.locator('#reports-table tbody tr', { hasText: reference }).waitFor();
    await shot(page, '5-inbox-case-opened');

    // At 360 px wide, the report page still fits (the table scrolls inside its box).
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${process.env.MADAR_URL ?? 'http://127.0.0.1:8080'}/reports/${reportId}`);
    await page.waitForSelector('#report-screened');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scroll at 360 px: ${overflow}`);
    await shot(page, '6-report-360');

    // The same inbox in French, left to right; then back to Arabic.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('#lang-fr');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('#reports-table, #reports-empty');
    assert.match(await page.textContent('#reports-title'), /Signalements reçus/);
    await page.selectOption('#report-status-filter', '');
    await page.locator('#reports-table tbody tr', { hasText: reference }).waitFor();
    assert.match(await page.locator('#reports-table tbody tr', { hasText: reference }).textContent(), /Danger immédiat/);
    await shot(page, '6b-inbox-fr');
    await page.click('#lang-ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.waitForTimeout(300);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});

test('a second screening of the same report is explained (409)', async () => {
  const hotline = await apiToken('hotline');
  const worker = await apiToken('caseworker');
  const filed = await api('POST', '/reports', hotline, {
    source: 'hotline_2511',
    received_at: new Date().toISOString(),
    reporter: { type: 'anonymous' },
    children: [{ given_name_ar: 'سلمى', family_name_ar: 'بناني', sex: 'female', estimated_birth_year: 2016, territory: '421' }],
    concerns: ['neglect'],
    immediate_danger: false,
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'caseworker');
    await page.goto(`${process.env.MADAR_URL ?? 'http://127.0.0.1:8080'}/reports/${filed.body.id}`);
    await page.waitForSelector('#screening-form');
    // A colleague closes it meanwhile.
    const closed = await api('POST', `/reports/${filed.body.id}/screening`, worker, { decision: 'close', closing_reason: 'insufficient_information' });
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    await page.check('#decision-close');
    await page.selectOption('#closing-reason', 'no_protection_concern');
    await page.click('#screen-submit');
    await page.waitForSelector('#screening-conflict');
    assert.match(await page.textContent('#screening-conflict'), /زميل/);
    await shot(page, '7-conflict');
    await page.click('#screening-reload');
    await page.waitForSelector('#report-screened');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
