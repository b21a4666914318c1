// The case page and the child's file, in Arabic: a case worker opens a case screened from a
// report, moves it to assessment, completes a risk assessment and sees the computed level,
// moves it to planning and records a plan, records a guardian's consent on the child's file,
// refers the child to an NGO's school-reintegration service with that consent (the referral
// carries out the national protocol's action for an out-of-school child), adds a note, and
// meets a conflict (someone else changed the case) explained field by field. Every result is
// checked through the API too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, rootDir, apiToken, api, assertNoPageErrors, BASE, SHOTS } from './lib.mjs';

const ARABIC = /[\u0600-\u06FF]/;

/** The Arabic label of `code` in the reference list `list`. */
async function arLabel(list, code) {
  const res = await api('GET', `/reference/${list}`);
  const item = res.body.items.find((i) => i.code === code);
  assert.ok(item, `${list} has ${code}`);
  return item.labels.ar;
}

/** A report of one child in Rabat filed and screened by the case worker: the case opened. */
async function openCase(token) {
  const year = new Date().getUTCFullYear();
  const report = await api('POST', '/reports', token, {
    source: 'hotline_2511',
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter: { type: 'neighbour', name: 'خديجة', phone: '+212 6 61 23 45 67' },
    children: [{
      given_name_ar: 'ياسين', family_name_ar: 'الإدريسي',
      given_name_latin: 'Yassine', family_name_latin: 'El Idrissi', sex: 'male',
      estimated_birth_year: year - 10, territory: '421', situation: ['out_of_school'],
    }],
    concerns: ['neglect', 'out_of_school'],
    immediate_danger: false,
    narrative: 'الطفل ينام في الشارع منذ أسبوع.',
  });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  const screened = await api('POST', `/reports/${report.body.id}/screening`, token, {
    decision: 'accept',
    children: [{ index: 0, create: true, confirm_new: true }],
  });
  assert.equal(screened.status, 200, JSON.stringify(screened.body));
  const { case_id: caseId, child_id: childId } = screened.body.children[0];
  const guardian = await api('POST', `/children/${childId}/guardians`, token, {
    relationship: 'mother', name: 'فاطمة العلوي', phone: '+212 6 61 00 00 00',
    lives_with_child: true, primary: true,
  });
  assert.equal(guardian.status, 201, JSON.stringify(guardian.body));
  return { caseId, childId };
}

async function move(page, stage, reason) {
  await page.click(`#move-${stage}`);
  await page.fill('#transition-reason', reason);
  await page.click('#transition-submit');
  await page.waitForSelector('#transition-result.case-success');
  const label = await arLabel('case_stages', stage);
  await page.waitForFunction((l) => document.querySelector('#case-stage')?.textContent === l, label);
}

