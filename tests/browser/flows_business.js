'use strict';
// The businesses on an issued certificate (issue 17): the key flows.js delivered and bound at
// bjca-zycg, each business its card on 我的证书 offers clicked by the applicant and then by the
// hall's staff, to where that business ends.
const lib = require('./lib');
const { h } = require('./flows');
const existing = require('./flows_existing').h;

// 002's first sign of a defective key: 指示灯不亮.
const DEFECT_SIGN = 'no_light';

// 我的证书: the delivered certificate's card, and its link for BUSINESS followed to the start
// page, the certificate picked there; created and its agreements accepted.
async function startOn(t, page, shared, business, serial = '') {
  await t.goto(page, '/certs.html');
  await h.waitText(page, '#certs', '介质序列号');
  await t.axe(page, 'my certificates');
  await h.dump(page, `certs-${business}`);
  const link = await page.waitForSelector(`#certs a[href*="business=${business}&"][href*="serial=${serial}"]`, { visible: true });
  shared.serial = new URL(await link.evaluate((a) => a.href)).searchParams.get('serial');
  shared.token = await page.evaluate(() => {
    const dt = [...document.querySelectorAll('#certs dt')].find((e) => e.textContent === '介质序列号');
    return dt ? dt.nextElementSibling.textContent.trim() : '';
  });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), link.click()]);
  await page.waitForSelector('#start-form', { visible: true });
  await page.waitForNetworkIdle();
  // A replacement revokes the certificate in hand: the start page asks that it be known.
  const known = await page.$('#start-form input[name="confirm_revoke"]');
  if (known) await known.click();
  await t.axe(page, `start ${business}`);
  await h.dump(page, `start-${business}`);
  await Promise.all([page.waitForSelector('#wizard', { visible: true }),
    h.clickText(page, '创建订单，开始填写', '#start-form')]);
  await page.waitForNetworkIdle();
  await t.axe(page, 'agreements');
  await h.dump(page, `agreements-${business}`);
  for (const box of await page.$$('#pane input[type="checkbox"]')) await box.click();
  await h.clickText(page, '同意并继续', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'agreements');
  await page.waitForNetworkIdle();
  return new URL(page.url()).searchParams.get('order');
}

function step(page) { return new URL(page.url()).searchParams.get('step'); }

// Each step the wizard leads to, done as flows.js does it, until the application is signed and
// submitted. steps: the business's own steps (its change, its product), by name.
async function toSigned(t, page, who, steps = {}) {
  const scans = {};
  for (let n = 0; n < 12; n++) {
    const at = step(page);
    await h.dump(page, `at-${at}`);
    if (at === 'sign') break;
    if (steps[at]) await steps[at](page);
    else if (at === 'product') await product(t, page, who);
    else if (at === 'enterprise') await h.enterpriseByTransfer(t, page, {});
    else if (at === 'handler') await h.handlerByFace(t, page, who);
    else if (at === 'form') {
      await t.axe(page, 'form');
      for (const a of await page.$$('#pane a[target="_blank"], #pane a[href*="/forms/"]')) {
        const href = await a.evaluate((e) => e.getAttribute('href'));
        scans[/\/forms\/(\w+)/.exec(href)[1]] = await h.printAndScan(t, page, a);
      }
    } else if (at === 'materials') {
      await t.axe(page, 'materials');
      await h.uploadAll(page, scans, await h.photoScan(page));
      await h.waitText(page, '#pane', '必需的材料已全部上传');
    } else if (at !== 'financial') throw new Error(`no way through step ${at}`);
    // A step's own button may have led on already (a product's 确认无误，下一步).
    if (step(page) !== at) continue;
    await h.clickText(page, '下一步', '#pane');
    await page.waitForFunction((s) => new URLSearchParams(location.search).get('step') !== s, {}, at);
    await page.waitForNetworkIdle();
  }
  await t.axe(page, 'sign');
  await h.signWithCode(page, who.handler, '签署并提交');
  await h.waitText(page, '#pane', '申请已提交');
  await t.axe(page, 'submitted');
  await h.dump(page, 'submitted');
}

