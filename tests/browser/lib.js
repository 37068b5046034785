'use strict';
// certhall browser tests: the harness. Debian's chromium driven by puppeteer-core, axe-core on
// every page a test visits, and on a failure a screenshot and the page's console log under the
// run's output directory. Each test prints "ok - NAME" or "not ok - NAME" (tools/test.sh counts
// them).

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const puppeteer = require('puppeteer-core');

const BASE = (process.env.CERTHALL_URL || '').replace(/\/$/, '');
const STACK = process.env.CERTHALL_STACK || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.BROWSER_OUT ||
  path.join(__dirname, 'out', new Date().toISOString().replace(/[:.]/g, '-'));
// Generous for a loaded 2-core machine, yet each wait ends: no test hangs.
const WAIT_MS = Number(process.env.BROWSER_WAIT_MS || 20000);
// Files a run makes for itself (the "scans" it uploads): removed at its end, so that the output
// directory holds only what a failure left to look at.
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'certhall-browser-work.'));
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function log(line) { process.stdout.write(line + '\n'); }

// ---- network idle, counted per document -----------------------------------------------------

// Puppeteer counts a page's requests in flight over the page's whole life: one whose end it
// never hears of keeps every later waitForNetworkIdle of that page waiting to its timeout. Seen
// twice on the payment page right after a navigation cut off the previous page's fetches (the
// server had answered them all). This count is the browser's own (CDP Network events, on a
// session of ours), and a document's requests leave it when the next document commits.
async function countInflight(page) {
  const cdp = await page.createCDPSession();
  const open = new Map(); // requestId -> {doc: the loaderId of the document that made it, url}
  const waiters = new Set();
  const changed = () => { for (const w of waiters) w(); };
  const end = (e) => { if (open.delete(e.requestId)) changed(); };
  cdp.on('Network.requestWillBeSent', (e) => {
    open.set(e.requestId, { doc: e.loaderId, url: e.request.url });
    changed();
  });
  cdp.on('Network.loadingFinished', end);
  cdp.on('Network.loadingFailed', end);
  cdp.on('Page.frameNavigated', (e) => {
    if (e.frame.parentId) return;
    for (const [id, r] of open) if (r.doc !== e.frame.loaderId) open.delete(id);
    changed();
  });
  await cdp.send('Network.enable');
  await cdp.send('Page.enable');
  // Resolves once nothing has been in flight for idleTime ms; rejects after timeout ms with
  // the URLs still open, so that a failure names what the page waited for.
  page.waitForNetworkIdle = ({ idleTime = 500, timeout = page.getDefaultTimeout() } = {}) =>
    new Promise((resolve, reject) => {
      let quiet = null;
      const check = () => {
        clearTimeout(quiet);
        quiet = open.size ? null : setTimeout(finish, idleTime);
      };
      const finish = (err) => {
        clearTimeout(quiet);
        clearTimeout(limit);
        waiters.delete(check);
        if (err) reject(err); else resolve();
      };
      const limit = setTimeout(() => finish(new Error(
        `network not idle after ${timeout} ms: ${[...open.values()].map((r) => r.url).join(' ')}`)),
      timeout);
      waiters.add(check);
      check();
    });
}

// ---- the stack's side: SMS read off the sandbox gateway, TOTP like an authenticator app ------

async function getJson(p) {
  const r = await fetch(BASE + p);
  if (!r.ok) throw new Error(`GET ${p}: ${r.status}`);
  return r.json();
}

async function messages(mobile) {
  const j = await getJson(`/sandbox/messages?to=${mobile}&limit=100`);
  return j.messages || [];
}

