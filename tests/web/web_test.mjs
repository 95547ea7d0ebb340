// The web application end to end, in Debian's Chromium driven by playwright-core, against a real nafitha-central
// on a seeded store (harness.mjs). One browser for everything. Checks: the public page and its open data in both
// languages; sign-in, a wrong password, lockout; the dashboard's cards and chart; drill-down governorate >
// district > centre > terminal and entity > service; entities ranked side by side; CSV export; an entity
// officer's scope (another entity's data refused, in the API and in the indicators); CSRF refusals; a decision
// taken in the back office that reaches the terminal's tracking at its next sync, with its reason code; the audit;
// Arabic plural forms and digits; every indicator of the definitions on the dashboard; the idle timeout; user
// disable, enable, reset-password and list; axe-core finds no serious or critical violation on any page.
// Screenshots land in --out (look at them).
//
//   node tests/web/web_test.mjs --bin build/bin --source . --out build/tests/web/screenshots

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {Site, launchBrowser} from './harness.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const source = path.resolve(args.source || '.');
const out = path.resolve(args.out || 'web-screenshots');
fs.mkdirSync(out, {recursive: true});
const axePath = path.join(source, 'web/node_modules/axe-core/axe.min.js');
const ar = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/ar/web.json'), 'utf8'));
const en = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/en/web.json'), 'utf8'));
const arCentral = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/ar/central.json'), 'utf8')); // indicator names
const enCentral = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/en/central.json'), 'utf8'));
const arUi = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/ar/ui.json'), 'utf8')); // survey reasons
const PASSWORD = 'a long enough password';

let checks = 0;
function step(name) { console.log('web: ' + name); }
function ok(cond, message) { assert.ok(cond, message); checks++; }
function eq(a, b, message) { assert.deepEqual(a, b, message); checks++; }