// The product step as flows.js fills it (the key mailed to the handler), confirmed.
async function product(t, page, who) {
  await h.saveStep(t, page, {
    years: '1', e_invoice: '0', mail_recipient: '张浏览', mail_mobile: who.handler, mail_province: '北京市',
    mail_city: '北京市', mail_county: '海淀区', mail_address: '中关村大街 1 号', mail_postcode: '100080',
  });
  await t.axe(page, 'product confirm');
  await h.clickText(page, '确认无误，下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'product');
  await page.waitForNetworkIdle();
}

// 我的证书 in the applicant's PAGE: the certificate SERIAL's card shows WANT (its state).
async function certShows(t, page, serial, want) {
  await t.goto(page, '/certs.html');
  await page.waitForFunction((serial, want) => [...document.querySelectorAll('#certs article')]
    .some((a) => a.innerText.includes(serial) && a.innerText.includes(want)), {}, serial, want);
  await t.axe(page, `my certificates, ${want}`);
}

// The reviewer: the order claimed from the queue, then approved (approveHere).
async function approve(t, no) {
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await h.staffLogin(t, page, 'reviewer');
  await h.openFromQueue(t, page, no);
  await h.clickText(page, '领取', '#claim-line');
  await page.waitForNetworkIdle();
  await h.dump(page, 'staff-claimed');
  return approveHere(t, page);
}

// On the claimed order's staff page: each of its materials accepted, the order approved.
async function approveHere(t, page) {
  for (;;) {
    const accept = await page.evaluateHandle(() => [...document.querySelectorAll('#materials .material-form button')]
      .find((b) => b.offsetParent !== null && !b.disabled && b.innerText.trim() === '通过'));
    if (!accept.asElement()) break;
    await accept.asElement().click();
    await page.waitForNetworkIdle();
  }
  await h.decide(t, page, 'approve');
  await page.waitForFunction(() => !/审核中/.test(document.getElementById('order-badges').innerText));
  await page.waitForNetworkIdle();
  await t.axe(page, 'approved');
  await h.dump(page, 'staff-approved');
  return page;
}

// 002 "审核资料后进行授权，并发送授权邮件；用户通过授权邮件中的链接重置密码": the handler opens the
// link the approval sent by SMS, reads the challenge off the key (the sandbox token stands in
// for the key helper), gets the CA's unblock code and sets a new PIN; the key then logs in with
// it.
async function unlock(t, shared) {
  if (!shared.shipped) throw new Error('no delivered key from the shipping flow');
  const page = await t.newPage();
  await h.login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'my orders');
  const no = await startOn(t, page, shared, 'unlock');
  const who = shared.applicant;
  const before = (await lib.messages(who.handler)).length;
  await toSigned(t, page, who);
  const rev = await approve(t, no);
  await h.waitText(rev, '#order-badges', '已完成');
  const link = await lib.smsCode(who.handler, before, /(https?:\/\/\S+\/unlock\.html#[0-9a-f]{32})/);
  const key = await t.newPage();
  await key.goto(link.replace(/^https?:\/\/[^/]+/, lib.BASE), { waitUntil: 'networkidle0' });
  await h.waitText(key, '#grant', no);
  await key.waitForSelector('#step-respond', { visible: true });
  await t.axe(key, 'unlock link');
  await h.dump(key, 'unlock-link');
  await h.clickText(key, '从证书助手读取', '#form-respond');
  await key.waitForFunction(() => /^[0-9A-F]{8,}$/i.test(document.getElementById('challenge').value));
  await h.clickText(key, '获取解锁码', '#form-respond');
  await key.waitForSelector('#step-reset', { visible: true });
  await t.axe(key, 'unblock code');
  await h.fill(key, '#new-pin', '24681357');
  await h.fill(key, '#new-pin2', '24681357');
  await h.clickText(key, '通过证书助手重置 PIN 码', '#form-reset');
  await h.waitText(key, '#form-reset .form-result', 'PIN 码已重置');
  await t.axe(key, 'unlocked');
  await h.dump(key, 'unlocked');
  shared.pin = '24681357';
  await certLogin(t, shared.token, shared.pin);
}

// 证书登录 on the login page, in a browser of its own, with TOKEN and its PIN.
async function certLogin(t, token, pin) {
  const page = await t.newPage();
  await t.goto(page, '/login.html');
  await page.waitForSelector('#tab-cert', { visible: true });
  await page.click('#tab-cert');
  await page.waitForSelector(`#cert-token option[value="${token}"]`);
  await page.select('#cert-token', token);
  await h.fill(page, '#cert-pin', pin);
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
    page.click('#form-cert button[type="submit"]')]);
  if (!/orders\.html/.test(page.url())) throw new Error(`certificate login went to ${page.url()}`);
  await t.axe(page, 'logged in by certificate');
}

