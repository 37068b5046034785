'use strict';
// The flows, clicked as a person would: no SQL and no API call past a step a person takes. What
// a person reads off a phone (an SMS code, an authenticator's code) comes from the sandbox's
// gateway or is computed like the app does.
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const DEMO_MOBILE_TAIL = '8000';

async function text(page, sel) {
  return page.$eval(sel, (e) => e.innerText);
}

// Anonymous tracking: a demo order by its number and the handler's mobile's last four digits.
async function tracking(t) {
  const page = await t.newPage();
  await t.goto(page, '/track.html');
  await t.axe(page, 'empty');
  const demo = require('fs').readFileSync(require('path').join(lib.STACK, 'run', 'demo.txt'), 'utf8');
  const m = /^\s+(\d{18})\s+\S+\s+遗失补办\s+已寄出/m.exec(demo);
  if (!m) throw new Error('no shipped demo order in run/demo.txt');
  await page.type('#order-no', m[1]);
  await page.type('#mobile-tail', DEMO_MOBILE_TAIL);
  await page.click('#order-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('#order-result').innerText.includes('已寄出'));
  await t.axe(page, 'order found');
  // A wrong tail is refused without telling whether the order exists.
  await page.$eval('#mobile-tail', (e) => { e.value = ''; });
  await page.type('#mobile-tail', '0000');
  await page.click('#order-form button[type="submit"]');
  await page.waitForFunction(() => !document.querySelector('#order-result').innerText.includes('已寄出'));
  await t.axe(page, 'not found');
}

// ---- helpers -----------------------------------------------------------------------------------

// BROWSER_DEBUG=1: each stage's screenshot and its fields, to write a new flow against.
const DEBUG = !!process.env.BROWSER_DEBUG;
let shot = 0;
async function dump(page, what) {
  if (!DEBUG) return;
  fs.mkdirSync(lib.OUT, { recursive: true });
  const f = path.join(lib.OUT, `debug-${String(++shot).padStart(2, '0')}-${what}.png`);
  await page.screenshot({ path: f, fullPage: true });
  const fields = await page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea, main button, main a')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => `${e.tagName.toLowerCase()} name=${e.name || ''} id=${e.id || ''} type=${e.type || ''} value=${(e.value || '').slice(0, 30)} text=${(e.innerText || '').slice(0, 30)} opts=${e.tagName === 'SELECT' ? [...e.options].map((o) => o.value).join('|') : ''}`));
  lib.log(`# ---- ${what} (${page.url()}) ${f}\n` + (await page.$eval('#pane', (e) => e.innerText).catch(() => page.$eval('main', (e) => e.innerText))).slice(0, 1500) + '\n' + fields.join('\n'));
}

function randomDigits(n) {
  let s = '';
  while (s.length < n) s += String(Math.floor(Math.random() * 10));
  return s;
}

// A USCC with both check digits right (GB 32100-2015, and GB 11714 for the organisation code in it).
function randomUscc() {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  let out = '91110000';
  let osum = 0;
  for (let i = 0; i < 8; i++) {
    const d = Math.floor(Math.random() * 10);
    out += d;
    osum += d * ow[i];
  }
  const oc = 11 - (osum % 11);
  out += oc === 10 ? 'X' : oc === 11 ? '0' : String(oc);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += cs.indexOf(out[i]) * w[i];
  return out + cs[(31 - (sum % 31)) % 31];
}

// A resident ID number with its check digit right (GB 11643).
function randomIdNumber() {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const body = '11010819850312' + randomDigits(3);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
  return body + '10X98765432'[sum % 11];
}

function randomMobile() { return '139' + randomDigits(8); }

// Clears an input and types value, as a person selecting the old text would.
async function fill(page, sel, value) {
  await page.waitForSelector(sel, { visible: true });
  await page.$eval(sel, (e) => { e.value = ''; });
  await page.type(sel, value);
}

// The button whose text is label (inside scope), clicked when it is visible.
async function clickText(page, label, scope = 'body') {
  // page may be an element handle: its own buttons.
  if (typeof page.waitForFunction !== 'function') {
    const el = page;
    const b = await el.evaluateHandle((root, label) => [...root.querySelectorAll('button, a')]
      .find((b) => b.offsetParent !== null && !b.disabled && b.innerText.trim() === label), label);
    if (!b.asElement()) throw new Error(`no button ${label}`);
    await b.asElement().click();
    return;
  }
  const h = await page.waitForFunction((scope, label) => {
    const all = document.querySelectorAll(`${scope} button, ${scope} a, ${scope} input[type=submit]`);
    return [...all].find((b) => b.offsetParent !== null && !b.disabled && (b.innerText || b.value || '').trim() === label);
  }, {}, scope, label);
  await h.asElement().click();
}

async function waitText(page, sel, want, timeout) {
  await page.waitForFunction((sel, want) => {
    const e = document.querySelector(sel);
    return e && e.innerText.includes(want);
  }, timeout ? { timeout } : {}, sel, want);
}

function stepOf(page) { return new URL(page.url()).searchParams.get('step'); }

// Fills the wizard's pane: text fields by name (radios and checkboxes: the value to pick), axe
// on the step as shown (unless opts.axe is false: a step another flow checks), then 保存 and
// the next step waited for.
async function saveStep(t, page, values, opts = {}) {
  const step = stepOf(page);
  await page.waitForSelector('#pane form', { visible: true });
  await page.waitForNetworkIdle();
  if (opts.axe !== false) await t.axe(page, `step ${step}`);
  for (const [name, v] of Object.entries(values)) {
    const sel = `#pane [name="${name}"]`;
    const type = await page.$eval(sel, (e) => e.type).catch(() => null);
    if (!type) continue;
    if (type === 'radio' || type === 'checkbox') {
      await page.click(`${sel}[value="${v}"]`);
      await page.waitForNetworkIdle();
    } else if (type === 'select-one') {
      await page.select(sel, v);
    } else {
      await fill(page, sel, v);
    }
  }
  await dump(page, `${step}-filled`);
  await clickText(page, '保存', '#pane');
  // Either the next step, or this one with its check to start (a verified step).
  await page.waitForFunction((s) => new URLSearchParams(location.search).get('step') !== s ||
    ![...document.querySelectorAll('#pane button')].some((b) => b.innerText.trim() === '保存'), {}, step);
  await page.waitForNetworkIdle();
}

// The 0.01 transfer's memo, read off the sandbox bank's statement in a tab of its own, as the
// organisation's finance would read it off their online bank.
async function bankMemo(t, page, account) {
  const bank = await page.browserContext().newPage();
  t.adopt(bank);
  await t.goto(bank, '/sandbox/ui/bank.html');
  await fill(bank, '#account-no', account);
  await bank.click('#account-form button[type="submit"]');
  await bank.waitForSelector('#info td.memo');
  await t.axe(bank, 'statement');
  await dump(bank, 'sandbox-bank');
  const memo = await bank.$eval('#info td.memo', (e) => e.innerText.trim());
  await bank.close();
  return memo;
}

// The sandbox's face page, on a phone: the person passes the liveness check.
async function faceCheck(t, link) {
  const phone = await t.newPage({ phone: true });
  await phone.goto(link, { waitUntil: 'networkidle0' });
  await phone.waitForSelector('#buttons:not([hidden])');
  await t.axe(phone, 'face');
  await clickText(phone, '模拟认证通过', '#buttons');
  await waitText(phone, '#result', '认证已通过');
  await dump(phone, 'sandbox-face');
  await t.axe(phone, 'face passed');
}

// Whether the stepper ticks the step named name.
async function stepTicked(page, name) {
  return page.evaluate((n) => [...document.querySelectorAll('#stepbar li')]
    .some((li) => li.innerText.includes(n) && li.classList.contains('done')), name);
}

// A printed form, signed, stamped and scanned: the form opens in a window of its own (axe on
// it), a red seal is laid on its seal box as the office's stamp would be, and the "scan" is a
// screenshot of the page. Returns the image's path: a PNG, or a JPEG where the hall takes no
// PNG (type 'jpeg', 001).
let scanNo = 0;
async function printAndScan(t, page, link, type = 'png') {
  const target = page.browser().waitForTarget((tg) => tg.opener() === page.target());
  await link.click();
  const form = t.adopt(await (await target).page());
  await form.setViewport({ width: 800, height: 1131, deviceScaleFactor: 1.5 });
  await form.waitForNetworkIdle();
  await form.setBypassCSP(true);
  await t.axe(form, 'printable form');
  // A material is one image and the page says "不得修改或拼接": the form prints on one A4 page.
  const pdf = Buffer.from(await form.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
  const sheets = (pdf.match(/\/Type\s*\/Page\b/g) || []).length;
  if (sheets !== 1) throw new Error(`${form.url()} prints on ${sheets} A4 pages, not one`);
  await form.evaluate(() => {
    // The box the form names for the seal (单位公章, or the sample sheet's 印章 box), else the
    // page's foot.
    const boxes = [...document.querySelectorAll('td, div, th, section')]
      .filter((e) => /公章|印章/.test(e.textContent) && e.offsetHeight > 60 && e.offsetHeight < 400);
    boxes.sort((a, b) => a.offsetHeight * a.offsetWidth - b.offsetHeight * b.offsetWidth);
    const r = boxes.length ? boxes[0].getBoundingClientRect() : { left: 400, top: document.body.scrollHeight - 300, width: 200, height: 200 };
    const seal = document.createElement('div');
    seal.style.cssText = `position:absolute;left:${r.left + window.scrollX + r.width / 2 - 65}px;` +
      `top:${r.top + window.scrollY + r.height / 2 - 65}px;width:130px;height:130px;` +
      'border:6px solid #d00;border-radius:50%;color:#d00;font:bold 20px sans-serif;' +
      'display:flex;align-items:center;justify-content:center;transform:rotate(-12deg);';
    seal.textContent = '合同专用章';
    document.body.appendChild(seal);
  });
  const f = path.join(lib.WORK, `scan-${++scanNo}.${type === 'jpeg' ? 'jpg' : 'png'}`);
  await form.screenshot({ path: f, fullPage: true, type, ...(type === 'jpeg' ? { quality: 90 } : {}) });
  await form.close();
  return f;
}

// A scan of a paper with no form on it (a licence, an ID card's copy): a page of text lines
// with the office's red seal, drawn in a blank tab and screenshotted (type: as printAndScan's).
async function photoScan(page, type = 'png') {
  const p = await page.browserContext().newPage();
  await p.setViewport({ width: 620, height: 877 });
  await p.setContent('<body style="margin:40px;font:18px sans-serif;background:#fff">' +
    '<h1>营业执照（副本）复印件</h1>' + '<p>统一社会信用代码 与原件一致 仅供办理数字证书使用</p>'.repeat(8) +
    '<div style="position:absolute;left:380px;top:600px;width:150px;height:150px;border:6px solid #d00;' +
    'border-radius:50%"></div></body>');
  const f = path.join(lib.WORK, `scan-${++scanNo}.${type === 'jpeg' ? 'jpg' : 'png'}`);
  await p.screenshot({ path: f, type, ...(type === 'jpeg' ? { quality: 90 } : {}) });
  await p.close();
  return f;
}

// Every required material the materials step takes now, uploaded: the printed forms' scans, and
// the generic scan for the rest. The seal sheet only when its scan is given (004 requires it).
// A material the hall takes in pages (an ID card copy: 正面, 背面) gets each of its pages.
async function uploadAll(page, scans, generic) {
  const boxes = await page.$$eval('#pane input[type="file"]', (l) =>
    l.map((e) => ({ id: e.id, kind: e.dataset.kind, n: Number(e.dataset.page) })));
  if (boxes.some((b) => !b.kind || !b.n)) throw new Error(`an upload box names no material or page: ${JSON.stringify(boxes)}`);
  for (const { id, kind, n } of boxes) {
    const label = kind === 'application_form' ? scans.application
      : kind === 'authorisation_letter' ? scans.authorisation
        : kind === 'seal_sample' ? scans.seal : generic;
    if ((kind === 'seal_sample' && !scans.seal) || kind === 'payment_voucher') continue; // 选传
    // The box is drawn anew after each upload of its card: found again by its id.
    const input = await page.$(`#${id}`);
    const done = page.waitForResponse((r) => r.request().method() === 'POST' &&
      r.url().includes(`/materials/${kind}`) && (n > 1) === r.url().includes(`?page=${n}`));
    await input.uploadFile(label);
    const r = await done;
    if (r.status() !== 201) throw new Error(`upload of ${kind} page ${n}: ${r.status()} ${await r.text()}`);
    const got = (await r.json()).material || {};
    if (Number(got.page) !== n) throw new Error(`upload of ${kind} page ${n} stored as page ${got.page}`);
    await page.waitForNetworkIdle();
  }
}

// Each of KINDS (materials of two pages: an ID card copy) shows both pages in the materials
// step, side by side: each box titled by the server's name of the page, its thumbnail loaded.
async function bothPagesShown(page, kinds) {
  const want = '正面（人像面）:img|背面（国徽面）:img';
  const shown = () => page.$$eval('#pane article.material', (cards) => Object.fromEntries(cards.map((c) =>
    [c.dataset.kind, [...c.querySelectorAll('.material-page')].map((p) => {
      const img = p.querySelector('figure.thumb img');
      return `${(p.querySelector('.page-title') || {}).innerText}:${img && img.complete && img.naturalWidth > 0 ? 'img' : 'none'}`;
    }).join('|')])));
  for (let i = 0; i < 50; i++) {
    const got = await shown();
    if (kinds.every((k) => got[k] === want)) return;
    if (i === 49) throw new Error(`the pages shown: ${JSON.stringify(got)}; wanted ${want} for ${kinds.join(', ')}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

// ---- the applicant -----------------------------------------------------------------------------

// Registration of a new organisation, its SMS code read off the sandbox gateway.
async function registerOrg(t, page, uscc = randomUscc()) {
  const mobile = randomMobile();
  await t.goto(page, '/login.html');
  await t.axe(page, 'login');
  await page.click('#tab-register');
  await page.waitForSelector('#reg-name', { visible: true });
  await t.axe(page, 'register');
  await fill(page, '#reg-name', '浏览器测试示范有限公司');
  await fill(page, '#reg-uscc', uscc);
  await fill(page, '#reg-mobile', mobile);
  const before = (await lib.messages(mobile)).length;
  await page.click('#reg-send');
  await fill(page, '#reg-code', await lib.smsCode(mobile, before));
  await fill(page, '#reg-password', 'Browser2026hall');
  await fill(page, '#reg-password2', 'Browser2026hall');
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
    page.click('#form-register button[type="submit"]')]);
  return { uscc, mobile };
}

// The enterprise step and its account (金融认证信息) saved, and the organisation proven by the
// 0.01 transfer: its memo read off the sandbox bank's statement and typed in. The memo is 002's
// certificate PIN too (证书密码在对公账户收款1分钱记录附言中查询): kept in shared.memo. extra: the
// hall's own fields or another address (another hall's steps).
async function enterpriseByTransfer(t, page, shared, extra = {}) {
  const account = '6222' + randomDigits(12);
  shared.account = account;
  const values = {
    province: '北京市', city: '北京市', district: '海淀区', address: '中关村大街 1 号',
    method: 'transfer', bank: '中国工商银行北京中关村支行', account_no: account, ...extra,
  };
  await saveStep(t, page, values); // enterprise: then its account (金融认证信息)
  await saveStep(t, page, values);
  await clickText(page, '开始核验', '#pane');
  await page.waitForNetworkIdle();
  await dump(page, 'transfer-started');
  // A hall that pays the 0.01 only after approval (001) checks the account at once.
  await page.waitForFunction(() => document.getElementById('f-verify-memo') ||
    document.getElementById('pane').innerText.includes('核验通过'));
  if (await page.$('#f-verify-memo')) {
    shared.memo = await bankMemo(t, page, account);
    await fill(page, '#f-verify-memo', shared.memo);
    await clickText(page, '提交备注码', '#pane');
  }
  await waitText(page, '#pane', '通过');
  await t.axe(page, 'enterprise passed');
  await dump(page, 'enterprise-passed');
}

// The handler step saved with who.handler's mobile and checked by face: the SMS's link opened
// on the handler's phone, the sandbox's camera page, and the wizard showing the pass by itself.
async function handlerByFace(t, page, who) {
  await saveStep(t, page, {
    name: '张浏览', id_number: randomIdNumber(), mobile: who.handler, email: 'handler@example.com',
    position: '行政专员', method: 'face',
  });
  await dump(page, 'handler-saved');
  const before = (await lib.messages(who.handler)).length;
  await clickText(page, '发送刷脸链接到手机', '#pane');
  await page.waitForNetworkIdle();
  await t.axe(page, 'face pending');
  await dump(page, 'face-started');
  if (await stepTicked(page, '经办人信息认证')) throw new Error('the handler step is ticked while its face check is pending');
  const link = await lib.smsCode(who.handler, before, /(https?:\/\/\S+\/sandbox\/verify\/face\/[0-9a-f]+)/);
  await faceCheck(t, link);
  await waitText(page, '#pane', '核验通过');
  await t.axe(page, 'handler passed');
}

// The start page: the hall channel (bjca-zycg unless named), 新办, and the certificate kind
// (its first unless named).
async function pickNew(page, channel = 'bjca-zycg', kind = null) {
  await page.waitForSelector('#start-form', { visible: true });
  await page.click(`input[name="channel"][value="${channel}"]`);
  await page.waitForSelector('input[name="business"][value="new"]', { visible: true });
  await page.click('input[name="business"][value="new"]');
  const k = kind ? `input[name="kind"][value="${kind}"]` : 'input[name="kind"]';
  await page.waitForSelector(k, { visible: true });
  await page.click(k);
}

async function applicantNew(t, shared) {
  const page = await t.newPage();
  const who = await registerOrg(t, page);
  // The handler's own mobile, not the account's: a code per minute per mobile, and the
  // registration's was just sent.
  who.handler = randomMobile();
  shared.applicant = who;
  await dump(page, 'after-register');
  await page.waitForSelector('main table, main .empty, main p');
  await t.axe(page, 'orders, none yet');
  await t.goto(page, '/apply.html');
  await pickNew(page);
  await dump(page, 'apply-start');
  await t.axe(page, 'start');
  await Promise.all([page.waitForSelector('#wizard', { visible: true }),
    clickText(page, '创建订单，开始填写', '#start-form')]);
  await page.waitForNetworkIdle();
  await t.axe(page, 'agreements');
  for (const box of await page.$$('#pane input[type="checkbox"]')) await box.click();
  await clickText(page, '同意并继续', '#pane');
  await page.waitForFunction(() => /step=enterprise/.test(location.search));
  await page.waitForNetworkIdle();
  // Saved empty: every fault at once, beside each field and in a summary at the top.
  await page.waitForSelector('#pane form', { visible: true });
  await page.waitForNetworkIdle();
  await clickText(page, '保存', '#pane');
  await page.waitForSelector('#pane .error-summary li', { visible: true });
  const faults = await page.$$eval('#pane .error-summary li', (l) => l.length);
  const marked = await page.$$eval('#pane .field-error', (l) => l.length);
  if (faults < 4 || marked !== faults) throw new Error(`an empty step shows ${faults} faults, ${marked} beside fields`);
  await t.axe(page, 'enterprise faults');
  await dump(page, 'enterprise-faults');
  await enterpriseByTransfer(t, page, shared);
  // 下一步 on 金融认证信息 leads to the unfinished 经办人信息认证 before it, not past it.
  await clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'handler');
  await page.waitForNetworkIdle();
  await handlerByFace(t, page, who);
  await clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'handler');
  await page.waitForNetworkIdle();
  await clickText(page, '下一步', '#pane'); // financial, done: on to the product
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'product');
  // 002: BJCA sells one year: only 1 年 is offered.
  await page.waitForSelector('#pane select[name="years"]', { visible: true });
  const years = await page.$$eval('#pane select[name="years"] option', (o) => o.map((x) => x.value).join(','));
  if (years !== '1') throw new Error(`the years offered are ${years}, not 1 only`);
  // The recipient defaults to the handler (000): filled in, not merely said.
  const recipient = await page.$eval('#pane [name="mail_recipient"]', (e) => e.value);
  if (recipient !== '张浏览') throw new Error(`收件人 is "${recipient}", not the handler`);
  await saveStep(t, page, {
    e_invoice: '0', mail_recipient: '张浏览', mail_mobile: who.handler, mail_province: '北京市',
    mail_city: '北京市', mail_county: '海淀区', mail_address: '中关村大街 1 号', mail_postcode: '100080',
  });
  await t.axe(page, 'product confirm');
  await clickText(page, '确认无误，下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'product');
  await page.waitForNetworkIdle();
  if (!await stepTicked(page, '经办人信息认证')) throw new Error('the handler step is not ticked once its check passed');
  if (await stepTicked(page, '打印申请表')) throw new Error('打印申请表 is ticked on arrival, before the form came back');
  const scans = {};
  for (const a of await page.$$('#pane a[target="_blank"], #pane a[href*="/forms/"]')) {
    const href = await a.evaluate((e) => e.getAttribute('href'));
    const form = /\/forms\/(\w+)/.exec(href)[1];
    scans[form] = await printAndScan(t, page, a);
  }
  await clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'form');
  await page.waitForNetworkIdle();
  await t.axe(page, 'materials');
  const generic = await photoScan(page);
  await uploadAll(page, scans, generic);
  await waitText(page, '#pane', '必需的材料已全部上传');
  await bothPagesShown(page, ['handler_id']);
  await t.axe(page, 'materials uploaded');
  await dump(page, 'materials-uploaded');
  await clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'materials');
  await page.waitForNetworkIdle();
  await t.axe(page, 'sign');
  await signWithCode(page, who.handler, '签署并提交');
  await waitText(page, '#pane', '申请已提交');
  await t.axe(page, 'submitted');
  shared.order = new URL(page.url()).searchParams.get('order');
  await waitText(page, '#order-head', '待支付');
}

// A staff member logs in to the console (page: staff.html or staff-order.html, showing its login
// form): the password, then the authenticator's code, or the enrolment of one on a first login
// on this stack (the secret the page shows, as an app would scan it off the QR code).
async function staffLogin(t, page, user) {
  await page.waitForSelector('#login-username', { visible: true });
  await t.axe(page, 'staff login');
  await fill(page, '#login-username', user);
  await fill(page, '#login-password', 'Staff2026hall');
  await clickText(page, '登录', '#login-section');
  // Enrolled: the code prompt; not yet: the enrolment's button, then the secret and the prompt.
  await page.waitForFunction(() => document.getElementById('factor-code') ||
    [...document.querySelectorAll('button')].some((b) => b.innerText.trim() === '绑定动态口令'));
  await page.waitForNetworkIdle();
  await t.axe(page, 'second factor');
  if (!(await page.$('#factor-code'))) {
    await clickText(page, '绑定动态口令');
    await page.waitForSelector('#factor-code', { visible: true });
    await page.waitForNetworkIdle();
    await t.axe(page, 'enrol an authenticator');
  }
  let secret = await page.$eval('.factor-secret', (e) => e.innerText.trim()).catch(() => null);
  if (!secret) {
    const saved = lib.totpLoad(user);
    if (!saved) throw new Error(`no authenticator enrolled for ${user} on this stack`);
    secret = saved.secret;
  }
  await fill(page, '#factor-code', await lib.totpFresh(user, secret));
  await page.$eval('#factor-code', (e) => e.form.requestSubmit());
  await page.waitForSelector('#login-section', { hidden: true });
  await page.waitForNetworkIdle();
}

async function staffReview(t, shared) {
  if (!shared.order) throw new Error('no paid order from the applicant flows');
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await staffLogin(t, page, 'reviewer');
  await openFromQueue(t, page, shared.order);
  await clickText(page, '领取', '#claim-line');
  await page.waitForNetworkIdle();
  await idCardPages(page);
  await dump(page, 'staff-id-pages');
  // The licence's copy is refused: the applicant is to upload it again.
  await clickText(await materialCard(page, '营业执照副本复印件'), '驳回');
  const card = await materialCard(page, '营业执照副本复印件');
  await card.waitForSelector('select[name="reason_code"]', { visible: true });
  await t.axe(page, 'material refusal');
  await pickFirst(card, 'select[name="reason_code"]');
  await card.$eval('form', (f) => f.requestSubmit());
  await page.waitForFunction(() => document.getElementById('materials').innerText.includes('已驳回'));
  await page.waitForNetworkIdle();
  await t.axe(page, 'material refused');
  // No decision is made for the reviewer, and no approval offered while a scan stands refused.
  const choice = await page.$$eval('form.decision-form input[name="decision"]', (l) =>
    l.map((e) => `${e.value}:${e.checked ? 'checked' : ''}:${e.disabled ? 'disabled' : ''}`).join(' '));
  if (choice !== 'approve::disabled return:: reject::') throw new Error(`decision choices: ${choice}`);
  await dump(page, 'decision-with-refused-scan');
  await decide(t, page, 'return');
  await waitText(page, '#order-badges', '已退回');
  await t.axe(page, 'returned');
  await dump(page, 'returned');
  // The returned list shows it with the note typed and when; its link leads back to the order.
  const row = await returnedList(t, page, shared.order);
  if (!row || !row.includes(RETURN_NOTE) || !/退回于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(row)) {
    throw new Error(`the returned list's row: ${row}`);
  }
  await openListed(page, shared.order);

  // The applicant: the order is back in 我的订单, the licence is uploaded again, and signed anew.
  const app = await t.newPage();
  await login(t, app, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(app, 'orders, returned');
  const edit = await app.waitForFunction((no) => [...document.querySelectorAll('main a')]
    .find((a) => a.innerText.trim() === '修改并重新提交' && a.href.includes(no)), {}, shared.order);
  await Promise.all([app.waitForNavigation({ waitUntil: 'networkidle0' }), edit.asElement().click()]);
  await app.waitForSelector('#wizard', { visible: true });
  await app.waitForNetworkIdle();
  await t.axe(app, 'returned order');
  await uploadAll(app, {}, await photoScan(app));
  await waitText(app, '#pane', '必需的材料已全部上传');
  // The return's banner no longer asks for what was uploaded again.
  await waitText(app, '#notice', '已重新上传：营业执照副本复印件');
  if ((await text(app, '#notice')).includes('需要修改或重新上传')) throw new Error('the banner still asks for the re-uploaded licence');
  await t.axe(app, 'uploaded again');
  await clickText(app, '下一步', '#pane');
  await app.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'sign');
  await app.waitForNetworkIdle();
  await t.axe(app, 'sign again');
  await signWithCode(app, shared.applicant.handler, '重新提交');
  await waitText(app, '#order-head', '审核中');
  await t.axe(app, 'resubmitted');
  // Resubmitted: no longer waiting for its applicant.
  const stale = await returnedList(t, page, shared.order);
  if (stale) throw new Error(`the resubmitted order is still in the returned list: ${stale}`);
  await openListed(page, shared.order);

  // The reviewer: the order again (refreshed), the new licence accepted, approved.
  await clickText(page, '刷新', '#order-view');
  await waitText(page, '#order-badges', '审核中');
  await page.waitForNetworkIdle();
  const again = await materialCard(page, '营业执照副本复印件');
  if ((await again.evaluate((e) => e.innerText)).includes('已驳回')) throw new Error('the new licence shows as refused');
  await clickText(again, '通过');
  await page.waitForNetworkIdle();
  // The ID card's one decision takes both its pages.
  await clickText(await materialCard(page, '经办人身份证复印件'), '通过');
  await page.waitForNetworkIdle();
  const idCard = await idCardPages(page);
  if (!(await idCard.evaluate((e) => e.querySelector('.result-head').innerText)).includes('已通过')) {
    throw new Error(`the ID card's copy once accepted: ${await idCard.evaluate((e) => e.innerText)}`);
  }
  await decide(t, page, 'approve');
  await page.waitForFunction(() => !/审核中/.test(document.getElementById('order-badges').innerText));
  await page.waitForNetworkIdle();
  await waitText(page, '#order-badges', '审核通过');
  await t.axe(page, 'approved');
  shared.approved = true;
}

// Shipping: the approval's 0.01 transfer credited at the sandbox bank, the key made on the
// sandbox token, the parcel registered with its waybill; then anyone follows it by its number.
async function shipping(t, shared) {
  if (!shared.approved) throw new Error('no approved order from the reviewer flow');
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await staffLogin(t, page, 'shipping');
  await openFromQueue(t, page, shared.order);
  const waybill = await makeAndShip(t, page);
  await trackOrder(t, shared.order, shared.applicant.handler, ['已寄出', waybill]);
  shared.shipped = true;
}

// On the order's staff page, shipping's part: a hall that checks the basic account after
// approval (001) waits for its 0.01 transfer, which the sandbox bank credits; the key made on
// the sandbox token; the parcel registered with an SF waybill, which is returned.
async function makeAndShip(t, page) {
  await page.waitForSelector('#actions button', { visible: true });
  if ((await text(page, '#actions')).includes('沙箱银行：已入账')) {
    await clickText(page, '沙箱银行：已入账（开发环境）', '#actions');
  }
  await page.waitForSelector('#m-csr', { visible: true });
  await page.waitForNetworkIdle();
  await t.axe(page, 'make the key');
  await clickText(page, '沙箱介质生成（开发环境）', '#actions');
  await page.waitForFunction(() => document.getElementById('m-csr').value.includes('BEGIN CERTIFICATE REQUEST'));
  await clickText(page, '登记已制作', '#actions');
  await page.waitForSelector('#s-number', { visible: true });
  await page.waitForNetworkIdle();
  await t.axe(page, 'ship');
  await page.select('#s-carrier', 'sf');
  const waybill = 'SF' + randomDigits(12);
  await fill(page, '#s-number', waybill);
  await page.$eval('#s-number', (e) => e.form.requestSubmit());
  await waitText(page, '#order-badges', '已寄出');
  await page.waitForNetworkIdle();
  await t.axe(page, 'shipped');
  return waybill;
}

// Anyone with the order's number and the last four digits of the handler's MOBILE follows it
// on the public track page, which shows each of WANT.
async function trackOrder(t, no, mobile, want) {
  const track = await t.newPage();
  await t.goto(track, '/track.html');
  await fill(track, '#order-no', no);
  await fill(track, '#mobile-tail', mobile.slice(-4));
  await track.click('#order-form button[type="submit"]');
  for (const w of want) await waitText(track, '#order-result', w);
  await t.axe(track, `order ${want[0]}`);
  await dump(track, 'tracked');
}

// 002 "2.8 接收证书产品": the key delivered, the applicant binds it to the account by its serial
// (我的证书 shows it, as the key's shell does), then logs in with it on the login page's
// 证书登录: the sandbox token stands in for the key helper, and the PIN is the 0.01 transfer's
// memo (002 "证书密码在对公账户收款1分钱记录附言中查询"), which the token tool set.
async function certLogin(t, shared) {
  if (!shared.shipped || !shared.memo) throw new Error('no key made and shipped by the shipping flow');
  const page = await t.newPage();
  await login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.goto(page, '/certs.html');
  await waitText(page, '#certs', '介质序列号');
  await t.axe(page, 'my certificates');
  const token = await page.evaluate(() => {
    const dt = [...document.querySelectorAll('#certs dt')].find((e) => e.textContent === '介质序列号');
    return dt ? dt.nextElementSibling.textContent.trim() : '';
  });
  if (!/^[0-9A-F]{16}$/.test(token)) throw new Error(`no token serial on 我的证书: "${token}"`);
  await fill(page, '#bind-token', token);
  await page.click('#bind-form button[type="submit"]');
  await waitText(page, '#bind-form .form-result', '绑定成功');
  await waitText(page, '#bindings', token);
  await t.axe(page, 'bound');
  await dump(page, 'bound');

  // Another browser: the key, its PIN, and the account is open.
  const other = await t.newPage();
  await t.goto(other, '/login.html');
  await other.waitForSelector('#tab-cert', { visible: true });
  await other.click('#tab-cert');
  await other.waitForSelector(`#cert-token option[value="${token}"]`);
  await other.select('#cert-token', token);
  await t.axe(other, 'certificate login');
  await fill(other, '#cert-pin', shared.memo);
  await Promise.all([other.waitForNavigation({ waitUntil: 'networkidle0' }),
    other.click('#form-cert button[type="submit"]')]);
  if (!/orders\.html/.test(other.url())) throw new Error(`certificate login went to ${other.url()}`);
  await t.axe(other, 'logged in by certificate');
  await dump(other, 'cert-login');
}

// The signing code: asked for, read off the handler's phone, typed, and submitted with the
// button labelled submit. A code asked for within the minute is refused with the seconds to
// wait: the person waits as told and asks again.
async function signWithCode(page, mobile, submit) {
  for (let tries = 0; ; tries++) {
    const n = (await lib.messages(mobile)).length;
    await clickText(page, '获取验证码', '#pane');
    await page.waitForNetworkIdle();
    const wait = /过于频繁，请\s*(\d+)\s*秒后再试/.exec(await text(page, '#pane'));
    if (wait && tries < 2) {
      await new Promise((res) => setTimeout(res, (Number(wait[1]) + 1) * 1000));
      continue;
    }
    await fill(page, '#f-sign-code', await lib.smsCode(mobile, n));
    break;
  }
  await clickText(page, submit, '#pane');
}

// The order's payment step: METHOD's QR (wechat, alipay) for AMOUNT, paid on the sandbox phone
// in another browser, as the payer's phone scanning the screen would; the page sees it by
// itself and the order moves to STATE.
async function payByQr(t, page, method, amount, state) {
  await page.waitForSelector('#pane input[name="method"]', { visible: true });
  await page.click(`#pane input[name="method"][value="${method}"]`);
  await clickText(page, '确认支付方式', '#pane');
  await page.waitForSelector('#pane .qr-box svg', { visible: true });
  await waitText(page, '#pane', amount);
  await t.axe(page, 'QR');
  await dump(page, `pay-${method}`);
  const payNo = (await text(page, '#pane .pay-slot')).match(/支付流水号：\s*(\S+)/)[1];
  const wallet = await t.newPage({ phone: true });
  await t.goto(wallet, `/sandbox/ui/phone.html?pay_no=${encodeURIComponent(payNo)}`);
  await wallet.waitForSelector('#buttons:not([hidden])');
  await t.axe(wallet, 'sandbox phone');
  await clickText(wallet, '确认支付', '#buttons');
  await waitText(wallet, '#result', '支付成功');
  // What follows the payment runs in the background (an online renewal's certificate is
  // issued by the CA): a loaded machine takes longer than one page's wait (seen at 20 s).
  await waitText(page, '#order-head', state, 60000);
  await page.waitForNetworkIdle();
  await t.axe(page, 'paid');
}

const RETURN_NOTE = '营业执照复印件不清晰，请重新扫描上传。';

// The decision form of the order page: DECISION (approve, return) with the first reason
// offered, submitted.
async function decide(t, page, decision) {
  const form = await page.waitForSelector('form.decision-form', { visible: true });
  await form.$eval(`input[name="decision"][value="${decision}"]`, (e) => e.click());
  if (decision !== 'approve') {
    await page.waitForSelector('#d-reason', { visible: true });
    await pickFirst(page, '#d-reason');
    await fill(page, '#d-note', RETURN_NOTE);
  }
  await t.axe(page, `decision ${decision}`);
  await form.evaluate((f) => f.requestSubmit());
  await page.waitForNetworkIdle();
}

async function pickFirst(scope, sel) {
  const v = await scope.$eval(sel, (e) => [...e.options].find((o) => o.value).value);
  await (await scope.$(sel)).select(v);
}

// The handler's ID card copy on the staff order page: its two pages side by side, each titled by
// the server's name of it with its thumbnail loaded, and one decision for the material.
async function idCardPages(page) {
  const card = await materialCard(page, '经办人身份证复印件');
  const sides = () => card.evaluate((c) => [...c.querySelectorAll('.material-pages > figure.material-page')].map((f) => {
    const img = f.querySelector('img');
    return `${f.querySelector('figcaption').innerText.trim()}:${img && img.complete && img.naturalWidth > 0 ? 'img' : 'none'}`;
  }).join('|'));
  let got = '';
  for (let i = 0; i < 50 && got !== '正面（人像面）:img|背面（国徽面）:img'; i++) {
    if (i) await new Promise((res) => setTimeout(res, 200));
    got = await sides();
  }
  if (got !== '正面（人像面）:img|背面（国徽面）:img') throw new Error(`the ID card's pages on the staff page: ${got}`);
  const forms = await card.$$eval('.material-form', (l) => l.length);
  if (forms !== 1) throw new Error(`the ID card's copy has ${forms} decision forms, not one`);
  return card;
}

// The card of the material named name on the staff order page.
async function materialCard(page, name) {
  const h = await page.waitForFunction((name) => {
    const heads = [...document.querySelectorAll('#materials h3, #materials h4, #materials strong, #materials .title')];
    const head = heads.find((e) => e.innerText.trim().startsWith(name));
    if (!head) return null;
    let e = head;
    while (e && e.parentElement && !e.querySelector('button')) e = e.parentElement;
    return e;
  }, {}, name);
  return h.asElement();
}

// The queue, filtered by the order's number, and the order opened from it.
async function openFromQueue(t, page, no) {
  await page.waitForSelector('#queue-result table, #queue-result p', { visible: true });
  await t.axe(page, 'queue');
  await fill(page, '#f-order-no', no);
  await clickText(page, '查询', '#filter-form');
  // The list is drawn anew from the filtered answer: only then is its link the one to click.
  await page.waitForFunction((no) => {
    const rows = [...document.querySelectorAll('#queue-result tbody tr')];
    return rows.length === 1 && rows[0].innerText.includes(no);
  }, {}, no);
  await page.waitForNetworkIdle();
  await openListed(page, no);
  await t.axe(page, 'order');
}

// The reviewer's returned list (已退回（待申请人补正）) picked on the queue page, filtered by the
// order's number, and read again after a reload of its address: the order's row as text, or
// null where the list has none.
async function returnedList(t, page, no) {
  await t.goto(page, '/staff.html');
  await page.waitForSelector('#queue-result table, #queue-result p', { visible: true });
  const lists = await page.$$eval('#f-queue option', (l) => l.map((o) => o.value).join(','));
  if (lists !== 'review,returned') throw new Error(`the reviewer's lists: ${lists}`);
  await page.select('#f-queue', 'returned');
  await waitText(page, '#queue-lead', '等待申请人补正');
  if (!(await page.$eval('#state-field', (e) => e.hidden))) throw new Error('the returned list offers a state filter');
  await fill(page, '#f-order-no', no);
  await clickText(page, '查询', '#filter-form');
  const row = await listedRow(page, no);
  await t.axe(page, row ? 'returned list' : 'returned list, empty');
  await dump(page, row ? 'returned-list' : 'returned-list-empty');
  const addr = new URL(page.url()).searchParams;
  if (addr.get('queue') !== 'returned' || addr.get('order_no') !== no) throw new Error(`the list's address: ${page.url()}`);
  await page.reload({ waitUntil: 'networkidle0' });
  const again = await listedRow(page, no);
  if ((await page.$eval('#f-queue', (e) => e.value)) !== 'returned' || again !== row) {
    throw new Error(`the list's address reloaded: ${await page.$eval('#f-queue', (e) => e.value)}, ${again}`);
  }
  return row;
}

// The returned list's answer filtered by NO: its one row's text, or null for the empty state.
async function listedRow(page, no) {
  const h = await page.waitForFunction((no) => {
    const res = document.getElementById('queue-result');
    if (res.getAttribute('aria-busy')) return false;
    const rows = [...res.querySelectorAll('tbody tr')];
    if (rows.length === 1 && rows[0].innerText.includes(no)) {
      return res.querySelectorAll('th')[5].innerText === '退回原因' && rows[0].innerText.replace(/\s+/g, ' ');
    }
    const empty = res.querySelector('.empty-state');
    return empty && empty.innerText.includes('已退回') && empty.innerText.includes(no) && 'none';
  }, {}, no);
  const v = await h.jsonValue();
  return v === 'none' ? null : v;
}

// From the queue page (a row, or the empty state's link) to the order page of NO.
async function openListed(page, no) {
  const link = await page.waitForSelector(`#queue-result a[href*="${no}"]`, { visible: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), link.click()]);
  await page.waitForSelector('#order-view:not([hidden])');
  await page.waitForNetworkIdle();
}

async function login(t, page, name, password) {
  await t.goto(page, '/login.html');
  await t.axe(page, 'login');
  await fill(page, '#pw-login', name);
  await fill(page, '#pw-password', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
    page.click('#form-password button[type="submit"]')]);
}

// The applicant pays on their phone (390x844, a mobile UA): one cannot scan one's own screen,
// so the page offers the provider's H5 page (WeChat H5), which the sandbox "phone" stands in
// for; paid there, its 返回商户页面 leads back to the order's payment step.
async function phonePayment(t, shared) {
  if (!shared.order) throw new Error('no submitted order from the applicant flow');
  const page = await t.newPage({ phone: true });
  await login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'orders on a phone');
  // 我的订单: the order's 去支付.
  const pay = await page.waitForSelector(`a[href*="${shared.order}"][href*="step=pay"]`, { visible: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), pay.click()]);
  await page.waitForSelector('#pane input[name="method"]', { visible: true });
  await t.axe(page, 'pay on a phone');
  await page.click('#pane input[name="method"][value="wechat"]');
  await clickText(page, '确认支付方式', '#pane');
  const open = await page.waitForSelector('#pane a.h5-pay-link', { visible: true });
  await t.axe(page, 'H5 payment on a phone');
  // Nothing may stand out of the phone's screen: no sideways scrolling.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) throw new Error(`the payment page is ${wide}px wide on a 390px phone`);
  await dump(page, 'phone-pay');
  const label = await page.evaluate((a) => a.textContent, open);
  if (!label.includes('微信支付')) throw new Error(`the H5 link reads "${label}"`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), open.click()]);
  if (!page.url().includes('/sandbox/ui/phone.html?pay_no=')) throw new Error(`the H5 link opened ${page.url()}`);
  await page.waitForSelector('#buttons:not([hidden])');
  await t.axe(page, 'sandbox phone');
  await clickText(page, '确认支付', '#buttons');
  await waitText(page, '#result', '支付成功');
  await dump(page, 'sandbox-phone');
  const back = await page.waitForSelector('#back:not([hidden]) a', { visible: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), back.click()]);
  if (!page.url().includes(`order=${shared.order}`)) throw new Error(`返回商户页面 led to ${page.url()}`);
  await waitText(page, '#pane', '已支付');
  await t.axe(page, 'paid on a phone');
  await dump(page, 'phone-paid');
}

