// A real nafitha-central on a seeded SQLite store for the web tests and the dashboard benchmark: three real
// terminals (nafitha-ctl simulate: the kiosk's services and journals) at three centres enroll and sync over
// loopback; the seed catalogue is published with its governorate > district > centre hierarchy; web users are
// added with `nafitha-central user add`. Nothing here waits for time: every step waits for a process to end or
// for central to print the line that says its listeners serve.

import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export class Site {
  constructor(bin, source) {
    this.bin = bin;
    this.source = source;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nafitha-web-'));
    this.data = path.join(this.dir, 'central');
    this.terminals = [];
    this.server = null;
  }

  central(...args) { return this.run(path.join(this.bin, 'nafitha-central'), args); }
  ctl(...args) { return this.run(path.join(this.bin, 'nafitha-ctl'), args); }

  run(exe, args, input) {
    try {
      return execFileSync(exe, args, {encoding: 'utf8', input: input || '', stdio: ['pipe', 'pipe', 'pipe']});
    } catch (e) {
      throw new Error(`${path.basename(exe)} ${args.join(' ')} failed (${e.status}): ${e.stderr}`);
    }
  }

  sql(query) {
    return execFileSync('sqlite3', ['-json', path.join(this.data, 'central.db'), query], {encoding: 'utf8'}).trim();
  }
  sqlRows(query) {
    const text = this.sql(query);
    return text ? JSON.parse(text) : [];
  }

  addUser(name, role, scope, password) {
    const args = ['user', 'add', '--data', this.data, '--name', name, '--role', role];
    if (role === 'entity') args.push('--entity', scope);
    if (role === 'centre') args.push('--centre', scope);
    return this.run(path.join(this.bin, 'nafitha-central'), args, password + '\n');
  }

  // Terminals at these centres, `transactions` simulated visits each, published catalogue with the hierarchy.
  seed(centres, transactions) {
    fs.mkdirSync(this.data, {recursive: true, mode: 0o700});
    const catalogue = JSON.parse(fs.readFileSync(path.join(this.source, 'assets/catalogue/seed.json'), 'utf8'));
    catalogue.version = 2;
    const file = path.join(this.dir, 'catalogue-v2.json');
    fs.writeFileSync(file, JSON.stringify(catalogue));
    this.central('catalogue', 'import', '--data', this.data, file);
    centres.forEach((centre, i) => {
      const code = this.central('terminal', 'add', '--data', this.data, '--centre', centre, '--name', 'kiosk-' + i).trim().split('\n').pop();
      const dir = path.join(this.dir, 'terminal-' + i);
      // Each terminal closes its drawer at the end (a Z report): short, exact, over.
      this.ctl('simulate', '--data', dir, '--transactions', String(transactions), '--seed', String(i + 1), '--centre', centre,
               '--close-day', String((i - 1) * 1500));
      this.terminals.push({centre, dir, code});
    });
  }

  // Starts `nafitha-central serve` (terminals', web listeners on free ports) and waits for its "listening" lines.
  async start() {
    const exe = path.join(this.bin, 'nafitha-central');
    this.server = spawn(exe, ['serve', '--data', this.data, '--listen', '127.0.0.1:0', '--admin-listen', 'none',
                              '--web-listen', '127.0.0.1:0'], {stdio: ['ignore', 'pipe', 'pipe']});
    let stderr = '';
    this.server.stderr.on('data', d => { stderr += d; });
    const lines = readline.createInterface({input: this.server.stdout});
    await new Promise((resolve, reject) => {
      this.server.on('exit', code => reject(new Error('nafitha-central serve exited with ' + code + ': ' + stderr)));
      lines.on('line', line => {
        let m = line.match(/^listening on 127\.0\.0\.1:(\d+)/);
        if (m) this.syncUrl = 'http://127.0.0.1:' + m[1];
        m = line.match(/^web listening on 127\.0\.0\.1:(\d+)/);
        if (m) {
          this.webUrl = 'http://127.0.0.1:' + m[1];
          resolve();
        }
      });
    });
    this.server.removeAllListeners('exit');
  }

  enrollAndSync() {
    for (const t of this.terminals) {
      this.ctl('enroll', '--data', t.dir, '--server', this.syncUrl, '--code', t.code);
      this.sync(t);
    }
  }

  // Central's officers decide every `every`-th open application from the command line (the decision path the web
  // back office uses too), then the terminals sync (decisions down, their echoes up).
  decideSome(every) {
    const open = this.sqlRows("SELECT t.id AS terminal, a.reference FROM applications a JOIN terminals t ON t.no = a.terminal " +
                              "WHERE a.status IN ('submitted','paid','in_review') ORDER BY a.submitted_ms, a.reference");
    open.forEach((a, i) => {
      if (i % every !== 0) return;
      this.central('application', 'decide', '--data', this.data, '--ref', a.reference, '--terminal', a.terminal,
                   '--status', i % (2 * every) === 0 ? 'approved' : 'rejected');
    });
    for (const t of this.terminals) this.sync(t);
  }

  sync(t) { this.ctl('sync', '--data', t.dir, '--once', '--server', this.syncUrl); }

  terminalSql(t, query) {
    const text = execFileSync('sqlite3', ['-json', path.join(t.dir, 'terminal.db'), query], {encoding: 'utf8'}).trim();
    return text ? JSON.parse(text) : [];
  }

  async stop() {
    if (this.server && this.server.exitCode === null) {
      const done = new Promise(resolve => this.server.on('exit', resolve));
      this.server.kill('SIGTERM');
      await done;
    }
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

// Debian's chromium through playwright-core: headless, and --no-sandbox because CI runs as root.
export async function launchBrowser(source) {
  const {chromium} = await import(path.join(source, 'web/node_modules/playwright-core/index.mjs'));
  return chromium.launch({
    executablePath: process.env.NAFITHA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}