test('a case worker assesses, plans, records a consent and refers the child, in Arabic', async () => {
  const token = await apiToken('caseworker');
  const { caseId, childId } = await openCase(token);
  // The national protocol asks for a school-reintegration referral of an out-of-school child.
  const created = await api('POST', '/services', await apiToken('admin'), {
    type: 'school_reintegration', provider: 'ngo-rabat', name: 'Retour à l\'école, Rabat',
    name_ar: 'العودة إلى المدرسة، الرباط', territories: ['421'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const service = created.body;
  const actions = await api('GET', `/cases/${caseId}/actions`, token);
  const action = actions.body.items.find((a) => a.action === 'service_referral');
  assert.equal(action?.service_type, 'school_reintegration', JSON.stringify(actions.body));
  assert.deepEqual(action.proposed_services, [service.id]);

  const browser = await launch();
  try {
    const page = await newPage(browser);
    await login(page, 'caseworker');
    await page.goto(`${BASE}/cases/${caseId}`);
    await page.waitForSelector('#case-title');
    assert.deepEqual(await rootDir(page), ['rtl', 'ar']);
    assert.match(await page.textContent('#case-title'), /CASE-/);
    // The stages are labelled from the vocabulary, loaded after signing in.
    await page.waitForFunction(() => !/identification|assessment/.test(document.querySelector('#case-stepper')?.textContent ?? 'identification'));
    const current = await page.textContent('#case-stepper [aria-current="step"]');
    assert.ok(current.includes(await arLabel('case_stages', 'identification')), current);
    // Only the moves the pathway allows: planning is not offered yet.
    assert.ok(await page.$('#move-assessment'));
    assert.equal(await page.$('#move-planning'), null);
    await shot(page, '01-case-opened');

    await move(page, 'assessment', 'تم الاتصال بالطفل وبأمه.');
    await shot(page, '02-stage-assessment');

    // The risk assessment: every item answered; two answers raise the score to "medium".
    await page.click('#assessment-start');
    await page.waitForSelector('#assessment-form');
    const items = await page.$$eval('select.case-item', (s) => s.map((e) => [e.id, e.options[1].value]));
    assert.ok(items.length > 10, `the instrument's items: ${items.length}`);
    for (const [id, value] of items) await page.selectOption(`#${id}`, value);
    await page.selectOption('#item-injuries', 'serious');
    await page.selectOption('#item-caregiver', 'absent');
    const medium = await arLabel('risk_levels', 'medium');
    assert.ok((await page.textContent('#assessment-preview')).includes(medium), 'the level as the worker answers');
    await shot(page, '03-assessment-form');
    await page.click('#assessment-submit');
    await page.waitForSelector('#assessment-computed');
    assert.equal((await page.textContent('#assessment-computed')).trim(), medium);
    await page.waitForFunction((l) => document.querySelector('#case-risk')?.textContent === l, medium);
    await shot(page, '04-assessment-recorded');

    // Planning is allowed now; the plan: one objective with one action.
    await move(page, 'planning', 'التقييم منجز.');
    const domains = await api('GET', '/reference/pathway_domains');
    const domain = domains.body.items[0].code;
    await page.click('#plan-edit');
    await page.selectOption('#objective-0-domain', domain);
    await page.fill('#objective-0-description', 'مواكبة الطفل وأسرته وإرجاعه إلى المدرسة.');
    await page.click('#plan-add-action-0');
    await page.fill('#action-0-0-description', 'مساعدة قانونية للأسرة');
    await page.fill('#action-0-0-org', 'ngo-rabat');
    await page.fill('#action-0-0-due', new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10));
    await shot(page, '05-plan-form');
    await page.click('#plan-submit');
    await page.waitForSelector('#plan-result.case-success');
    await page.waitForSelector('#plan-view');
    assert.ok((await page.textContent('#plan-view')).includes('مساعدة قانونية للأسرة'));
    await shot(page, '06-plan-recorded');

    // The child's file: identity in both scripts, the guardian; the mother's consent.
    await page.click('.case-child-link');
    await page.waitForSelector('#child-title');
    assert.equal((await page.textContent('#child-name-ar')).trim(), 'ياسين الإدريسي');
    assert.equal((await page.textContent('#child-name-latin')).trim(), 'Yassine El Idrissi');
    assert.ok((await page.textContent('#child-guardians')).includes('فاطمة العلوي'));
    await page.locator('#child-guardians').screenshot({ path: `${SHOTS}/07a-guardians.png` });
    // A phone number reads left to right inside the Arabic page: its "+" comes first, on the left.
    const plusOnTheLeft = await page.evaluate(() => {
      const bdi = document.querySelector('#child-guardians .child-phone');
      const range = document.createRange();
      range.setStart(bdi.firstChild, 0);
      range.setEnd(bdi.firstChild, 1);
      return Math.abs(range.getBoundingClientRect().left - bdi.getBoundingClientRect().left) < 2;
    });
    assert.ok(plusOnTheLeft, 'the phone number is isolated left to right');
    await page.fill('#consent-given-by', 'فاطمة العلوي');
    await page.selectOption('#consent-relationship', 'parent');
    // The recipient is picked from the organizations (and types) the API lists, by name.
    await page.waitForSelector('#consent-recipient-add option[value="ngo-rabat"]', { state: 'attached' });
    await page.selectOption('#consent-recipient-add', 'ngo-rabat');
    await page.waitForFunction(() => document.querySelector('#consent-recipients')?.textContent.includes('جمعية حقوق الطفل'));
    await page.check('#consent-group-identity');
    await page.check('#consent-group-situation');
    await page.fill('#consent-purpose', 'المساعدة القانونية للطفل وأسرته.');
    await shot(page, '07-consent-form');
    await page.click('#consent-submit');
    await page.waitForSelector('#consent-result.case-success');
    await page.waitForSelector('#consents .child-consent.active');
    await shot(page, '08-consent-recorded');
    const consents = await api('GET', `/children/${childId}/consents`, token);
    assert.equal(consents.body.items.length, 1);
    const consent = consents.body.items[0];
    assert.deepEqual(consent.recipients, ['ngo-rabat']);
    assert.equal(consent.status, 'active');

    // Back to the case: refer the child to the NGO's service with that consent.
    await page.click(`#child-cases a`);
    await page.waitForSelector('#referral-form');
    await page.selectOption('#referral-service', service.id);
    await page.selectOption('#referral-consent', consent.id);
    assert.ok(await page.isChecked('#referral-group-identity'), 'the consent\'s groups are proposed');
    // The service is of the type the protocol's open action asks for: the referral carries it out.
    await page.waitForSelector('#referral-carries');
    assert.ok(await page.isChecked('#referral-carry'), 'carrying out the protocol action is proposed');
    assert.match(await page.textContent('#referral-carries'), ARABIC);
    await page.fill('#referral-reason', 'يحتاج الطفل إلى العودة إلى المدرسة.');
    await shot(page, '09-referral-form');
    await page.click('#referral-submit');
    await page.waitForSelector('#referral-result.case-success');
    await page.waitForSelector('#referrals tbody tr');
    assert.ok((await page.textContent('#referrals')).includes('جمعية حقوق الطفل الرباط'), 'the receiving organization by name');
    await shot(page, '10-referral-sent');

    // A note, then the timeline shows what happened.
    await page.fill('#note-text', 'زيارة منزلية: الأم حاضرة ومتعاونة.');
    await page.click('#note-submit');
    await page.waitForSelector('#notes .case-note');
    // The timeline follows each change without reloading the page.
    await page.waitForSelector('#timeline .case-event.note_added');
    await page.waitForSelector('#timeline .case-event.referral_sent');
    assert.match(await page.textContent('#timeline'), ARABIC);

    // Someone else changes the urgency meanwhile: the worker's change is refused and explained.
    const fresh = await api('GET', `/cases/${caseId}`, token);
    const patched = await fetch(`${BASE}/api/v1/cases/${caseId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': fresh.headers.get('etag') },
      body: JSON.stringify({ urgency: 'high' }),
    });
    assert.equal(patched.status, 200);
    await page.selectOption('#urgency-select', 'low');
    await page.click('#urgency-submit');
    await page.waitForSelector('#case-conflict');
    assert.match(await page.textContent('#case-conflict'), ARABIC);
    assert.ok(await page.$('#case-conflict li[data-field="urgency"]'), 'the urgency is named as changed');
    await shot(page, '11-conflict');

    // Narrow screen: the page still reads right to left without sideways scrolling of the page.
    await page.setViewportSize({ width: 360, height: 800 });
    await page.click('#conflict-reload').catch(() => {});
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.left < -1 || r.right > document.documentElement.clientWidth + 1; })
      .filter((e) => !e.closest('.table-wrap'))
      .slice(0, 8).map((e) => `${e.tagName}#${e.id}.${e.className}`));
    assert.ok(overflow <= 1, `no horizontal scroll at 360 px: ${overflow} ${wide.join(' ')}`);
    await shot(page, '12-case-360');
    await page.click('.case-child-link');
    await page.waitForSelector('#consents .child-consent');
    await page.waitForTimeout(300);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth) <= 1,
      'the child file fits 360 px');
    await shot(page, '13-child-360');
    assertNoPageErrors(page);

    // A coordinator also sees who read or changed the child's file.
    const coordinator = await newPage(browser);
    await login(coordinator, 'coordinator');
    await coordinator.goto(`${BASE}/children/${childId}`);
    await coordinator.waitForSelector('#child-access-log tbody tr');
    // Labels come from the vocabulary, loaded after signing in: no code left.
    await coordinator.waitForFunction(() => !/planning|male|out_of_school/.test(document.querySelector('#child')?.textContent ?? 'planning'));
    assert.ok((await coordinator.textContent('#child-access-log')).includes('child.'), 'audited reads are listed');
    await shot(coordinator, '14-child-coordinator-access-log');
    assertNoPageErrors(coordinator);
  } finally {
    await browser.close();
  }

  // Through the API: the assessment, the plan, the consent and the referral exist.
  const assessments = await api('GET', `/cases/${caseId}/assessments`, token);
  assert.equal(assessments.body.items.length, 1);
  assert.equal(assessments.body.items[0].computed_level, 'medium');
  assert.equal(assessments.body.items[0].score, 11);
  const plan = await api('GET', `/cases/${caseId}/plan`, token);
  assert.equal(plan.status, 200);
  assert.equal(plan.body.objectives.length, 1);
  assert.equal(plan.body.objectives[0].actions[0].responsible_organization, 'ngo-rabat');
  const referrals = await api('GET', `/cases/${caseId}/referrals`, token);
  assert.equal(referrals.body.items.length, 1);
  const referral = referrals.body.items[0];
  assert.equal(referral.to_organization, 'ngo-rabat');
  assert.equal(referral.service_id, service.id);
  const consents = await api('GET', `/children/${childId}/consents`, token);
  assert.equal(referral.consent_id, consents.body.items[0].id);
  assert.equal(referral.status, 'sent');
  const done = await api('GET', `/protocol-actions/${action.id}`, token);
  assert.equal(done.body.status, 'done', 'the referral carried out the protocol action');
  const c = await api('GET', `/cases/${caseId}`, token);
  assert.equal(c.body.stage, 'planning');
  assert.equal(c.body.risk_level, 'medium');
});