// A certificate of the applicant's own for a business that ends it: issued at the CA's counter
// (on a token of its own) and brought in by the operator's import, as flows_existing.js does.
async function ownCertificate(shared) {
  const cert = await existing.counterCertificate(shared.applicant.uscc, 30);
  const out = existing.importFromCa(existing.chinaDay(cert.not_before));
  if (!/: 1 new, /.test(out)) throw new Error(`import-certs --from-ca: ${out}`);
  return cert;
}

// The applicant, at the order's status: the paper (and, where the business takes it back, the
// key) mailed to the address the order names, its waybill registered.
async function mailPaper(t, page, no) {
  await t.goto(page, `/apply.html?order=${no}&step=status`);
  await h.waitText(page, '#order-head', '待寄送纸质材料');
  await page.waitForSelector(`#f-wb-${no}-number`, { visible: true });
  await page.waitForNetworkIdle();
  await t.axe(page, 'paper address');
  await h.dump(page, 'paper-address');
  await page.select(`#f-wb-${no}-carrier`, 'sf');
  await h.fill(page, `#f-wb-${no}-number`, 'SF' + h.randomDigits(12));
  await h.clickText(page, '提交运单号', '#pane');
  await h.waitText(page, '#pane', '已登记运单');
  await t.axe(page, 'paper waybill');
}

// A staff member (USER) logged in to the console, the order found in their queue and opened.
async function staffOrder(t, user, no) {
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await h.staffLogin(t, page, user);
  await h.openFromQueue(t, page, no);
  return page;
}

// 002 "证书注销": not online but by mail — the application online, the paper and the key mailed
// to the hall, signed for, approved; the certificate is then revoked.
async function revoke(t, shared) {
  if (!shared.applicant) throw new Error('no applicant from the applicant flow');
  const cert = await ownCertificate(shared);
  const page = await t.newPage();
  await h.login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'my orders');
  const no = await startOn(t, page, shared, 'revoke', cert.serial);
  await toSigned(t, page, shared.applicant);
  await mailPaper(t, page, no);
  const rev = await staffOrder(t, 'reviewer', no);
  await h.dump(rev, 'revoke-paper-arrived');
  await h.clickText(rev, '登记签收', '#actions');
  await h.clickText(rev, '确认登记签收', '#actions');
  await h.waitText(rev, '#order-badges', '纸质材料审核中');
  await rev.waitForNetworkIdle();
  await h.dump(rev, 'revoke-paper-signed');
  await h.decide(t, rev, 'approve');
  await rev.waitForFunction(() => !/审核中/.test(document.getElementById('order-badges').innerText));
  await rev.waitForNetworkIdle();
  await t.axe(rev, 'approved');
  await h.waitText(rev, '#order-badges', '已完成');
  await h.dump(rev, 'revoke-approved');
  await certShows(t, page, cert.serial, '已吊销');
}

// 002 "证书遗失补办": the lost certificate revoked at once and irreversibly, the media fee paid, the
// replacement (same validity) made on a new key, shipped and delivered.
async function lost(t, shared) {
  if (!shared.applicant) throw new Error('no applicant from the applicant flow');
  const cert = await ownCertificate(shared);
  const page = await t.newPage();
  await h.login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'my orders');
  const no = await startOn(t, page, shared, 'lost', cert.serial);
  await toSigned(t, page, shared.applicant);
  await t.goto(page, `/apply.html?order=${no}&step=status`);
  await page.waitForSelector('#order-head', { visible: true });
  await page.waitForNetworkIdle();
  await h.dump(page, 'lost-status');
  if ((await h.text(page, '#order-head')).includes('待支付')) {
    await t.goto(page, `/apply.html?order=${no}&step=pay`);
    await h.payByQr(t, page, 'wechat', '80.00', '审核中');
  }
  await h.dump(page, 'lost-paid');
  const rev = await approve(t, no);
  await h.waitText(rev, '#order-badges', '审核通过');
  const ship = await staffOrder(t, 'shipping', no);
  const waybill = await h.makeAndShip(t, ship);
  await h.trackOrder(t, no, shared.applicant.handler, ['已寄出', waybill]);
  await h.clickText(ship, '登记签收', '#actions');
  await h.clickText(ship, '确认登记签收', '#actions');
  await h.waitText(ship, '#order-badges', '已完成');
  await ship.waitForNetworkIdle();
  await t.axe(ship, 'delivered');
  await h.dump(ship, 'lost-delivered');
  await certShows(t, page, cert.serial, '已吊销');
}

