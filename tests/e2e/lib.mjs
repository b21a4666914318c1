// Shared pieces of the end-to-end tests. Each test file runs under `node --test`, started by a
// Rust test (tests/tests/api/e2e_tests.rs) that launches a real madar on SQLite with the demo
// data and passes its address in MADAR_URL and a screenshot folder in E2E_SHOTS.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const BASE = process.env.MADAR_URL ?? 'http://127.0.0.1:8080';
export const SHOTS = process.env.E2E_SHOTS ?? 'target/e2e';
export const PASSWORD = 'madar-demo-2026';
export const USERS = {
  admin: 'admin@demo.madar.ma',
  coordinator: 'coordinator@demo.madar.ma',
  caseworker: 'caseworker@demo.madar.ma',
  partner: 'partner@demo.madar.ma',
  hotline: 'hotline@demo.madar.ma',
  analyst: 'analyst@demo.madar.ma',
  auditor: 'auditor@demo.madar.ma',
};

/** Launches Debian's Chromium headless; returns the browser. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A new page (its own context: cookies, storage) at `path`, 1280×800 unless `viewport`. */
export async function newPage(browser, path = '/', viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'ar-MA' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every 4xx answer; those are expected (a refused login, no session yet).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  await page.goto(BASE + path);
  return page;
}

/** Signs in through the form as the demo user `who` (a key of USERS); waits for the home page. */
export async function login(page, who) {
  await page.fill('#email', USERS[who] ?? who);
  await page.fill('#password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#home');
}

/** Saves a screenshot as `<E2E_SHOTS>/<name>.png`. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The direction and language of the page's root element. */
export async function rootDir(page) {
  return page.evaluate(() => [document.documentElement.dir, document.documentElement.lang]);
}

/** Calls the API from Node (setup and checks), with a demo user's token. */
export async function apiToken(who) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: USERS[who] ?? who, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `login ${who}`);
  return (await res.json()).access_token;
}

export async function api(method, path, token, body) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Fails when the page logged an error or threw. */
export function assertNoPageErrors(page) {
  assert.deepEqual(page.problems, [], 'the page logged no error');
}

/** A case in Salé (441), filed and screened by a new Salé case worker: a case outside the
 * demo coordinator's Rabat, for break-the-glass. `name`: the child's [Arabic, Latin] names;
 * `tag`: the domain of the worker's email. Returns the case's id. */
export async function saleCase([arabic, latin], tag) {
  const admin = await apiToken('admin');
  const email = `sale-${Date.now()}@${tag}`;
  const user = await api('POST', '/users', admin, {
    email, display_name: 'Salé', password: PASSWORD, role: 'case_worker',
    organization: 'cape-sale', territory: '441',
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const sale = await apiToken(email);
  const { screened } = await reportAndScreen(sale, sale, {
    source: 'walk_in',
    reporter: { type: 'neighbour' },
    children: [{ given_name_ar: arabic, given_name_latin: latin, sex: 'male', estimated_birth_year: 2014, territory: '441' }],
    narrative: 'يبيت الطفل خارج المنزل.',
  });
  return screened.children[0].case_id;
}

/** A report of neglect (`fields`: source, reporter, children, narrative), received an hour
 * ago, sent with `reporter`'s token and accepted by `screener` as a new child record. Returns
 * the report's id and the screening's answer. */
export async function reportAndScreen(reporter, screener, fields) {
  const report = await api('POST', '/reports', reporter, {
    received_at: new Date(Date.now() - 3600_000).toISOString(),
    concerns: ['neglect'],
    immediate_danger: false,
    ...fields,
  });
  assert.equal(report.status, 201, JSON.stringify(report.body));
  const screened = await api('POST', `/reports/${report.body.id}/screening`, screener, {
    decision: 'accept', children: [{ index: 0, create: true, confirm_new: true }],
  });
  assert.equal(screened.status, 200, JSON.stringify(screened.body));
  return { reportId: report.body.id, screened: screened.body };
}
