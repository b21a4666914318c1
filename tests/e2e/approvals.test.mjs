// The coordinator's approvals inbox and the audit log, in Arabic: a case worker asks to close a
// case (202, a pending approval); the coordinator sees the request in /approvals with its
// reason and outcome note, approves it, and the API shows the case closed and a second decision
// refused (409). Then the auditor verifies the audit chain (intact), filters the audit log by
// that decision and sees the event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors, BASE } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;

/** A report of one child in Rabat filed and screened by the case worker: the case opened. */
async function openCase(token) {
  const year = new Date().getUTCFullYear();
  const report = await api('POST', '/reports', token, {
    source: 'hotline_2511',
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter: { type: 'neighbour', name: 'سعاد', phone: '+212 6 61 22 33 44' },
    children: [{
      given_name_ar: 'مريم', family_name_ar: 'البقالي',
      given_name_latin: 'Meryem', family_name_latin: 'El Bakkali', sex: 'female',
      estimated_birth_year: year - 12, territory: '421', situation: ['out_of_school'],
    }],
    concerns: ['neglect'],
    immediate_danger: false,
    narrative: 'الطفلة منقطعة عن الدراسة منذ شهرين.',
  });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  const screened = await api('POST', `/reports/${report.body.id}/screening`, token, {
    decision: 'accept',
    children: [{ index: 0, create: true, confirm_new: true }],
  });
  assert.equal(screened.status, 200, JSON.stringify(screened.body));
  return screened.body.children[0].case_id;
}