// 002 "七、证书损坏补办": a quality defect claimed within the media warranty, the old key mailed
// back with its waybill, inspected (a defect: free), approved, the new key made, shipped and
// delivered; the old certificate revoked once the new one is made.
async function damaged(t, shared) {
  if (!shared.shipped) throw new Error('no delivered key from the shipping flow');
  const page = await t.newPage();
  await h.login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'my orders');
  const no = await startOn(t, page, shared, 'damaged', shared.serial || '');
  const serial = shared.serial;
  await toSigned(t, page, shared.applicant, {
    product: async (p) => {
      await h.saveStep(t, p, { defect: '1', defect_sign: DEFECT_SIGN, e_invoice: '0',
        mail_recipient: '张浏览', mail_mobile: shared.applicant.handler, mail_province: '北京市', mail_city: '北京市',
        mail_county: '海淀区', mail_address: '中关村大街 1 号', mail_postcode: '100080' });
      await h.clickText(p, '确认无误，下一步', '#pane');
      await p.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'product');
      await p.waitForNetworkIdle();
    },
  });
  await t.goto(page, `/apply.html?order=${no}&step=status`);
  await page.waitForSelector('#order-head', { visible: true });
  await page.waitForNetworkIdle();
  await h.dump(page, 'damaged-status');
  await page.waitForSelector(`#f-wb-${no}-number`, { visible: true });
  await t.axe(page, 'key to send back');
  await page.select(`#f-wb-${no}-carrier`, 'sf');
  await h.fill(page, `#f-wb-${no}-number`, 'SF' + h.randomDigits(12));
  await h.clickText(page, '提交运单号', '#pane');
  await h.waitText(page, '#pane', '已登记运单');
  await t.axe(page, 'key waybill');
  const rev = await staffOrder(t, 'reviewer', no);
  await h.clickText(rev, '领取', '#claim-line');
  await rev.waitForNetworkIdle();
  await h.dump(rev, 'damaged-inspect');
  await rev.click('#actions input[name="result"][value="defect"]');
  await h.clickText(rev, '登记检测结论', '#actions');
  await rev.waitForFunction(() => !document.getElementById('order-badges').innerText.includes('待寄回原介质检测'));
  await rev.waitForNetworkIdle();
  await t.axe(rev, 'inspected');
  await h.dump(rev, 'damaged-inspected');
  await approveHere(t, rev);
  await h.waitText(rev, '#order-badges', '审核通过');
  const ship = await staffOrder(t, 'shipping', no);
  const waybill = await h.makeAndShip(t, ship);
  await h.trackOrder(t, no, shared.applicant.handler, ['已寄出', waybill]);
  await h.clickText(ship, '登记签收', '#actions');
  await h.clickText(ship, '确认登记签收', '#actions');
  await h.waitText(ship, '#order-badges', '已完成');
  await ship.waitForNetworkIdle();
  await t.axe(ship, 'delivered');
  await certShows(t, page, serial, '已吊销');
}

// 002 "证书信息变更": the handler changed online (the certificate's notices go to the new one),
// the enterprise check standing through it, reviewed and approved.
async function change(t, shared) {
  if (!shared.shipped) throw new Error('no delivered key from the shipping flow');
  const page = await t.newPage();
  await h.login(t, page, shared.applicant.uscc, 'Browser2026hall');
  await t.axe(page, 'my orders');
  const no = await startOn(t, page, shared, 'change', shared.serial || '');
  await toSigned(t, page, shared.applicant, {
    change: (p) => h.saveStep(t, p, { items: 'handler' }),
  });
  await t.goto(page, `/apply.html?order=${no}&step=status`);
  await page.waitForSelector('#order-head', { visible: true });
  await page.waitForNetworkIdle();
  await h.dump(page, 'change-status');
  const rev = await approve(t, no);
  await h.waitText(rev, '#order-badges', '已完成');
  await h.dump(rev, 'change-approved');
}

exports.tests = [
  ['business: PIN unlock (解锁) of the delivered key, approved, its link answered', unlock],
  ['business: information change (信息变更) of the handler, the enterprise check standing, approved', change],
  ['business: damaged replacement (补办（损坏）): the key sent back, inspected free, the new key made and delivered', damaged],
  ['business: revoke (注销) by mail: the paper signed for, approved, the certificate revoked', revoke],
  ['business: lost replacement (补办（遗失）): paid, approved, the new key made, shipped and delivered', lost],
];
