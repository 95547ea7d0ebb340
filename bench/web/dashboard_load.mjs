// bench central.dashboard_load_ms: the first load of the dashboard in Debian's Chromium (a fresh browser context
// each time: no cache), signed in, from navigation to the cards, chart, drill-down, terminals, reasons, cash and
// cost tables drawn
// (body[data-ready=dashboard]), against a real nafitha-central on a seeded SQLite store. Target <= 1,000 ms.
// Prints the median of 7 loads, and the slowest.

import path from 'node:path';
import {Site, launchBrowser} from '../../tests/web/harness.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const source = path.resolve(args.source || '.');
const site = new Site(path.resolve(args.bin || 'build/bin'), source);
let browser;
try {
  site.seed(['DAM-01', 'ALP-01', 'HMS-01', 'LAT-01'], 60);
  await site.start();
  site.enrollAndSync();
  site.decideSome(3);
  // A cost given for an entity this month (the dashboard's cost table reads it), as a ministry would.
  const month = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Damascus', year: 'numeric', month: '2-digit'}).format(new Date());
  site.central('costs', 'set', '--data', site.data, '--entity', 'civil', '--month', month, '--amount-minor', '700000');
  site.addUser('analyst', 'ministry', '', 'a long enough password');
  browser = await launchBrowser(source);
  const times = [];
  for (let i = 0; i < 8; ++i) {
    const context = await browser.newContext({viewport: {width: 1280, height: 900}});
    const login = await context.request.post(site.webUrl + '/api/login', {data: {name: 'analyst', password: 'a long enough password'}});
    if (!login.ok()) throw new Error('sign-in failed: ' + login.status());
    const page = await context.newPage();
    const start = Date.now();
    await page.goto(site.webUrl + '/');
    await page.waitForFunction(() => document.body.dataset.ready === 'dashboard');
    const ms = Date.now() - start;
    if (i > 0) times.push(ms); // the first warms the browser process itself, not the page
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`bench central.dashboard_load_ms ${times[Math.floor(times.length / 2)]} ms`);
  console.log(`bench central.dashboard_load_ms_max ${times[times.length - 1]} ms`);
} finally {
  if (browser) await browser.close();
  await site.stop();
}
