// Provincial action plans: a coordinator's plan, adopted and with progress recorded through the
// API, read on the screen in Arabic: the measure's state, the typed value, and the bound value
// counted by the server; the analyst reads the same plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

test('a coordinator and an analyst read a provincial action plan', async () => {
  const token = await apiToken('coordinator');
  // Two reports in Rabat this month, so that the bound indicator counts something.
  for (const given of ['Meryem', 'Yasmine']) {
    const report = await api('POST', '/reports', token, {
      source: 'hotline_2511',
      received_at: new Date(Date.now() - 3600_000).toISOString(),
      reporter: { type: 'neighbour' },
      children: [{ given_name_latin: given, family_name_latin: 'El Bakkali', sex: 'female', territory: '421' }],
      concerns: ['neglect'],
      immediate_danger: false,
      narrative: 'Signalement pour le plan.',
    });
    assert.equal(report.status, 201, JSON.stringify(report.body));
  }
  const today = new Date();
  const start = new Date(today.getTime() - 30 * 86400e3).toISOString().slice(0, 10);
  const end = new Date(today.getTime() + 300 * 86400e3).toISOString().slice(0, 10);
  const created = await api('POST', '/plans', token, {
    territory: '421', title: 'خطة عمل الرباط', starts_on: start, ends_on: end,
    objectives: [{ key: 'detection', title: 'تعزيز التبليغ', measures: [{
      key: 'schools', title: 'حملة 2511 في المدارس', responsible: ['ngo-rabat'],
      indicators: [
        { key: 'reports', name: 'التبليغات المتوصل بها', baseline: 40, target: 80, statistics_query: 'measure=reports' },
        { key: 'visited', name: 'المدارس المزورة', target: 120 },
      ],
    }] }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  const etag = created.headers.get('etag');
  const adopted = await fetch(`${BASE}/api/v1/plans/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': etag },
    body: JSON.stringify({ status: 'active' }),
  });
  assert.equal(adopted.status, 200);
  const progress = await api('POST', `/plans/${id}/progress`, token, {
    measure: 'schools', status: 'in_progress', percent_done: 40,
    as_of: today.toISOString().slice(0, 10), values: [{ indicator: 'visited', value: 35 }],
  });
  assert.equal(progress.status, 201, JSON.stringify(progress.body));
  const counted = (await api('GET', `/plans/${id}`, token)).body.indicators.find((i) => i.indicator === 'reports');
  assert.ok(counted.value >= 2, `the two reports are counted: ${JSON.stringify(counted)}`);

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    await login(page, 'coordinator');
    await page.click('a[href="/plans"]');
    await page.waitForSelector(`.plans-item[data-id="${id}"]`);
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    await page.click(`.plans-item[data-id="${id}"] .plans-open`);
    await page.waitForSelector('#plan-detail');
    assert.equal(await page.textContent('#plan-title'), 'خطة عمل الرباط');
    const state = await page.textContent('.plans-measure[data-measure="schools"] .plans-state');
    assert.match(state, /[\u0600-\u06FF]/, `the state in Arabic: ${state}`);
    const visited = await page.textContent('.plans-indicator[data-indicator="visited"] .plans-value');
    assert.match(visited, /35|٣٥/, `the recorded value: ${visited}`);
    const reports = await page.textContent('.plans-indicator[data-indicator="reports"] .plans-value');
    const digits = reports.replace(/[٠-٩]/g, (d) => String('٠١٢٣٤٥٦٧٨٩'.indexOf(d))).replace(/\D/g, '');
    assert.equal(Number(digits), counted.value, `the counted value: ${reports}`);
    await shot(page, 'plan-ar');
    assertNoPageErrors(page);

    const analyst = await newPage(browser);
    await analyst.waitForSelector('#login-form');
    await login(analyst, 'analyst');
    await analyst.click('a[href="/plans"]');
    await analyst.waitForSelector(`.plans-item[data-id="${id}"]`);
    await analyst.click(`.plans-item[data-id="${id}"] .plans-open`);
    await analyst.waitForSelector('.plans-indicator[data-indicator="reports"]');
    assert.equal(await analyst.$('#plan-writer'), null, 'analysts read plans, they do not write them');
    assert.equal(await analyst.$('#plan-new-open'), null);
    await shot(analyst, 'plan-analyst');
    assertNoPageErrors(analyst);
  } finally {
    await browser.close();
  }
});

test('a coordinator writes a plan on screen: objective, measure, adoption, progress', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    page.on('dialog', (dialog) => dialog.accept());
    await page.waitForSelector('#login-form');
    await login(page, 'coordinator');
    await page.click('a[href="/plans"]');
    await page.waitForSelector('#plans-title');
    await page.click('#plan-new-open');
    // Nothing typed: refused on the page, nothing sent.
    await page.click('#plan-submit');
    await page.waitForSelector('#plan-new-result');
    assert.match(await page.textContent('#plan-new-result'), /[\u0600-\u06FF]/);
    await page.fill('#plan-title-input', 'خطة حماية الطفولة بالرباط 2027');
    await page.fill('#plan-starts', '2026-01-01');
    await page.fill('#plan-ends', '2027-12-31');
    await page.click('#plan-submit');
    await page.waitForSelector('#plan-writer');
    assert.equal(await page.textContent('#plan-title'), 'خطة حماية الطفولة بالرباط 2027');

    await page.fill('#objective-title', 'الوقاية من العنف في المدارس');
    await page.click('#objective-submit');
    await page.waitForSelector('.plans-objective[data-key="o1"]');
    await page.click('.plans-objective[data-key="o1"] .plans-add-measure');
    await page.fill('#measure-title', 'ورشات التحسيس في 20 مدرسة');
    await page.fill('#measure-budget', '250000');
    await page.fill('#measure-indicator', 'المدارس المستفيدة');
    await page.fill('#measure-baseline', '0');
    await page.fill('#measure-target', '20');
    await page.click('#measure-submit');
    await page.waitForSelector('.plans-measure[data-measure="m1"]');
    await shot(page, 'plan-written');

    await page.click('#plan-status-next');
    await page.waitForSelector('.plans-record[data-measure="m1"]');
    await page.click('.plans-record[data-measure="m1"]');
    await page.selectOption('#progress-status', 'in_progress');
    await page.fill('#progress-percent', '25');
    await page.fill('#progress-value-i1', '5');
    await page.fill('#progress-note', 'خمس مدارس إلى حدود الآن.');
    await page.click('#progress-submit');
    await page.waitForFunction(() => /25/.test(document.querySelector('.plans-measure[data-measure="m1"]')?.textContent ?? ''));
    await page.waitForFunction(() => /5|٥/.test(document.querySelector('.plans-indicator[data-indicator="i1"] .plans-value')?.textContent ?? ''));
    await shot(page, 'plan-progress');

    // Through the API: the plan as written.
    const token = await apiToken('coordinator');
    const plans = (await api('GET', '/plans?limit=50', token)).body.items;
    const summary = plans.find((p) => p.title === 'خطة حماية الطفولة بالرباط 2027');
    assert.ok(summary, 'the plan is listed');
    const plan = (await api('GET', `/plans/${summary.id}`, token)).body;
    assert.equal(plan.status, 'active');
    const measure = plan.objectives[0].measures[0];
    assert.equal(measure.budget_mad, 250000);
    assert.equal(measure.indicators[0].target, 20);
    const state = plan.measures.find((m) => m.measure === 'm1');
    assert.equal(state.status, 'in_progress');
    assert.equal(state.percent_done, 25);
    const value = plan.indicators.find((i) => i.indicator === 'i1');
    assert.equal(value.value, 5);
    const progress = (await api("GET", `/plans/${summary.id}/progress`, token)).body;
    assert.equal(progress[0].note, 'خمس مدارس إلى حدود الآن.');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
