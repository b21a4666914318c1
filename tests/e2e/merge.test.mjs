// Duplicate merge on the child's file (issue 9): two reports of the same boy, his names spelled
// differently, are screened into two child records. The demo coordinator, in Arabic, opens the
// first file, finds the second among the possible duplicates, compares them side by side, is
// stopped until they confirm, merges (the open file is kept), sees what moved, and undoes it;
// the API confirms each state (the duplicate hidden then back, the report linked to the kept
// record then back, the audited merge and undo in the file's access log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, reportAndScreen, assertNoPageErrors, BASE } from './lib.mjs';

const YEAR = new Date().getFullYear() - 11;

/** A hotline report of `child`, screened by the coordinator as a new child record. */
async function hotlineChild(hotline, coordinator, child) {
  const { reportId, screened } = await reportAndScreen(hotline, coordinator, {
    source: 'hotline_2511',
    reporter: { type: 'anonymous' },
    children: [{ sex: 'male', estimated_birth_year: YEAR, territory: '421', ...child }],
    narrative: 'يبيت الطفل قرب المحطة.',
  });
  return { reportId, childId: screened.children[0].child_id };
}

/** The child record the report's first child is linked to. */
async function linkedChild(token, reportId) {
  const report = await api('GET', `/reports/${reportId}`, token);
  assert.equal(report.status, 200);
  return report.body.children[0].child_id;
}

test('a coordinator merges a duplicate child record from the file, sees the result and undoes it', async () => {
  const hotline = await apiToken('hotline');
  const coordinator = await apiToken('coordinator');
  const kept = await hotlineChild(hotline, coordinator, {
    given_name_ar: 'أنس', family_name_ar: 'الشرقاوي', given_name_latin: 'Anas', family_name_latin: 'Cherkaoui',
  });
  const duplicate = await hotlineChild(hotline, coordinator, {
    given_name_latin: 'Anass', family_name_latin: 'Charkaoui',
  });
  assert.notEqual(kept.childId, duplicate.childId, 'two records of the same child');

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'coordinator');
    await page.goto(`${BASE}/children/${kept.childId}`);
    const row = `#duplicates-list li[data-id="${duplicate.childId}"]`;
    await page.waitForSelector(row);
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    assert.match(await page.textContent('#duplicates-title'), /ملفات مكررة محتملة/);
    assert.equal(await page.textContent(`${row} bdi.name-latin`), 'Anass Charkaoui');
    assert.equal(await page.locator(`#duplicates-list li[data-id="${kept.childId}"]`).count(), 0,
      'the child itself is not its own duplicate');
    assert.match(await page.textContent(row), new RegExp(`${YEAR}`));
    assert.match(await page.textContent(row), /نسبة التشابه: \d+٪/);
    await shot(page, '1-possible-duplicates');

    // The comparison opens with the keyboard and takes the focus; the open file is the one kept.
    await page.focus(`#compare-${duplicate.childId}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#merge-comparison');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'merge-compare-title');
    const table = await page.textContent('#merge-comparison');
    assert.match(table, /هذا الملف \(يُحتفظ به\)/);
    assert.ok(table.includes('Anas Cherkaoui') && table.includes('Anass Charkaoui') && table.includes('أنس الشرقاوي'));
    assert.ok(await page.locator('#merge-comparison tr.differs').count() >= 1, 'the differences are marked');

    // Not confirmed: refused on the page, nothing sent.
    await page.click('#merge-submit');
    await page.waitForSelector('#merge-outcome[role=alert]');
    assert.equal((await api('GET', `/children/${duplicate.childId}`, coordinator)).status, 200);

    // At 360 px the page does not scroll sideways (the comparison table scrolls in its box).
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no horizontal scroll at 360 px: ${overflow}`);
    const hidden = await page.evaluate(() => {
      const table = document.querySelector('#merge-comparison');
      return table.scrollWidth - table.parentElement.clientWidth;
    });
    assert.ok(hidden <= 1, `the comparison stacks to fit 360 px: ${hidden}`);
    await shot(page, '2-comparison-360');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.check('#merge-confirm');
    await page.click('#merge-submit');
    await page.waitForSelector('#merge-result');
    assert.match(await page.textContent('#merge-result'), /تم الدمج/);
    const moved = await page.textContent('#merge-moved');
    assert.match(moved, /بلاغات: 1/);
    assert.match(moved, /حالات: 1/);
    const mergeId = await page.getAttribute('#merge-result', 'data-merge-id');

    // The API: the duplicate is hidden, its report and case now belong to the kept record.
    assert.equal((await api('GET', `/children/${duplicate.childId}`, coordinator)).status, 404);
    assert.equal(await linkedChild(coordinator, duplicate.reportId), kept.childId);
    const cases = await api('GET', `/children/${kept.childId}/cases?limit=100`, coordinator);
    assert.equal(cases.body.items.length, 2);
    // The page read the file again: both cases, the merge in the access log, no duplicate left.
    await page.waitForFunction(() => document.querySelectorAll('#child-cases li').length === 2);
    await page.waitForFunction(() => document.querySelector('#child-access-log')?.textContent.includes('child.merge'));
    await page.waitForSelector(row, { state: 'detached' }); // the merged duplicate is no longer proposed
    await shot(page, '3-merged');

    // A later visit: the merge still standing is offered for undo (the duplicate by its id).
    await page.reload();
    await page.waitForSelector(`#merge-result[data-merge-id="${mergeId}"] #merge-undo`);
    assert.equal((await page.textContent('#merge-duplicate-id')).trim(), duplicate.childId);

    // Undo, with the keyboard.
    await page.focus('#merge-undo');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#merge-result.undone');
    assert.match(await page.textContent('#merge-result'), /تم التراجع عن الدمج/);
    assert.equal(await page.locator('#merge-undo').count(), 0, 'no second undo offered');
    assert.equal((await api('GET', `/children/${duplicate.childId}`, coordinator)).status, 200);
    assert.equal(await linkedChild(coordinator, duplicate.reportId), duplicate.childId);
    const after = await api('GET', `/children/${kept.childId}/cases?limit=100`, coordinator);
    assert.equal(after.body.items.length, 1);
    await page.waitForSelector(row);
    await page.waitForFunction(() => document.querySelector('#child-access-log')?.textContent.includes('child.merge_undo'));
    await page.waitForFunction(() => document.querySelectorAll('#child-cases li').length === 1);
    const again = await api('POST', `/children/${kept.childId}/merges/${mergeId}/undo`, coordinator, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'merge_already_undone');
    await shot(page, '4-undone');
    assertNoPageErrors(page);

    // A case worker sees no duplicates section (only coordinators merge).
    const worker = await newPage(browser);
    await login(worker, 'caseworker');
    await worker.goto(`${BASE}/children/${kept.childId}`);
    await worker.waitForSelector('#child-title, #child [role=alert]');
    assert.equal(await worker.locator('#duplicates').count(), 0);
    assertNoPageErrors(worker);
  } finally {
    await browser.close();
  }
});
