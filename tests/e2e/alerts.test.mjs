// Alerts arrive live on the home page: a case worker's home stays open while the hotline files
// an immediate-danger report that nobody screens; once the 2-hour screening deadline passes
// (the dev clock moves), the alert appears without a reload. The access token behind the live
// stream expires on the way, so this also shows the stream resuming after the last event seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, apiToken, api, assertNoPageErrors } from './lib.mjs';

test('a late immediate-danger report raises an alert on the open home page, in Arabic', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.waitForSelector('#login-form');
    await login(page, 'caseworker');
    await page.waitForSelector('#alerts-title');

    const hotline = await apiToken('hotline');
    const filed = await api('POST', '/reports', hotline, {
      source: 'hotline_2511',
      received_at: new Date(Date.now() - 600_000).toISOString(),
      reporter: { type: 'neighbour', name: 'سعاد' },
      children: [{ given_name_ar: 'مريم', family_name_ar: 'التازي', sex: 'female', estimated_birth_year: 2016, territory: '421' }],
      concerns: ['physical_violence'],
      immediate_danger: true,
      narrative: 'الطفلة تتعرض للضرب الآن.',
    });
    assert.equal(filed.status, 201, JSON.stringify(filed.body));
    const actions = await api('GET', `/reports/${filed.body.id}/actions`, await apiToken('caseworker'));
    const screen = actions.body.items.find((a) => a.action === 'screen_report');
    assert.ok(screen, JSON.stringify(actions.body));
    const due = Date.parse(screen.due_at);

    const moved = await api('POST', '/dev/clock', null, { seconds: 2 * 3600 + 60 });
    assert.equal(moved.status, 200);
    // No reload: the live stream's alert.created makes the home page read its alerts again.
    await page.waitForFunction((at) => [...document.querySelectorAll('#alerts li.immediate_danger_unscreened time')]
      .some((t) => Date.parse(t.getAttribute('datetime')) === at), due, { timeout: 20_000 });
    const item = await page.textContent('#alerts li.immediate_danger_unscreened');
    assert.match(item, /[\u0600-\u06FF]/, `the alert is in Arabic: ${item}`);
    await shot(page, 'alert-live');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