/** The case worker asks to close the case: 202 with a pending approval. */
async function askClosure(token, caseId) {
  const current = await api('GET', `/cases/${caseId}`, token);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const res = await fetch(`${BASE}/api/v1/cases/${caseId}/transitions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json',
      'if-match': current.headers.get('etag'), 'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify({
      to: 'closed', reason: 'عادت الطفلة إلى المدرسة.', closure_reason: 'reintegrated_school',
      outcome_note: 'تسجيل الطفلة في الثانوية الإعدادية ومتابعة الأسرة.',
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(body.status, 'pending');
  assert.equal(body.kind, 'closure');
  return body.id;
}

test('a coordinator approves a closure in Arabic and the auditor finds the decision', async () => {
  const worker = await apiToken('caseworker');
  const caseId = await openCase(worker);
  const approvalId = await askClosure(worker, caseId);
  const kinds = await api('GET', '/reference/closure_reasons');
  const reasonAr = kinds.body.items.find((i) => i.code === 'reintegrated_school').labels.ar;

  const browser = await launch();
  try {
    // 1. The coordinator's inbox, in Arabic, right to left.
    const page = await newPage(browser);
    await login(page, 'coordinator');
    await page.goto(`${BASE}/approvals`);
    const card = `#approval-${approvalId}`;
    await page.waitForSelector(card);
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    assert.match(await page.textContent('#approvals h1'), ARABIC);
    const text = await page.textContent(card);
    assert.ok(text.includes('إغلاق ملف'), text);
    assert.ok(text.includes('تسجيل الطفلة في الثانوية الإعدادية'), 'the outcome note is shown');
    await page.waitForFunction(([sel, l]) => document.querySelector(sel)?.textContent.includes(l), [card, reasonAr]);
    assert.ok(await page.$(`${card} a[href="/cases/${caseId}"]`), 'the case is linked');
    await page.waitForFunction((sel) => /CASE-/.test(document.querySelector(sel)?.textContent ?? ''), `${card} .approvals-reference`);
    assert.ok(await page.$('#transfers-list, #transfers-list-empty'), 'the transfers section is there');
    await shot(page, '01-approvals-inbox');

    // 2. Approve with a comment: the page says so and the card leaves the inbox.
    await page.fill(`#approval-${approvalId}-comment`, 'موافقة على الإغلاق بعد الاطلاع على التقرير.');
    await page.click(`#approval-${approvalId}-yes`);
    await page.waitForSelector('#approvals-result.case-success');
    assert.equal((await page.textContent('#approvals-result')).trim(), 'تمت الموافقة على الطلب.');
    await page.waitForSelector(card, { state: 'detached' });
    await shot(page, '02-approved');

    // Checked through the API: the case is closed, the approval decided, a second decision 409.
    const closed = await api('GET', `/cases/${caseId}`, worker);
    assert.equal(closed.body.stage, 'closed');
    const coordinator = await apiToken('coordinator');
    const decided = await api('GET', `/approvals/${approvalId}`, coordinator);
    assert.equal(decided.body.status, 'approved');
    const again = await api('POST', `/approvals/${approvalId}/decision`, coordinator, { decision: 'reject' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'approval_already_decided');

    // 3. A request someone else decided meanwhile: the 409 is explained and the list refreshed.
    const secondCase = await openCase(worker);
    const secondId = await askClosure(worker, secondCase);
    await page.goto(`${BASE}/approvals`);
    await page.waitForSelector(`#approval-${secondId}`);
    const other = await api('POST', `/approvals/${secondId}/decision`, coordinator, { decision: 'reject', comment: 'ناقص' });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    await page.click(`#approval-${secondId}-yes`);
    await page.waitForSelector('#approvals-result .error');
    assert.equal((await page.textContent('#approvals-result .error p')).trim(), 'تم البت في طلب الموافقة هذا من قبل.');
    assert.match(await page.textContent('#approvals-conflict'), ARABIC);
    await page.waitForSelector(`#approval-${secondId}`, { state: 'detached' });
    await shot(page, '03-already-decided');
    // The browser logs the 409 answer as a failed resource load only.
    assertNoPageErrors(page);

    // 4. The auditor filters the log by the decision's action and approval.
    const audit = await newPage(browser);
    await login(audit, 'auditor');
    await audit.goto(`${BASE}/audit`);
    await audit.waitForSelector('#audit-table');
    assert.deepEqual(await rootDir(audit), ['rtl', 'ar']);
    assert.match(await audit.textContent('#audit-chain-note'), /madar audit verify/);
    // The whole chain, verified by the server on request: intact here.
    await audit.click('#audit-verify');
    await audit.waitForSelector('#audit-chain-state.case-success');
    assert.match(await audit.textContent('#audit-chain-state'), ARABIC);
    const verified = await api('GET', '/audit/verification', await apiToken('auditor'));
    assert.equal(verified.body.intact, true, JSON.stringify(verified.body));
    assert.ok(verified.body.verified > 0);
    await audit.fill('#audit-action', 'approval.decide');
    await audit.fill('#audit-resource-id', approvalId);
    await audit.click('#audit-submit');
    const row = 'tr.audit-row[data-action="approval.decide"]';
    await audit.waitForSelector(row);
    const rows = await audit.$$('tr.audit-row');
    assert.equal(rows.length, 1, 'only the decision on that approval');
    const rowText = await audit.textContent(row);
    assert.ok(rowText.includes(approvalId), rowText);
    assert.ok(rowText.includes('مستخدم'), 'the actor kind in Arabic');
    // Sealed within about a second: refilter until the chain column says so.
    for (let i = 0; i < 10 && !(await audit.$(`${row} .audit-seal.sealed`)); i++) {
      await audit.waitForTimeout(500);
      await audit.click('#audit-submit');
      await audit.waitForSelector(row);
    }
    assert.ok(await audit.$(`${row} .audit-seal.sealed`), 'the event is sealed in the chain');
    await shot(audit, '04-audit-filtered');

    // A bad period is refused by the form before any call.
    await audit.fill('#audit-from', '2026-12-02');
    await audit.fill('#audit-to', '2026-12-01');
    await audit.click('#audit-submit');
    await audit.waitForSelector('#audit-check.error');
    assert.match(await audit.textContent('#audit-check'), ARABIC);

    // Narrow screen: the table scrolls inside its wrapper, the page does not.
    await audit.setViewportSize({ width: 360, height: 740 });
    await audit.click('#audit-reset');
    await audit.waitForSelector('#audit-table');
    const overflow = await audit.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scroll of the page (${overflow}px)`);
    await shot(audit, '05-audit-narrow');
    await page.setViewportSize({ width: 360, height: 740 });
    await shot(page, '06-approvals-narrow');
    assertNoPageErrors(audit);
  } finally {
    await browser.close();
  }
});