async function axe(page, name) {
  await page.addScriptTag({path: axePath});
  const result = await page.evaluate(async () => await window.axe.run(document, {resultTypes: ['violations']}));
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  ok(bad.length === 0, `axe on ${name}: ` + bad.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`).join('; '));
}

// A number of days as Arabic reads it, from CLDR's Arabic plural rules written again here (not the page's code):
// 1 and 2 have their own words, 3-10 take the plural, 11-99 the singular accusative, the rest the singular.
function arabicDays(n) {
  const digits = new Intl.NumberFormat('ar-SY').format(n);
  const r = n % 100;
  if (n === 1) return 'يوم واحد';
  if (n === 2) return 'يومان';
  if (r >= 3 && r <= 10) return digits + ' أيام';
  if (r >= 11 && r <= 99) return digits + ' يومًا';
  return digits + ' يوم';
}

async function ready(page, value) {
  await page.waitForFunction(v => document.body.dataset.ready === v, value);
}

// The language switch loads the other language's translations first, then draws again.
async function switchLanguage(page, lang, value) {
  await page.click('#lang-switch');
  await page.waitForFunction(([l, v]) => document.documentElement.lang === l && document.body.dataset.ready === v, [lang, value]);
}

async function shot(page, name) {
  await page.screenshot({path: path.join(out, name + '.png'), fullPage: true});
}

// Parts of a long page on their own, to look at closely.
async function shotParts(page, name, ids) {
  for (const id of ids) await page.locator('#' + id).screenshot({path: path.join(out, `${name}-${id}.png`)});
}

const site = new Site(path.resolve(args.bin || 'build/bin'), source);
let browser;
try {
  step('seeding: three terminals at three centres, simulated visits, catalogue with the hierarchy');
  site.seed(['DAM-01', 'ALP-01', 'HMS-01'], 14);
  await site.start();
  site.enrollAndSync();
  site.decideSome(4);
  site.sync(site.terminals[0]); // its decisions' echoes go up: nothing left to send (online and idle)

  // An entity with open applications (for the officer), and another entity (whose data the officer must not see).
  const open = site.sqlRows("SELECT a.entity, COUNT(*) AS n FROM applications a WHERE a.status IN ('submitted','paid','in_review') GROUP BY a.entity ORDER BY n DESC, a.entity");
  ok(open.length >= 1, 'the simulated terminals left open applications');
  const entity = open[0].entity;
  const other = site.sqlRows(`SELECT t.id AS terminal, a.reference, a.entity FROM applications a JOIN terminals t ON t.no = a.terminal WHERE a.entity <> '${entity}' LIMIT 1`)[0];
  ok(other, 'another entity has applications too');
  // The ministry gives costs: the entity's this month (local month), and a centre's.
  const month = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Damascus', year: 'numeric', month: '2-digit'}).format(new Date());
  site.central('costs', 'set', '--data', site.data, '--entity', entity, '--month', month, '--amount-minor', '700000');
  site.central('costs', 'set', '--data', site.data, '--centre', 'DAM-01', '--month', month, '--amount-minor', '450000');
  site.addUser('analyst', 'ministry', '', PASSWORD);
  site.addUser('officer', 'entity', entity, PASSWORD);
  site.addUser('locked', 'entity', entity, PASSWORD);
  site.addUser('dam', 'centre', 'DAM-01', PASSWORD);
  assert.throws(() => site.addUser('short', 'ministry', '', 'short'), /10/);

  browser = await launchBrowser(source);
  // bypassCSP: only so that axe-core can be injected; the pages themselves run under central's CSP.
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, bypassCSP: true});
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));

  // ---- The public page, no sign-in ----
  step('public page (Arabic, then English) and open data');
  await page.goto(site.webUrl + '/public');
  await ready(page, 'public');
  eq(await page.getAttribute('html', 'dir'), 'rtl');
  eq(await page.getAttribute('html', 'lang'), 'ar');
  eq(await page.textContent('h2'), ar['web.public.title']);
  const publicRows = await page.locator('#public-table tbody tr').count();
  ok(publicRows >= 3, 'the public table has a row per service used');
  const intro = await page.textContent('#public-intro');
  ok(!/[0-9]/.test(intro) && intro.includes('٣٦٥ يومًا'), 'the Arabic intro counts its days in Arabic-Indic digits with the right form: ' + intro);
  const published = await page.locator('#public-table tbody tr td:nth-child(4)').allTextContents();
  const publicApi = await (await page.request.get(site.webUrl + '/api/public')).json();
  ok(publicApi.some(r => r.published_days >= 3), 'some service publishes a time of several days');
  eq(published, publicApi.map(r => r.published_days === 0 ? ar['web.public.same_day'] : arabicDays(r.published_days)),
     'published times read with the Arabic plural forms');
  ok(published.every(t => !/[0-9]/.test(t)), 'no Western digits in the Arabic table');
  await axe(page, 'public (ar)');
  await shot(page, 'public-ar');
  await switchLanguage(page, 'en', 'public');
  eq(await page.getAttribute('html', 'dir'), 'ltr');
  eq(await page.textContent('h2'), en['web.public.title']);
  ok((await page.textContent('#public-intro')).endsWith('The last 365 days.'), 'the English intro');
  eq(await page.locator('#public-table tbody tr td:nth-child(4)').allTextContents(),
     publicApi.map(r => r.published_days === 0 ? en['web.public.same_day'] : r.published_days + (r.published_days === 1 ? ' day' : ' days')),
     'published times in English: 1 day, 7 days');
  await axe(page, 'public (en)');
  await shot(page, 'public-en');
  const csv = await page.request.get(site.webUrl + '/public.csv');
  eq(csv.status(), 200);
  ok(csv.headers()['content-type'].startsWith('text/csv'), 'open data is CSV');
  const csvText = await csv.text();
  ok(csvText.split('\r\n')[0].includes('median_decision_hours') && csvText.split('\r\n')[0].includes('within_published_share'), 'open data header');
  eq(csvText.trim().split('\r\n').length, publicRows + 1, 'the CSV has the page\'s rows');
  const publicJson = await (await page.request.get(site.webUrl + '/api/public')).json();
  for (const r of publicJson)
    ok(r.decided === 0 ? r.median_decision_hours === null : r.median_decision_hours >= 0, 'a median only where something was decided');
  await switchLanguage(page, 'ar', 'public');

  // ---- Sign-in, wrong password, lockout ----
  step('sign-in page, a wrong password, lockout');
  await page.goto(site.webUrl + '/');
  await ready(page, 'login');
  await axe(page, 'login');
  await page.fill('#login-name', 'analyst');
  await page.fill('#login-password', 'not the password');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  eq(await page.textContent('#login-error'), ar['error.web.login_failed']);
  await shot(page, 'login-error-ar');
  const api = context.request;
  for (let i = 1; i <= 5; ++i) {
    const r = await api.post(site.webUrl + '/api/login', {data: {name: 'locked', password: 'wrong ' + i}});
    eq(r.status(), i < 5 ? 401 : 429, 'attempt ' + i);
  }
  const afterLock = await api.post(site.webUrl + '/api/login', {data: {name: 'locked', password: PASSWORD}});
  eq(afterLock.status(), 429, 'the right password does not open a locked account');
  eq((await afterLock.json()).error, 'error.web.locked');

  // ---- The ministry's dashboard ----
  step('dashboard, chart, drill-down governorate > district > centre > terminal');
  await page.fill('#login-name', 'analyst');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await ready(page, 'dashboard');
  const cookies = await context.cookies();
  const session = cookies.find(c => c.name === 'nafitha_session');
  ok(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
  const total = site.sqlRows('SELECT COUNT(*) AS n FROM applications')[0].n;
  const cardApps = await page.textContent('[data-indicator="applications"] .metric-value');
  eq(cardApps, new Intl.NumberFormat('ar-SY').format(total), 'the applications card counts every application');
  ok(await page.locator('#chart-period').isVisible(), 'the chart is drawn');
  // Every indicator of the definitions is shown, named from the translations, formatted by its unit.
  const defs = (await (await api.get(site.webUrl + '/api/definitions')).json()).indicators;
  const allNames = await page.locator('#all-table tbody th').allTextContents();
  eq(allNames, defs.map(d => arCentral['indicator.' + d.id]), 'the table of all indicators follows the definitions, in Arabic');
  const allValues = await page.locator('#all-table tbody td:nth-child(2)').allTextContents();
  ok(allValues.every(v => v.length > 0 && !/[0-9]/.test(v)), 'every value is shown (— when there is none) in Arabic-Indic digits: ' + allValues.join(' | '));
  const totalRow = (await (await api.get(site.webUrl + '/api/indicators')).json())[0];
  defs.forEach((d, i) => { if (totalRow[d.id] === null || totalRow[d.id] === undefined) eq(allValues[i], '—', d.id + ' has no value'); });
  // Terminals' states now, from their health reports: as central's API says, named in Arabic.
  const states = await (await api.get(site.webUrl + '/api/terminals')).json();
  eq(states.length, 3, 'three terminals');
  ok(states.every(t => ['online', 'sending', 'offline', 'broken', 'unknown'].includes(t.state)), 'known states');
  eq(states.find(t => t.centre === site.terminals[0].centre).state, 'online', 'a terminal with nothing to send is online and idle');
  const stateCells = await page.locator('#terminals-table tbody tr').evaluateAll(rows => rows.map(r => [r.dataset.terminal, r.dataset.state, r.cells[2].textContent]));
  eq(stateCells.map(c => c[0]).sort(), states.map(t => t.terminal).sort(), 'a row per terminal');
  for (const [id, state, text] of stateCells) {
    eq(state, states.find(t => t.terminal === id).state, 'the state of ' + id);
    eq(text, arCentral['central.terminal.state.' + state], 'the state in Arabic');
  }
  const statesCsv = await api.get(site.webUrl + await page.getAttribute('#terminals .csv', 'href'));
  eq(statesCsv.status(), 200);
  const statesLines = (await statesCsv.text()).trim().split('\r\n');
  ok(statesLines[0].startsWith('terminal,centre,name,state,last_exchange,pending') && statesLines.length === 4, 'the terminals as CSV');
  // The survey reasons, most named first, as the total row's shares rank them.
  const reasonCodes = defs.map(d => d.id.match(/^reason_(.+)_share$/)).filter(m => m).map(m => m[1])
    .filter(c => totalRow['reason_' + c + '_share'] !== null)
    .sort((a, b) => totalRow['reason_' + b + '_share'] - totalRow['reason_' + a + '_share'] || a.localeCompare(b));
  ok(reasonCodes.some(c => totalRow['reason_' + c + '_share'] > 0), 'the simulated citizens named reasons');
  eq(await page.locator('#reasons-table tbody td:nth-child(2)').allTextContents(), reasonCodes.map(c => arUi['ui.survey.reason.' + c]),
     'the reasons ranked by how often they were named');
  // Cash differences: the drawers' Z reports by centre agree with the terminals' own journals.
  const byCentre = await (await api.get(site.webUrl + '/api/indicators?by=centre')).json();
  for (const t of site.terminals) {
    const z = site.terminalSql(t, "SELECT COUNT(*) AS n, SUM(json_extract(payload, '$.declared_minor') - json_extract(payload, '$.computed_minor')) AS d " +
                                  "FROM journal WHERE type = 'drawer.z_report'")[0];
    const row = byCentre.find(r => r.centre === t.centre);
    eq([row.z_reports, row.cash_difference_minor], [z.n, z.d], 'the Z reports of ' + t.centre);
  }
  ok(byCentre.some(r => r.cash_difference_minor < 0) && byCentre.some(r => r.cash_difference_minor > 0), 'a drawer short and one over');
  const cashRows = await page.locator('#cash-table tbody tr').evaluateAll(rows => rows.map(r => [...r.cells].map(c => c.textContent)));
  eq(cashRows.length, byCentre.length, 'a cash row per centre');
  eq(cashRows.map(r => r[1]), byCentre.map(r => new Intl.NumberFormat('ar-SY').format(r.z_reports)), 'Z reports counted in Arabic-Indic digits');
  // Cost per transaction where a cost is given (the entity's and DAM-01's this month), — elsewhere.
  const byEntity = await (await api.get(site.webUrl + '/api/indicators?by=entity')).json();
  const mineThisMonth = site.sqlRows(`SELECT COUNT(*) AS n FROM applications WHERE entity = '${entity}'`)[0].n;
  for (const r of byEntity)
    ok(r.entity === entity ? Math.abs(r.cost_per_transaction_minor - 700000 / mineThisMonth) < 1e-9 : r.cost_per_transaction_minor === null,
       'cost per transaction of ' + r.entity + ': ' + r.cost_per_transaction_minor);
  const costCells = await page.locator('#cost-table tbody tr').evaluateAll(rows => rows.map(r => [r.cells[0].textContent, r.cells[2].textContent]));
  eq(costCells.filter(c => c[1] !== '—').length, 1, 'one entity has a cost');
  ok(!/[0-9]/.test(costCells.find(c => c[1] !== '—')[1]), 'the cost in Arabic-Indic digits');
  eq(byCentre.filter(r => r.cost_per_transaction_minor !== null).map(r => r.centre), ['DAM-01'], 'the centre with a cost');
  const allCsv = await api.get(site.webUrl + await page.getAttribute('#all-indicators .csv', 'href'));
  ok((await allCsv.text()).split('\r\n')[0].includes('cash_difference_minor,cash_difference_abs_minor,cost_per_transaction_minor'),
     'the CSV of all indicators carries the new ones');
  // The charts' axes count in the page's digits.
  const ticks = await page.evaluate(() => ['chart-period', 'chart-drill'].map(id => Chart.getChart(id).scales.y.ticks.map(t => t.label)));
  ok(ticks.every(list => list.length > 1 && list.every(l => !/[0-9]/.test(String(l)))), 'Arabic-Indic digits on the axes: ' + JSON.stringify(ticks));
  await axe(page, 'dashboard');
  await shot(page, 'dashboard-ar');
  await shotParts(page, 'dashboard-ar', ['cards', 'chart-period', 'terminals', 'reasons', 'money']);
  // The drill-down charts any indicator; a duration reads in the unit that suits it.
  await page.selectOption('#drill-metric', 'decision_median_ms');
  await ready(page, 'dashboard');
  ok((await page.getAttribute('#chart-drill', 'aria-label')).startsWith(arCentral['indicator.decision_median_ms']), 'the drill chart names its indicator');
  await page.selectOption('#drill-metric', 'applications');
  await ready(page, 'dashboard');
  const levels = ['governorate', 'district', 'centre'];
  for (const level of levels) {
    const first = page.locator('#drill-table tbody th button').first();
    await first.click();
    await ready(page, 'dashboard');
    ok(await page.locator('#crumb-' + level).count() === 1, 'breadcrumb for ' + level);
  }
  const terminalRows = await page.locator('#drill-table tbody th').allTextContents();
  const terminalIds = site.sqlRows('SELECT id FROM terminals').map(r => r.id);
  ok(terminalRows.length >= 1 && terminalRows.every(t => terminalIds.includes(t.trim())), 'the last level lists terminals: ' + terminalRows.join(','));
  await shot(page, 'drill-terminal-ar');
  const csvHref = await page.getAttribute('#drill .csv', 'href');
  const drillCsv = await api.get(site.webUrl + csvHref);
  eq(drillCsv.status(), 200);
  ok((await drillCsv.text()).startsWith('terminal,applications'), 'CSV export of the drill-down table');

  step('entity > service drill-down and entities ranked side by side');
  await page.click('#drill-mode-entity');
  await ready(page, 'dashboard');
  await page.locator('#drill-table tbody th button').first().click();
  await ready(page, 'dashboard');
  ok(await page.locator('#crumb-entity').count() === 1, 'breadcrumb for the entity');
  ok(await page.locator('#drill-table thead th').first().textContent() === ar['web.dim.service'], 'services of the entity');
  await page.click('#tab-entities');
  await ready(page, 'entities');
  const ranked = await page.locator('#entities-table tbody tr').count();
  eq(ranked, site.sqlRows('SELECT COUNT(DISTINCT entity) AS n FROM applications')[0].n, 'every entity is ranked');
  await axe(page, 'entities');
  await shot(page, 'entities-ar');
  await switchLanguage(page, 'en', 'entities');
  eq(await page.getAttribute('html', 'dir'), 'ltr');
  await shot(page, 'entities-en');
  await page.click('#tab-dashboard');
  await ready(page, 'dashboard');
  await axe(page, 'dashboard (en)');
  const ticksEn = await page.evaluate(() => ['chart-period', 'chart-drill'].map(id => Chart.getChart(id).scales.y.ticks.map(t => t.label)));
  ok(ticksEn.every(list => list.every(l => /^[0-9,.]+$/.test(String(l)))), 'Western digits on the English axes: ' + JSON.stringify(ticksEn));
  eq(await page.locator('#terminals-table tbody tr td:nth-child(3)').allTextContents(),
     await page.locator('#terminals-table tbody tr').evaluateAll(rows => rows.map(r => r.dataset.state)).then(l => l.map(st => enCentral['central.terminal.state.' + st])),
     'the states in English');
  await shot(page, 'dashboard-en');
  await shotParts(page, 'dashboard-en', ['chart-period', 'terminals', 'reasons', 'money']);
  await switchLanguage(page, 'ar', 'dashboard');
  // The ministry reads no single application.
  eq((await api.get(site.webUrl + '/api/applications')).status(), 403);
  await page.click('#logout');
  await ready(page, 'login');
  eq((await api.get(site.webUrl + '/api/me')).status(), 401, 'signed out');

  // ---- An entity officer: scope, CSRF, a decision ----
  step('entity officer: scope, CSRF, a decision in the back office');
  await page.fill('#login-name', 'officer');
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await ready(page, 'dashboard');
  const scoped = await (await api.get(site.webUrl + '/api/indicators?by=entity')).json();
  eq(scoped.map(r => r.entity), [entity], 'an entity officer sees only their entity');
  ok(scoped[0].cost_per_transaction_minor > 0, 'the officer sees their entity\'s cost per transaction');
  eq((await (await api.get(site.webUrl + '/api/indicators')).json())[0].z_reports, null, 'a drawer\'s cash is not split by entity');
  eq((await api.get(site.webUrl + '/api/terminals')).status(), 403, 'terminals are the ministry\'s and centres\' business');
  eq(await page.locator('#terminals').count(), 0, 'no terminals section for an entity');
  ok(!/—/.test(await page.textContent('#cost-table tbody td:nth-child(3)')), 'the officer\'s dashboard shows the cost');
  eq(await (await api.get(site.webUrl + '/api/indicators?f.entity=' + other.entity)).json(), [], 'another entity\'s figures are empty');
  const mine = site.sqlRows(`SELECT COUNT(*) AS n FROM applications WHERE entity = '${entity}'`)[0].n;
  eq((await (await api.get(site.webUrl + '/api/indicators')).json())[0].applications, mine, 'totals are the entity\'s');
  const foreign = await api.get(site.webUrl + `/api/application?terminal=${other.terminal}&reference=${other.reference}`);
  eq(foreign.status(), 404, 'another entity\'s application is refused');
  const me = await (await api.get(site.webUrl + '/api/me')).json();
  const target = site.sqlRows(`SELECT t.id AS terminal, a.reference FROM applications a JOIN terminals t ON t.no = a.terminal WHERE a.entity = '${entity}' AND a.status IN ('submitted','paid','in_review') ORDER BY a.submitted_ms DESC, a.reference LIMIT 1`)[0];
  const body = {terminal: target.terminal, reference: target.reference, status: 'rejected', reason: 'documents_missing', note: 'x'};
  let r = await api.post(site.webUrl + '/api/decide', {data: body});
  eq(r.status(), 403, 'a decision without the CSRF token is refused');
  eq((await r.json()).error, 'error.web.csrf');
  r = await api.post(site.webUrl + '/api/decide', {data: body, headers: {'X-CSRF-Token': me.csrf, Origin: 'http://evil.example'}});
  eq(r.status(), 403, 'a decision from another origin is refused');
  r = await api.post(site.webUrl + '/api/decide', {data: {...body, terminal: other.terminal, reference: other.reference}, headers: {'X-CSRF-Token': me.csrf}});
  eq(r.status(), 404, 'deciding another entity\'s application is refused');
  r = await api.post(site.webUrl + '/api/decide', {data: {...body, reason: 'rejected_other', note: ''}, headers: {'X-CSRF-Token': me.csrf}});
  eq((await r.json()).error, 'error.decision.note_required', '"other" needs the officer\'s words');
  eq(site.sqlRows(`SELECT status FROM applications WHERE reference = '${target.reference}'`)[0].status !== 'rejected', true, 'refusals changed nothing');

  await page.click('#tab-backoffice');
  await ready(page, 'backoffice');
  await page.click(`#apps-table button[data-reference="${target.reference}"]`);
  await page.waitForSelector('#decide-form');
  await axe(page, 'back office');
  await page.check('#decide-rejected');
  await page.selectOption('#decide-reason', 'documents_missing');
  await page.fill('#decide-note', 'صورة الهوية غير واضحة');
  await page.click('#decide-submit');
  await page.waitForFunction(ref => document.body.dataset.decided === ref, target.reference);
  eq(await page.textContent('#decide-message'), ar['web.decide.done']);
  await shot(page, 'backoffice-ar');
  // The terminal takes the decision at its next sync; the citizen's tracking reads its last history row.
  for (const term of site.terminals) site.sync(term);
  const services = JSON.parse(fs.readFileSync(path.join(source, 'assets/i18n/ar/services.json'), 'utf8'));
  const tracked = site.terminals.flatMap(term => site.terminalSql(term,
    `SELECT h.status, h.actor, h.note, h.reason FROM application_history h JOIN applications a ON a.id = h.application_id WHERE a.reference = '${target.reference}' ORDER BY h.id DESC LIMIT 1`));
  eq(tracked.length, 1, 'the terminal that took the application has it');
  eq(tracked[0].status, 'rejected');
  eq(tracked[0].actor, 'central');
  eq(tracked[0].reason, 'documents_missing', 'the reason reaches the tracking (named there in the citizen\'s language)');
  eq(tracked[0].note, 'صورة الهوية غير واضحة', 'the officer\'s words reach the tracking');
  ok(services['decision.reason.documents_missing'].length > 0, 'the tracking has a name for the reason');

  // Approve, then ready for collection, through the API (the page's own calls); a decided application takes no second verdict.
  const second = site.sqlRows(`SELECT t.id AS terminal, a.reference FROM applications a JOIN terminals t ON t.no = a.terminal WHERE a.entity = '${entity}' AND a.status IN ('submitted','paid','in_review') ORDER BY a.reference LIMIT 1`)[0];
  if (second) {
    const hdr = {headers: {'X-CSRF-Token': me.csrf}};
    eq((await api.post(site.webUrl + '/api/decide', {...hdr, data: {terminal: second.terminal, reference: second.reference, status: 'ready'}})).status(), 409, 'ready before approval is refused');
    eq((await api.post(site.webUrl + '/api/decide', {...hdr, data: {terminal: second.terminal, reference: second.reference, status: 'approved', reason: 'documents_complete'}})).status(), 200);
    eq((await api.post(site.webUrl + '/api/decide', {...hdr, data: {terminal: second.terminal, reference: second.reference, status: 'rejected', reason: 'duplicate'}})).status(), 409, 'no second verdict');
    eq((await api.post(site.webUrl + '/api/decide', {...hdr, data: {terminal: second.terminal, reference: second.reference, status: 'ready'}})).status(), 200);
    for (const term of site.terminals) site.sync(term);
    const readyRows = site.terminals.flatMap(term => site.terminalSql(term, `SELECT a.status FROM applications a WHERE a.reference = '${second.reference}'`));
    eq(readyRows.map(x => x.status), ['ready'], 'ready for collection reaches the terminal');
  }

  step('the audit holds every read of personal data and the decision');
  const audit = JSON.parse(site.central('audit', '--data', site.data, '--json'));
  const has = (user, action, subject) => audit.some(a => a.user === user && a.action === action && (!subject || a.subject.startsWith(subject)));
  ok(has('officer', 'application.read', target.terminal + '/' + target.reference), 'the read is audited');
  ok(has('officer', 'decide', target.terminal + '/' + target.reference + ' rejected documents_missing'), 'the decision is audited');
  ok(has('officer', 'application.refused', other.terminal + '/' + other.reference), 'the refused read is audited');
  ok(has('analyst', 'login.failed') && has('locked', 'login.locked'), 'failed sign-ins are audited');

  // A centre's user sees only their centre.
  step('a centre user sees only their centre');
  await page.click('#logout');
  await ready(page, 'login');
  const login = await api.post(site.webUrl + '/api/login', {data: {name: 'dam', password: PASSWORD}});
  eq(login.status(), 200);
  const centres = await (await api.get(site.webUrl + '/api/indicators?by=centre')).json();
  eq(centres.map(x => x.centre), ['DAM-01']);

  // ---- Sessions end when idle; an administrator disables a user or resets a password ----
  step('idle timeout, user disable and enable, password reset, user list');
  const damCookie = (await context.cookies()).find(c => c.name === 'nafitha_session').value;
  const damHash = crypto.createHash('sha256').update(damCookie).digest('hex');
  const row = () => site.sqlRows(`SELECT created_ms, expires_ms FROM web_sessions WHERE token_hash = '${damHash}'`)[0];
  const before = Date.now();
  const signedIn = row();
  ok(signedIn.expires_ms - signedIn.created_ms <= 30 * 60000, 'a new session ends after 30 idle minutes');
  // A session whose idle end is near is given a new one when used (central's clock, not the test's, sets it).
  site.sql(`UPDATE web_sessions SET expires_ms = ${before + 120000} WHERE token_hash = '${damHash}'`);
  eq((await api.get(site.webUrl + '/api/me')).status(), 200);
  ok(row().expires_ms > before + 20 * 60000, 'using the session moves its idle end');
  // What 30 idle minutes leave behind: an expiry in the past. The page then asks for the sign-in again.
  site.sql(`UPDATE web_sessions SET expires_ms = ${before - 1} WHERE token_hash = '${damHash}'`);
  const idle = await api.get(site.webUrl + '/api/me');
  eq(idle.status(), 401, 'an idle session is over');
  eq((await idle.json()).error, 'error.web.signed_out');

  eq((await api.post(site.webUrl + '/api/login', {data: {name: 'dam', password: PASSWORD}})).status(), 200);
  site.central('user', 'disable', '--data', site.data, '--name', 'dam');
  eq((await api.get(site.webUrl + '/api/me')).status(), 401, 'disabling ends the user\'s session at once');
  const disabled = await api.post(site.webUrl + '/api/login', {data: {name: 'dam', password: PASSWORD}});
  eq(disabled.status(), 403, 'a disabled user cannot sign in');
  eq((await disabled.json()).error, 'error.web.disabled');
  const listed = JSON.parse(site.central('user', 'list', '--data', site.data, '--json'));
  ok(listed.find(u => u.name === 'dam').disabled && !listed.find(u => u.name === 'analyst').disabled, 'the user list marks the disabled user');
  eq(listed.map(u => u.name), ['analyst', 'dam', 'locked', 'officer'], 'the user list has every user');
  site.central('user', 'enable', '--data', site.data, '--name', 'dam');
  eq((await api.post(site.webUrl + '/api/login', {data: {name: 'dam', password: PASSWORD}})).status(), 200, 'enabled again');
  assert.throws(() => site.central('user', 'disable', '--data', site.data, '--name', 'nobody'), /no user/);
  // The locked account: a new password from the administrator clears the lock; the old password no longer works.
  site.run(path.join(site.bin, 'nafitha-central'), ['user', 'reset-password', '--data', site.data, '--name', 'locked'], 'a brand new password\n');
  eq((await api.post(site.webUrl + '/api/login', {data: {name: 'locked', password: PASSWORD}})).status(), 401, 'the old password is gone');
  eq((await api.post(site.webUrl + '/api/login', {data: {name: 'locked', password: 'a brand new password'}})).status(), 200, 'the new one opens the account');
  const audit2 = JSON.parse(site.central('audit', '--data', site.data, '--json'));
  ok(audit2.some(a => a.user === 'dam' && a.action === 'login.disabled'), 'the refused sign-in of a disabled user is audited');

  ok(errors.length === 0, 'no script errors: ' + errors.join('; '));
  console.log(`web: ${checks} checks passed; screenshots in ${out}`);
} finally {
  if (browser) await browser.close();
  await site.stop();
}
