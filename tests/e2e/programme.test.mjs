// The national executive programme and the auditor's break-the-glass openings, in Arabic.
// An admin opens the programme (the policy's five strategic objectives), changes a measure's
// status while someone else changes the programme (412: reloaded and said so, then saved),
// records an indicator's value for a year, and adds a measure (refused beside its fields, then
// added); the changes are there after a reload and through the API. An auditor finds the case a
// coordinator opened outside their territory in the openings, and from it the coordinator's
// events on that case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, login, shot, rootDir, apiToken, api, saleCase, assertNoPageErrors } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;

/** Replaces the programme through the API with `change` made to its objectives. */
async function replace(token, change) {
  const read = await api('GET', '/programme', token);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  const objectives = read.body.objectives;
  change(objectives);
  const res = await fetch(`${BASE}/api/v1/programme`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json',
      'if-match': read.headers.get('etag'),
    },
    body: JSON.stringify({ objectives }),
  });
  assert.equal(res.status, 200, await res.text());
}

const measure = (page, key) => page.locator(`.programme-measure[data-measure="${key}"]`);

test('an admin reads the programme and changes a measure, an indicator and a sub-objective', async () => {
  const admin = await apiToken('admin');
  await replace(admin, (objectives) => objectives[1].sub_objectives.push({
    key: 'so2-e2e', title: 'أجهزة ترابية مندمجة في كل الأقاليم',
    measures: [{
      key: 'cells', title: 'إحداث خلايا إقليمية لحماية الطفولة', sector: 'وزارة التضامن والإدماج الاجتماعي',
      partners: ['اليونيسف', 'التعاون الوطني'], starts_year: 2025, ends_year: 2027, status: 'planned',
      indicators: [{ key: 'provinces', name: 'الأقاليم المغطاة', baseline: 12, target: 75, yearly: [{ year: 2025, value: 20 }] }],
    }],
  }));

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    await login(page, 'admin');
    await page.click('a[href="/programme"]');
    await page.waitForSelector('#programme-objectives');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    const codes = await page.$$eval('.programme-objective', (items) => items.map((i) => i.dataset.code));
    assert.deepEqual(codes, ['so1', 'so2', 'so3', 'so4', 'so5']);
    assert.match(await page.textContent('.programme-objective[data-code="so2"] .programme-open'), /أجهزة ترابية مندمجة/);
    await shot(page, '1-objectives');

    await page.click('.programme-objective[data-code="so2"] .programme-open');
    await page.waitForSelector('.programme-by-status');
    await measure(page, 'cells').waitFor();
    assert.equal(await page.getAttribute('.programme-objective[data-code="so2"] .programme-open', 'aria-expanded'), 'true');
    assert.match(await measure(page, 'cells').locator('.programme-status').textContent(), /مبرمج/);
    assert.match(await page.textContent('.programme-indicator[data-indicator="provinces"] .programme-yearly'), /2025: 20/);
    await shot(page, '2-objective-open');

    // Someone else changes the programme meanwhile: the save is refused (412), the programme
    // read again and the admin told; saving again works, without undoing the other change.
    await replace(admin, (objectives) => { objectives[1].sub_objectives[0].title = 'أجهزة ترابية مندمجة (محينة)'; });
    await page.selectOption('#status-cells', 'in_progress');
    await page.click('#status-save-cells');
    await page.waitForFunction(() => /عدّل شخص آخر/.test(document.querySelector('#result-cells')?.textContent ?? ''));
    await page.waitForSelector('.programme-sub[data-key="so2-e2e"] h3:has-text("محينة")');
    await shot(page, '3-conflict');
    await page.click('#status-save-cells');
    await page.waitForSelector('#result-cells.case-success');
    assert.match(await measure(page, 'cells').locator('.programme-status').textContent(), /في طور الإنجاز/);

    // An indicator's value for 2026.
    await page.fill('#year-cells', '2026');
    await page.fill('#value-cells', '33');
    await page.click('#value-save-cells');
    await page.waitForSelector('.programme-indicator[data-indicator="provinces"] .programme-year[data-year="2026"]');

    // A new measure: a missing sector and years the wrong way round are refused beside their
    // fields, nothing sent; corrected, it is added.
    await page.click('#measure-so2-e2e-open');
    await page.fill('#measure-so2-e2e-title', 'دليل مرجعي للتكفل بالأطفال');
    await page.fill('#measure-so2-e2e-starts', '2027');
    await page.fill('#measure-so2-e2e-ends', '2026');
    await page.click('#measure-so2-e2e-submit');
    await page.waitForSelector('#measure-so2-e2e-sector-error');
    await page.waitForSelector('#measure-so2-e2e-ends-error');
    assert.match(await page.textContent('#measure-so2-e2e-sector-error'), ARABIC);
    assert.equal(await page.getAttribute('#measure-so2-e2e-ends', 'aria-invalid'), 'true');
    await shot(page, '4-measure-refused');
    await page.fill('#measure-so2-e2e-sector', 'رئاسة النيابة العامة');
    await page.fill('#measure-so2-e2e-ends', '2028');
    await page.click('#measure-so2-e2e-submit');
    await measure(page, 'm1').waitFor();
    assert.match(await measure(page, 'm1').textContent(), /2027–2028/);

    // After a reload, as saved.
    await page.reload();
    await page.waitForSelector('#programme-objectives');
    await page.click('.programme-objective[data-code="so2"] .programme-open');
    await measure(page, 'cells').waitFor();
    assert.match(await measure(page, 'cells').locator('.programme-status').textContent(), /في طور الإنجاز/);
    assertNoPageErrors(page);

    const saved = (await api('GET', '/programme', admin)).body.objectives[1].sub_objectives[0];
    assert.equal(saved.title, 'أجهزة ترابية مندمجة (محينة)', 'the other change is kept');
    assert.equal(saved.measures[0].status, 'in_progress');
    assert.deepEqual(saved.measures[0].indicators[0].yearly, [{ year: 2025, value: 20 }, { year: 2026, value: 33 }]);
    assert.equal(saved.measures[1].sector, 'رئاسة النيابة العامة');
    const report = await api('GET', '/programme/objectives/so2', admin);
    assert.equal(report.body.progress.measures, 2);

    // On a phone, nothing wider than the screen.
    const phone = await newPage(browser, '/', { width: 360, height: 780 });
    await phone.waitForSelector('#login-form');
    await login(phone, 'admin');
    await phone.goto(`${BASE}/programme`);
    await phone.click('.programme-objective[data-code="so2"] .programme-open');
    await measure(phone, 'cells').waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `fits 360 px: ${wide}`);
    await shot(phone, '5-phone');
    assertNoPageErrors(phone);
  } finally {
    await browser.close();
  }
});

