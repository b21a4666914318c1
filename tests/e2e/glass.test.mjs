// Break-the-glass on screen (issue 10): the Rabat coordinator opens a case of Salé (another
// province): the page says it is not found and offers emergency access; a reason too short is
// refused before anything is sent; with a reason and a duration the case opens under a banner
// saying until when, and the auditor finds the grant with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, apiToken, api, saleCase, assertNoPageErrors, BASE } from './lib.mjs';

const REASON = 'الطفل شوهد في الرباط ليلاً، تصعيد من الخط 2511.';

test('a coordinator opens a case of another province with a written reason, for a limited time', async () => {
  // A case worker of Salé, and a case in Salé.
  const caseId = await saleCase(['غالي', 'Ghali'], 'glass.ma');

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'coordinator');
    await page.goto(`${BASE}/cases/${caseId}`);
    await page.waitForSelector('#glass-form');
    assert.equal(await page.locator('#case-title').count(), 0, 'the case is not shown');
    assert.match(await page.textContent('#glass'), /وصول استثنائي/);
    await shot(page, '1-not-found-glass');

    // Too short: refused on the page, nothing sent.
    await page.fill('#glass-reason', 'عاجل');
    await page.click('#glass-submit');
    await page.waitForSelector('#glass-outcome.error, #glass-outcome[role=alert], p#glass-outcome');
    assert.match(await page.textContent('#glass-outcome'), /20/);
    const auditor = await apiToken('auditor');
    const none = await api('GET', `/access-grants?case_id=${caseId}`, auditor);
    assert.equal(none.body.items.length, 0);

    // A reason and four hours: the case opens under the banner.
    await page.fill('#glass-reason', REASON);
    await page.selectOption('#glass-hours', '4');
    await page.click('#glass-submit');
    await page.waitForSelector('#glass-banner');
    await page.waitForSelector('#case-title');
    assert.match(await page.textContent('#glass-banner'), /مفتوح بوصول استثنائي حتى/);
    await shot(page, '2-opened');

    // The auditor sees it, with its reason and four hours.
    const grants = await api('GET', `/access-grants?case_id=${caseId}`, auditor);
    assert.equal(grants.body.items.length, 1);
    const grant = grants.body.items[0];
    assert.equal(grant.reason, REASON);
    assert.equal(grant.active, true);
    assert.equal(new Date(grant.expires_at) - new Date(grant.granted_at), 4 * 3600_000);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
