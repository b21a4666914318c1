// The statistics dashboard and the provincial report: a few reports and a case set up in Rabat
// (421) through the API (a few in each of three concern families); the analyst (Arabic, right to left) opens /statistics and sees the
// indicators and the monthly chart (an <svg> with bars) with small counts masked (never 0); the
// coordinator of Rabat sees the exact figures of 421, downloads the report's CSV (its header
// line checked) and opens the print view in a new tab, right to left. Checked through the API
// as well. Then the coordinator records the committee's needs beside the diagnostic (a blank
// one refused on the page) and the analyst reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors, BASE } from './lib.mjs';

/** A report of one child in Rabat about `concern` (trafficking: the exploitation family). */
async function fileReport(token, name, concern = 'trafficking') {
  const year = new Date().getUTCFullYear();
  const report = await api('POST', '/reports', token, {
    source: 'hotline_2511',
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter: { type: 'neighbour' },
    children: [{
      given_name_ar: name, family_name_ar: 'البقالي', sex: 'female',
      estimated_birth_year: year - 12, territory: '421',
    }],
    concerns: [concern],
    immediate_danger: false,
    narrative: 'تم رصد الطفلة في وضعية استغلال.',
  });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  return report.body.id;
}

test('the analyst sees masked statistics; the coordinator exact ones, the CSV and the print view', async () => {
  const worker = await apiToken('caseworker');
  const first = await fileReport(worker, 'سلمى');
  await fileReport(worker, 'نورة');
  // Enough reports of two other families for counts the analyst may read.
  for (let i = 0; i < 6; i += 1) {
    await fileReport(worker, 'هند', 'neglect');
    await fileReport(worker, 'مريم', 'physical_violence');
  }
  const screened = await api('POST', `/reports/${first}/screening`, worker, {
    decision: 'accept',
    children: [{ index: 0, create: true, confirm_new: true }],
  });
  assert.equal(screened.status, 200, JSON.stringify(screened.body));
  const year = new Date().getFullYear();

  // The API: masked for the analyst, exact for the coordinator.
  const analystToken = await apiToken('analyst');
  const national = await api('GET', `/statistics/dashboard?territory=MA&year=${year}`, analystToken);
  assert.equal(national.status, 200, JSON.stringify(national.body));
  assert.ok(national.body.k > 1, 'the analyst reads masked counts');
  const masked = national.body.reports_by_family.cells.filter((c) => c.suppressed);
  assert.ok(masked.length > 0, 'some small count is masked for the analyst');
  const coordinatorToken = await apiToken('coordinator');
  const rabat = await api('GET', `/statistics/dashboard?territory=421&year=${year}`, coordinatorToken);
  assert.equal(rabat.status, 200, JSON.stringify(rabat.body));
  assert.equal(rabat.body.k, null, 'the coordinator reads exact counts');
  const exploitation = rabat.body.reports_by_family.cells
    .filter((c) => c.key.includes('exploitation'))
    .reduce((n, c) => n + (c.count ?? 0), 0);
  assert.ok(exploitation >= 2, `the two reports counted: ${exploitation}`);

  const browser = await launch();
  try {
    // The analyst, in Arabic: the national dashboard.
    const page = await newPage(browser);
    await login(page, 'analyst');
    await page.goto(`${BASE}/statistics`);
    await page.waitForSelector('#statistics-indicators');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    await page.waitForFunction(() => document.querySelector('#statistics-territory')?.value === 'MA');
    await page.waitForFunction(() => /العنف/.test(document.querySelector('#statistics-reports-chart .statistics-legend')?.textContent ?? ''));
    assert.equal(await page.inputValue('#statistics-year'), String(year));
    assert.equal(await page.locator('.statistics-indicator').count(), 4, 'the four indicators');
    const indicators = await page.textContent('#statistics-indicators');
    assert.match(indicators, /السنة السابقة/, indicators);
    assert.equal(await page.locator('#statistics-reports-chart svg rect.statistics-bar').count() > 0, true,
      'the chart draws bars');
    // Small counts are masked "<5", explained by the legend, never shown as 0.
    const legend = await page.textContent('#statistics-legend');
    assert.match(legend, /<5/, legend);
    assert.match(legend, /حماية الأطفال/, legend);
    const maskedCells = page.locator('#statistics-reports-chart [data-masked="true"]');
    assert.ok(await maskedCells.count() > 0, 'masked cells in the chart table');
    assert.equal((await maskedCells.first().textContent()).trim(), '<5');
    assert.equal(await page.$('#statistics-exact'), null);
    await shot(page, '01-analyst-dashboard');
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scroll at 360 px: ${overflow}`);
    await shot(page, '02-analyst-360px');
    assertNoPageErrors(page);
    await page.context().close();

    // The coordinator of Rabat: exact figures of 421.
    const coord = await newPage(browser);
    await login(coord, 'coordinator');
    await coord.goto(`${BASE}/statistics`);
    await coord.waitForSelector('#statistics-exact');
    // The families, stages and territories are labelled from the vocabulary, in Arabic.
    await coord.waitForFunction(() => /العنف/.test(document.querySelector('#statistics-reports-chart .statistics-legend')?.textContent ?? ''));
    await coord.waitForFunction(() => !/^\s*421\s*$/.test(document.querySelector('#statistics-territories .statistics-bar-label')?.textContent ?? '421'));
    await coord.waitForFunction(() => document.querySelector('#statistics-territory')?.value === '421');
    assert.equal(await coord.locator('#statistics-territory option').count() < 10, true,
      'the coordinator picks within their own territory');
    assert.equal(await coord.locator('#statistics-reports-chart [data-masked="true"]').count(), 0);
    assert.ok(await coord.locator('#statistics-reports-chart svg rect.statistics-bar').count() > 0);
    await shot(coord, '03-coordinator-dashboard');

    // The CSV.
    const [download] = await Promise.all([
      coord.waitForEvent('download'),
      coord.click('#statistics-csv'),
    ]);
    assert.equal(download.suggestedFilename(), `report-421-${year}.csv`);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    assert.equal(csv.split(/\r?\n/)[0], 'section,series,period,value,suppressed');
    await coord.waitForSelector('#statistics-report-done');
    assert.match(await coord.textContent('#statistics-report-done'), /report-421-/);
    await shot(coord, '04-coordinator-csv');

    // The print view, in a new tab, right to left.
    const [popup] = await Promise.all([
      coord.context().waitForEvent('page'),
      coord.click('#statistics-print'),
    ]);
    await popup.waitForFunction(() => document.documentElement.getAttribute('dir') === 'rtl',
      null, { timeout: 15000 });
    assert.equal(await popup.getAttribute('html', 'dir'), 'rtl');
    // The page keeps its own look (its style sheet given to it by the app).
    await popup.waitForFunction(() => document.adoptedStyleSheets.length === 1, null, { timeout: 15000 });
    assert.ok((await popup.locator('svg').count()) > 0, 'the printable page has its charts');
    await shot(popup, '05-print-view');
    await coord.waitForSelector('#statistics-report-done');

    // The diagnostic of structures and services, printable beside it.
    const [diagnostic] = await Promise.all([
      coord.context().waitForEvent('page'),
      coord.click('#statistics-diagnostic'),
    ]);
    await diagnostic.waitForFunction(() => document.documentElement.getAttribute('dir') === 'rtl',
      null, { timeout: 15000 });
    await diagnostic.waitForFunction(() => document.adoptedStyleSheets.length === 1, null, { timeout: 15000 });
    assert.match(await diagnostic.textContent('h1'), /تشخيص/);
    await shot(diagnostic, '06-diagnostic');
    assertNoPageErrors(coord);
  } finally {
    await browser.close();
  }
});

test("the coordinator records the committee's needs beside the diagnostic; the analyst reads them", async () => {
  const browser = await launch();
  try {
    const coord = await newPage(browser);
    await login(coord, 'coordinator');
    await coord.goto(`${BASE}/statistics`);
    await coord.waitForSelector('#statistics-needs form');
    assert.deepEqual(await rootDir(coord), ['rtl', 'ar']);
    await coord.click('#need-add');
    await coord.fill('#need-0-text', 'مركز استقبال للأطفال في وضعية الشارع');
    await coord.press('#need-0-text', 'Tab');
    await coord.selectOption('#need-0-priority', 'high');
    await coord.selectOption('#need-0-domain', 'social_care');
    // A second need left blank is refused before anything is sent, and named.
    await coord.click('#need-add');
    await coord.click('#needs-save');
    await coord.waitForSelector('#needs-outcome.error, #needs-outcome[role="alert"]');
    assert.match(await coord.textContent('#needs-outcome'), /2/);
    await coord.click('#need-1-remove');
    await coord.click('#needs-save');
    await coord.waitForSelector('#needs-outcome.case-success');
    assert.match(await coord.textContent('#needs-outcome'), /حفظ/);
    await coord.waitForSelector('.statistics-needs-updated');
    // The form shows what was saved.
    assert.equal(await coord.inputValue('#need-0-priority'), 'high');
    assert.equal(await coord.inputValue('#need-0-domain'), 'social_care');
    await shot(coord, '07-committee-needs');
    assertNoPageErrors(coord);

    // Stored as recorded.
    const token = await apiToken('coordinator');
    const year = new Date().getFullYear();
    const diagnostic = await api('GET', `/statistics/territories/421/diagnostic?year=${year}`, token);
    assert.equal(diagnostic.status, 200, JSON.stringify(diagnostic.body));
    assert.deepEqual(diagnostic.body.committee_needs, [
      { text: 'مركز استقبال للأطفال في وضعية الشارع', priority: 'high', domain: 'social_care' },
    ]);

    // The analyst reads them, without a form.
    const analyst = await newPage(browser);
    await login(analyst, 'analyst');
    await analyst.goto(`${BASE}/statistics`);
    await analyst.waitForSelector('#statistics-needs');
    await analyst.selectOption('#statistics-territory', '421');
    await analyst.waitForFunction(() => /مركز استقبال/.test(document.querySelector('#statistics-needs')?.textContent ?? ''));
    assert.equal(await analyst.$('#statistics-needs form'), null);
    await shot(analyst, '08-needs-read');
    assertNoPageErrors(analyst);
  } finally {
    await browser.close();
  }
});