test('an analyst reads the programme in French, without its controls', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    await login(page, 'analyst');
    await page.click('#lang-fr');
    await page.click('a[href="/programme"]');
    await page.waitForFunction(() => document.querySelector('#programme-title')?.textContent === 'Programme national exécutif');
    await page.click('.programme-objective[data-code="so1"] .programme-open');
    await page.waitForSelector('.programme-by-status');
    assert.match(await page.textContent('.programme-objective[data-code="so1"]'), /Renforcer le cadre juridique.*Sous-objectifs : 0/s);
    assert.match(await page.textContent('.programme-by-status caption'), /Rapport d'avancement/);
    assert.equal(await page.locator('.programme-new-sub, .programme-edit').count(), 0);
    await shot(page, '9-analyst-fr');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});

test('an auditor finds a break-the-glass opening and the events under it', async () => {
  // A case in Salé, opened by the Rabat coordinator with a reason, and read under the grant.
  const caseId = await saleCase(['سليم', 'Salim'], 'programme.ma');
  const coordinator = await apiToken('coordinator');
  const reason = 'الطفل شوهد في الرباط ليلا، تصعيد من الخط 2511 لحمايته.';
  const grant = await api('POST', '/access-grants', coordinator, { case_id: caseId, reason, hours: 4 });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  assert.equal((await api('GET', `/cases/${caseId}`, coordinator)).status, 200);

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    await login(page, 'auditor');
    await page.click('a[href="/audit"]');
    await page.waitForSelector('#audit-tab-openings');
    await page.click('#audit-tab-openings');
    const opening = page.locator(`.audit-opening[data-id="${grant.body.id}"]`);
    await opening.waitFor();
    const text = await opening.textContent();
    assert.ok(text.includes(reason), text);
    assert.ok(text.includes(caseId) && text.includes(grant.body.user_id), text);
    assert.match(text, /ساري المفعول حتى/);
    assert.match(text, /4 ساعات/);
    await shot(page, '6-openings');

    // Only the grants over: this one is not among them.
    await page.selectOption('#openings-show', 'false');
    await opening.waitFor({ state: 'detached' });
    await page.waitForSelector('#openings-list, #openings-empty');
    await page.selectOption('#openings-show', 'true');
    await opening.waitFor();

    // The coordinator's events on the case: the read under the grant.
    await opening.locator('.audit-trace').click();
    await page.waitForSelector('#audit-table .audit-row[data-action="access_grant.use"]');
    assert.equal(await page.inputValue('#audit-resource-id'), caseId);
    assert.equal(await page.inputValue('#audit-actor'), grant.body.user_id);
    await shot(page, '7-traced');
    assertNoPageErrors(page);

    const phone = await newPage(browser, '/', { width: 360, height: 780 });
    await phone.waitForSelector('#login-form');
    await login(phone, 'auditor');
    await phone.click('a[href="/audit"]');
    await phone.click('#audit-tab-openings');
    await phone.locator(`.audit-opening[data-id="${grant.body.id}"]`).waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `fits 360 px: ${wide}`);
    await shot(phone, '8-openings-phone');
    assertNoPageErrors(phone);
  } finally {
    await browser.close();
  }
});