// Older users (GB/T 37668-2019, MIIT's age-friendly rules): a skip link first in the tab
// order; 大字模式 grows the root font and is remembered; at 200% zoom every step label stays
// whole; a serial typed in lower case is answered with the case rule and the upper-case serial.
async function olderUsers(t, shared) {
  const page = await t.newPage();
  await t.goto(page, '/track.html');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement.className);
  if (first !== 'skip-link') throw new Error(`the first Tab reaches "${first}", not the skip link`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'main');
  const rootPx = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  if (await rootPx() !== 16) throw new Error(`the root font is ${await rootPx()}px before 大字模式`);
  await page.click('#large-toggle');
  if (await rootPx() !== 20) throw new Error(`大字模式 makes the root font ${await rootPx()}px`);
  await t.axe(page, 'large font');
  await page.reload({ waitUntil: 'networkidle0' });
  if (await rootPx() !== 20) throw new Error('大字模式 is forgotten on reload');
  const pressed = await page.$eval('#large-toggle', (b) => b.getAttribute('aria-pressed'));
  if (pressed !== 'true') throw new Error(`the switch says aria-pressed=${pressed}`);
  await dump(page, 'large-font');
  // 001: serials are case-sensitive.
  await fill(page, '#serial', '712c1b5a584a1bbe');
  await page.click('#cert-form button[type="submit"]');
  await waitText(page, '#cert-result', '区分大小写');
  await t.axe(page, 'serial in lower case');
  await clickText(page, '查找 712C1B5A584A1BBE', '#cert-result');
  await waitText(page, '#cert-result', '证书 712C1B5A584A1BBE');
  await page.click('#large-toggle');
  if (await rootPx() !== 16) throw new Error('大字模式 does not switch off');

  // 200% zoom of a 1280px screen: 640 CSS pixels. Every label of the stepper is whole and on
  // the screen, none cut or scrolled away.
  if (!shared.order) throw new Error('no order from the applicant flow');
  const zoom = await t.newPage();
  await zoom.setViewport({ width: 640, height: 900, deviceScaleFactor: 2 });
  await login(t, zoom, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(zoom, 'orders at 200%');
  await t.goto(zoom, `/apply.html?order=${shared.order}&step=status`);
  await zoom.waitForSelector('#stepbar li', { visible: true });
  const cut = await zoom.evaluate(() => [...document.querySelectorAll('#stepbar .step-name')]
    .filter((n) => {
      const r = n.getBoundingClientRect();
      return n.scrollWidth > n.clientWidth + 1 || r.left < 0 || r.right > window.innerWidth ||
        n.closest('.stepbar').scrollWidth > n.closest('.stepbar').clientWidth + 1;
    }).map((n) => n.textContent));
  if (cut.length) throw new Error(`at 200% zoom these step labels are cut: ${cut.join('、')}`);
  await t.axe(zoom, 'stepper at 200%');
  await dump(zoom, 'zoom-200');
}

exports.tests = [
  ['applicant: registration and bjca-zycg 新办 to submission, by clicking', applicantNew],
  ['applicant: payment on a phone (390x844) by H5, through the sandbox phone', phonePayment],
  ['reviewer: return, then approve the resubmitted order', staffReview],
  ['shipping: key made on the sandbox token, shipped, then tracked anonymously', shipping],
  ['applicant: the delivered key bound by its serial, then 证书登录 with it', certLogin],
  ['anonymous tracking by order number', tracking],
  ['older users: skip link, 大字模式 remembered, stepper at 200% zoom, a serial in lower case', olderUsers],
];

// What the other flows (flows_existing.js) take from here.
exports.h = {
  text, dump, randomUscc, randomMobile, randomIdNumber, randomDigits, fill, clickText, waitText,
  saveStep, registerOrg, pickNew, enterpriseByTransfer, handlerByFace, faceCheck, signWithCode, login,
  stepTicked, printAndScan, photoScan, uploadAll, bothPagesShown, payByQr, staffLogin, openFromQueue,
  decide, makeAndShip, trackOrder,
};
