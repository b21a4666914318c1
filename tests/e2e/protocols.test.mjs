// The framework protocol on screen (issue 9), in Arabic: the admin opens Protocols, reads the
// national protocol's rules, starts a new draft from it, breaks a rule (a deadline of 0 hours)
// and presses Publish: the problem is shown beside that rule's deadline, in Arabic; fixed, the
// draft is published and in force. A case worker reads the rules without any control to change
// them, and the screens fit 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, SHOTS, launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;

/** Saves a screenshot of one element (the editor's pages are too long to read whole). */
async function shotOf(page, selector, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.locator(selector).screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** No horizontal scrolling at the page's current width. */
async function fits(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${what} fits 360 px (overflow ${overflow})`);
}

/** The national protocol in force, through the API. */
async function nationalInForce(token) {
  const list = await api('GET', '/protocols?territory=MA&status=published', token);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1, 'one national protocol in force');
  return list.body.items[0];
}

test('an admin drafts, breaks, fixes and publishes the national protocol', async () => {
  const admin = await apiToken('admin');
  const before = await nationalInForce(admin);
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'admin');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);

    // The versions, then the national protocol in force, its rules read in Arabic.
    await page.click('a[href="/protocols"]');
    await page.waitForSelector('#protocols-list');
    assert.match(await page.textContent('#protocols-title'), ARABIC);
    await shot(page, '1-versions');
    await page.click(`#protocols-list tr[data-id="${before.id}"] a`);
    await page.waitForSelector('#protocol-rules');
    assert.equal(await page.getAttribute('#protocol-status', 'data-status'), 'published');
    const first = before.rules[0];
    const row = page.locator(`#protocol-rules tr[data-key="${first.key}"]`);
    assert.match(await row.textContent(), /فرز التبليغ/, 'the action is named in Arabic');
    // Screening within 2 hours: in Arabic the dual, "ساعتان", not "2 ساعة".
    assert.equal(first.actions[0].deadline_hours, 2);
    assert.equal((await row.locator('.protocols-deadline').first().textContent()).trim(), 'الأجل: ساعتان');
    assert.equal(await page.locator('#protocol-form').count(), 0, 'a published version is not edited');
    await shot(page, '2-national-rules');

    // A new draft, a copy of those rules, opened in the editor.
    await page.click('#protocol-new-draft');
    await page.waitForSelector('#protocol-form');
    assert.equal(await page.getAttribute('#protocol-status', 'data-status'), 'draft');
    const draftId = page.url().split('/').pop();
    assert.notEqual(draftId, before.id);
    assert.equal(await page.inputValue('#rule-0-key'), first.key);
    assert.equal(await page.inputValue('#rule-0-action-0-deadline'), String(first.actions[0].deadline_hours));

    // Changed meanwhile through the API: Save answers 412 and the form shows the fresh copy.
    const read = await api('GET', `/protocols/${draftId}`, admin);
    const meanwhile = await fetch(`${BASE}/api/v1/protocols/${draftId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'if-match': read.headers.get('etag') },
      body: JSON.stringify({ title: 'Protocole national 2027' }),
    });
    assert.equal(meanwhile.status, 200);
    await page.fill('#rule-0-action-0-deadline', '4');
    await page.click('#protocol-save');
    await page.waitForFunction(() => /عدّل شخص آخر/.test(document.querySelector('#protocol-outcome')?.textContent ?? ''));
    assert.equal(await page.inputValue('#protocol-edit-title'), 'Protocole national 2027', 'the form shows the fresh copy');
    assert.equal(await page.inputValue('#rule-0-action-0-deadline'), String(first.actions[0].deadline_hours));

    // Broken: a deadline of 0 hours. Publish refuses; the problem is beside that deadline.
    await page.fill('#rule-0-action-0-deadline', '0');
    await page.click('#protocol-publish');
    await page.waitForSelector('#rule-0-action-0-deadline-error');
    assert.equal(
      (await page.textContent('#rule-0-action-0-deadline-error')).trim(),
      'يجب أن يكون الأجل بين 1 و8760 ساعة.',
    );
    assert.equal(await page.getAttribute('#rule-0-action-0-deadline', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#rule-0-action-0-deadline', 'aria-describedby'), 'rule-0-action-0-deadline-error');
    assert.match(await page.textContent('#protocol-outcome'), ARABIC);
    assert.equal(await page.locator('.protocols-field-error').count(), 1, 'only the broken rule has a problem');
    const saved = await api('GET', `/protocols/${draftId}`, admin);
    assert.equal(saved.body.status, 'draft');
    assert.equal(saved.body.rules[0].actions[0].deadline_hours, 0, 'the change was saved before publishing');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rule-0-action-0-deadline', 'the problem has the focus');
    await shotOf(page, '#rule-0-action-0', '3-problem-beside-rule');
    await shotOf(page, '.protocols-buttons', '3-buttons-and-outcome');

    // Fixed and published: the version is in force, the previous one retired.
    await page.fill('#rule-0-action-0-deadline', '3');
    await page.click('#protocol-publish');
    await page.waitForSelector('#protocol-status[data-status="published"]');
    await page.waitForSelector('#protocol-rules');
    assert.match(await page.textContent('#protocol-outcome'), ARABIC);
    assert.equal(await page.locator('#protocol-form').count(), 0);
    const now = await nationalInForce(admin);
    assert.equal(now.id, draftId);
    assert.equal(now.rules[0].actions[0].deadline_hours, 3);
    assert.equal((await api('GET', `/protocols/${before.id}`, admin)).body.status, 'retired');
    await shot(page, '4-published');

    // The editor at 360 px.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.click('a[href="/protocols"]');
    await page.waitForSelector('#protocols-list');
    await fits(page, 'the versions');
    await page.click(`#protocols-list tr[data-id="${draftId}"] a`);
    await page.click('#protocol-new-draft');
    await page.waitForSelector('#protocol-form');
    await fits(page, 'the editor');
    await shotOf(page, '#rule-1-edit', '5-editor-rule-360');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});

test('a case worker reads the rules without the controls', async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser, '/', { width: 360, height: 740 });
    await login(page, 'caseworker');
    await page.click('a[href="/protocols"]');
    await page.waitForSelector('#protocols-list');
    await page.click('#protocols-list tr[data-status="published"] a');
    await page.waitForSelector('#protocol-rules');
    assert.ok((await page.locator('#protocol-rules tbody tr').count()) >= 10);
    assert.equal(await page.locator('#protocol-new-draft').count(), 0);
    assert.equal(await page.locator('#protocol-form').count(), 0);
    assert.equal(await page.locator('#protocol-publish').count(), 0);
    // Codes are named once the reference lists are loaded (organization types, concerns).
    await page.waitForFunction(() => !/public_service/.test(document.querySelector('#protocol-rules')?.textContent ?? 'public_service'));
    assert.match(await page.textContent('#protocol-rules tr[data-key="immediate_danger_protection"]'), /مصلحة عمومية/);
    await fits(page, 'the rules');
    await shot(page, '6-caseworker-360');
    await shotOf(page, '#protocol-rules tr[data-key="sexual_violence_care"]', '7-rule-360');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});

test("a coordinator starts a draft of their territory's variant", async () => {
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'coordinator');
    await page.click('a[href="/protocols"]');
    await page.waitForSelector('#protocols-list');
    await page.click('#protocols-list tr[data-status="published"] a');
    await page.waitForSelector('#protocol-rules');
    await page.click('#protocol-new-draft');
    await page.waitForSelector('#protocol-form');
    const id = page.url().split('/').pop();
    const draft = await api('GET', `/protocols/${id}`, await apiToken('coordinator'));
    assert.equal(draft.body.status, 'draft');
    assert.equal(draft.body.national, false, 'a variant of their territory');
    assert.match(await page.textContent('#protocol-territory'), ARABIC);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