// The code of the first SMS to mobile beyond the `before` already seen that matches re, waited for.
async function smsCode(mobile, before, re = /验证码为\s*(\d{6})/) {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const list = await messages(mobile);
    // The gateway lists the newest first.
    for (let i = 0; i < list.length - before; i++) {
      const m = re.exec(list[i].text || '');
      if (m) return m[1];
    }
    if (Date.now() > until) throw new Error(`no SMS code to ${mobile}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

function base32(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, val = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alpha.indexOf(ch);
    if (i < 0) continue;
    val = (val << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((val >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

// The API tests keep each staff member's secret and last step taken in the stack's
// run/totp-USER ("SECRET STEP"): the browser tests share that file, so that neither reuses a
// step the server has taken (it takes each once, ±1 step of now).
function totpFile(user) { return path.join(STACK, 'run', `totp-${user}`); }

function totpLoad(user) {
  try {
    const [secret, last] = fs.readFileSync(totpFile(user), 'utf8').trim().split(/\s+/);
    return { secret, last: Number(last) };
  } catch (e) {
    return null;
  }
}

async function totpFresh(user, secret) {
  const saved = totpLoad(user);
  const last = saved && saved.secret === secret ? saved.last : -1;
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const step = Math.max(last + 1, now);
    if (step <= now + 1) {
      fs.writeFileSync(totpFile(user), `${secret} ${step}\n`);
      return totp(secret, step);
    }
    // All three steps the server takes are used: the authenticator's next code comes.
    await new Promise((res) => setTimeout(res, 1000));
  }
}

// ---- one test ----------------------------------------------------------------------------------

class Test {
  constructor(browser, name) {
    this.browser = browser;
    this.name = name;
    this.pages = [];
    this.console = [];
    this.visited = new Map(); // page path -> checked by axe
    this.contexts = [];
  }

  // A new browser (its own cookies), desktop-sized, or phone-sized with a mobile UA.
  async newPage(opts = {}) {
    const ctx = await this.browser.createBrowserContext();
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    // The pages' CSP (script-src 'self') would refuse the injected axe-core.
    await page.setBypassCSP(true);
    if (opts.phone) {
      await page.setUserAgent(PHONE_UA);
      await page.setViewport(PHONE);
    } else {
      await page.setViewport(DESKTOP);
    }
    page.setDefaultTimeout(WAIT_MS);
    page.setDefaultNavigationTimeout(WAIT_MS);
    await countInflight(page);
    const tag = `[page ${this.pages.length + 1}${opts.phone ? ' phone' : ''}]`;
    page.on('console', (m) => this.console.push(`${tag} console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`${tag} pageerror: ${e.message}`));
    page.on('requestfailed', (r) =>
      this.console.push(`${tag} requestfailed: ${r.url()} ${r.failure() && r.failure().errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) this.console.push(`${tag} ${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('framenavigated', (f) => {
      if (f !== page.mainFrame()) return;
      const u = new URL(f.url());
      if (u.origin === new URL(BASE).origin && !this.visited.has(u.pathname)) this.visited.set(u.pathname, false);
    });
    this.pages.push(page);
    return page;
  }

  // A page a test opened itself (a second tab): its console and screenshot kept as the others'.
  adopt(page) {
    const tag = `[page ${this.pages.length + 1}]`;
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', (m) => this.console.push(`${tag} console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`${tag} pageerror: ${e.message}`));
    page.on('framenavigated', (f) => {
      if (f !== page.mainFrame()) return;
      const u = new URL(f.url());
      if (u.origin === new URL(BASE).origin && !this.visited.has(u.pathname)) this.visited.set(u.pathname, false);
    });
    this.pages.push(page);
    return page;
  }

  async goto(page, p) {
    await page.goto(BASE + p, { waitUntil: 'networkidle0' });
  }

  // axe-core on the page as it stands: serious or critical violations fail the test.
  async axe(page, label = '') {
    await page.waitForNetworkIdle({ idleTime: 200 });
    const u = new URL(page.url());
    const has = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!has) await page.evaluate(AXE_SOURCE);
    const res = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    this.visited.set(u.pathname, true);
    if (res.length) {
      throw new Error(`axe on ${u.pathname}${u.search}${label ? ' (' + label + ')' : ''}:\n  ` + res.join('\n  '));
    }
  }

  // Every page of the hall a test landed on was checked by axe at least once.
  assertAllChecked() {
    const missed = [...this.visited].filter(([, done]) => !done).map(([p]) => p);
    if (missed.length) throw new Error(`pages visited without an axe check: ${missed.join(' ')}`);
  }

  async saveFailure(err) {
    fs.mkdirSync(OUT, { recursive: true });
    const slug = this.name.replace(/[^A-Za-z0-9_-]+/g, '_');
    const shots = [];
    for (let i = 0; i < this.pages.length; i++) {
      const p = this.pages[i];
      if (p.isClosed()) continue;
      const f = path.join(OUT, `${slug}-page${i + 1}.png`);
      try {
        await p.screenshot({ path: f, fullPage: true });
        shots.push(`${f} (${p.url()})`);
      } catch (e) {
        shots.push(`${f}: no screenshot: ${e.message}`);
      }
    }
    const logf = path.join(OUT, `${slug}.console.log`);
    fs.writeFileSync(logf, [`error: ${err.stack || err}`, ...this.console].join('\n') + '\n');
    log(`# ${this.name}: ${String(err.message || err).split('\n').join('\n#   ')}`);
    for (const s of shots) log(`# screenshot: ${s}`);
    log(`# console log: ${logf}`);
  }

  async close() {
    for (const c of this.contexts) await c.close().catch(() => {});
  }
}

// ---- the run -----------------------------------------------------------------------------------

async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certhall-chromium.'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: dir,
    // As root, and with no network beyond this machine: no sandbox, and none of chromium's
    // own connections (they are refused here, many at a time).
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-default-apps', '--lang=zh-CN'],
    protocolTimeout: 60000,
  });
  return { browser, dir };
}

async function run(tests, only) {
  if (!BASE) {
    log('not ok - browser tests: CERTHALL_URL is not set');
    process.exit(1);
  }
  const t0 = Date.now();
  const { browser, dir } = await launch();
  let failed = 0;
  const shared = {};
  for (const [name, fn] of tests) {
    if (only && !only.test(name)) continue;
    const t = new Test(browser, name);
    const t1 = Date.now();
    try {
      await fn(t, shared);
      t.assertAllChecked();
      log(`ok - ${name} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      await t.saveFailure(e);
      log(`not ok - ${name}`);
    }
    await t.close();
  }
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(WORK, { recursive: true, force: true });
  log(`# browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}

module.exports = { BASE, STACK, OUT, WORK, WAIT_MS, log, getJson, messages, smsCode, totpFresh, totpLoad, run };
