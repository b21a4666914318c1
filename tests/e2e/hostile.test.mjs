// Hostile text renders inert (issue 10): a report whose child's names and narrative carry markup,
// script, SQL-like text and the bidi marks Arabic uses (U+200F, U+200E) is shown as plain text,
// each name isolated in its own <bdi> and the narrative in a dir="auto" block, so that nothing
// runs, no element is injected, and a Latin name cannot reorder the Arabic text around it. Bidi
// overrides and isolates (U+202E…) never get that far: the API refuses them (422).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, apiToken, api, assertNoPageErrors, BASE } from './lib.mjs';

const GIVEN_LATIN = '<img src=x onerror="window.__pwned=1">';
const FAMILY_LATIN = "Robert'); DROP TABLE children;--";
const FAMILY_AR = '\u200Fالعلوي\u200F';
const NARRATIVE = '<script>window.__pwned=2</script> \u200Fقال الجار\u200F: "<b>bold</b>" \u200Eok\u200E \'; DELETE FROM reports; --';

test('names and narratives with markup, SQL and bidi marks render as inert, isolated text', async () => {
  const worker = await apiToken('caseworker');
  const base = {
    source: 'walk_in',
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter: { type: 'neighbour' },
    concerns: ['neglect'],
    immediate_danger: false,
  };
  // An override character is refused, and nothing is stored.
  const before = await api('GET', '/reports?limit=200', worker);
  const refused = await api('POST', '/reports', worker, {
    ...base,
    children: [{ given_name_latin: 'Sara\u202Egnp.exe', sex: 'female', territory: '421' }],
    narrative: 'x',
  });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.errors[0].code, 'forbidden_character');
  const after = await api('GET', '/reports?limit=200', worker);
  assert.equal(after.body.items.length, before.body.items.length, 'nothing stored');

  const filed = await api('POST', '/reports', worker, {
    ...base,
    children: [{
      given_name_ar: 'سارة',
      family_name_ar: FAMILY_AR,
      given_name_latin: GIVEN_LATIN,
      family_name_latin: FAMILY_LATIN,
      sex: 'female',
      estimated_birth_year: 2013,
      territory: '421',
    }],
    narrative: NARRATIVE,
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const stored = await api('GET', `/reports/${filed.body.id}`, worker);
  assert.equal(stored.body.narrative, NARRATIVE, 'stored exactly, marks kept');
  assert.equal(stored.body.children[0].given_name_latin, GIVEN_LATIN);

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'caseworker');
    await page.goto(`${BASE}/reports/${filed.body.id}`);
    await page.waitForSelector('#report-narrative');
    await page.waitForSelector('#report-children bdi.name-latin');
    await page.waitForTimeout(300);

    // Nothing ran, nothing was injected.
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element injected');
    assert.equal(await page.locator('#report-page script, #report-page b').count(), 0);

    // The narrative: its exact text, marks included, in an isolated block.
    assert.equal(await page.textContent('#report-narrative'), NARRATIVE);
    assert.equal(await page.getAttribute('#report-narrative', 'dir'), 'auto');

    // Each name in its own <bdi>, isolated from the text around it, with its direction.
    const names = await page.evaluate(() => {
      const of = (sel) => {
        const el = document.querySelector(`#report-children ${sel}`);
        return { text: el.textContent, dir: el.getAttribute('dir'), bidi: getComputedStyle(el).unicodeBidi };
      };
      return { ar: of('bdi.name-ar'), latin: of('bdi.name-latin') };
    });
    assert.equal(names.latin.text, `${GIVEN_LATIN} ${FAMILY_LATIN}`);
    assert.equal(names.latin.dir, 'ltr');
    assert.equal(names.ar.text, `سارة ${FAMILY_AR}`);
    assert.equal(names.ar.dir, 'rtl');
    for (const n of [names.ar, names.latin]) {
      assert.match(n.bidi, /isolate/, `isolated: ${n.bidi}`);
    }

    // In the inbox too.
    await page.click('nav a[href="/reports"]');
    await page.waitForSelector('#reports-table');
    const row = page.locator('#reports-table tbody tr', { hasText: filed.body.reference });
    await row.waitFor();
    assert.equal(await row.locator('bdi.name-latin').textContent(), `${GIVEN_LATIN} ${FAMILY_LATIN}`);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    await shot(page, '1-inbox');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
  }
});
