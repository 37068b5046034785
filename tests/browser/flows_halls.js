'use strict';
// One applicant flow for each of the other four demo halls (flows.js has bjca-zycg's), from
// registration to the state the hall's flow ends in, clicked as a person would, each through
// its own guide's steps: its verification methods, its product and fee, its printed forms and
// uploads, SMS-code signing, and its payment or its paper.
const { h } = require('./flows');

function stepIs(page, step) {
  return page.waitForFunction((s) => new URLSearchParams(location.search).get('step') === s, {}, step);
}

async function next(page, label = '下一步') {
  const step = new URL(page.url()).searchParams.get('step');
  await h.clickText(page, label, '#pane');
  await page.waitForFunction((s) => new URLSearchParams(location.search).get('step') !== s, {}, step);
  await page.waitForNetworkIdle();
}

// Registered, the hall's 新办 of KIND chosen on the start page, the agreements accepted: the
// wizard at its first step.
async function begin(t, channel, kind) {
  const page = await t.newPage();
  const who = await h.registerOrg(t, page);
  who.handler = h.randomMobile();
  await page.waitForSelector('main table, main .empty, main p');
  await t.axe(page, 'orders, none yet');
  await t.goto(page, '/apply.html');
  who.channel = channel;
  await h.pickNew(page, channel, kind);
  await page.waitForNetworkIdle();
  await t.axe(page, `start ${channel}`);
  await h.dump(page, `${channel}-start`);
  await Promise.all([page.waitForSelector('#wizard', { visible: true }),
    h.clickText(page, '创建订单，开始填写', '#start-form')]);
  await page.waitForNetworkIdle();
  for (const box of await page.$$('#pane input[type="checkbox"]')) await box.click();
  await next(page, '同意并继续');
  return { page, who };
}

// A bank card number of 19 digits with its Luhn check digit right.
function randomBankCard(prefix) {
  const body = prefix + h.randomDigits(18 - prefix.length);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

// Each hall's applicant at home: the enterprise step's address, and the key mailed there.
function address(province, city, district, street, postcode) {
  return { province, city, district, address: street, postcode };
}

function mailTo(who, a) {
  return {
    mail_recipient: '张浏览', mail_mobile: who.handler, mail_province: a.province, mail_city: a.city,
    mail_county: a.district, mail_address: a.address, mail_postcode: a.postcode,
  };
}

function handler(who, method) {
  return {
    name: '张浏览', id_number: h.randomIdNumber(), mobile: who.handler, email: 'handler@example.com',
    position: '行政专员', method,
  };
}

// The step's check started (a check that answers at once: mobile, bank card) and passed.
async function checkNow(page) {
  await h.clickText(page, '开始核验', '#pane');
  await h.waitText(page, '#pane', '核验通过');
}

// The ID card copies each hall's flow asks for (material_rules): two pages each, 正面 and 背面.
// szca's 法定代表人 certificate has its holder's card as well as the handler's.
const ID_COPIES = {
  cecep: ['handler_id'], szca: ['handler_id', 'applicant_id'], 'netca-gd': ['handler_id'], 'jxca-js': ['handler_id'],
};

// The product step saved (PRODUCT: its choices and where the key goes), its read-only
// confirmation showing FEE, the forms and materials, and the application signed with the
// handler's SMS code: the order then in STATE.
async function confirmAndSign(t, page, who, product, fee, state, type = 'png') {
  await stepIs(page, 'product');
  await h.saveStep(t, page, product);
  await h.waitText(page, '#pane', fee);
  await next(page, '确认无误，下一步');
  await formsAndMaterials(t, page, type, ID_COPIES[who.channel]);
  await h.signWithCode(page, who.handler, '签署并提交');
  await h.waitText(page, '#pane', '申请已提交');
  await h.waitText(page, '#order-head', state);
}

// The forms printed, stamped and scanned (type: png, or jpeg for a hall that takes no PNG), the
// materials uploaded, on to signing.
async function formsAndMaterials(t, page, type, copies) {
  if (await h.stepTicked(page, '打印申请表')) throw new Error('打印申请表 is ticked on arrival');
  const scans = {};
  for (const a of await page.$$('#pane a[target="_blank"], #pane a[href*="/forms/"]')) {
    const href = await a.evaluate((e) => e.getAttribute('href'));
    const m = /\/forms\/(\w+)/.exec(href);
    if (m) scans[m[1]] = await h.printAndScan(t, page, a, type);
  }
  await next(page);
  // The seal sheet (004) is printed from its material's card, stamped and scanned.
  const seal = await page.$('#pane a[href*="/forms/seal"]');
  if (seal) scans.seal = await h.printAndScan(t, page, seal, type);
  await h.uploadAll(page, scans, await h.photoScan(page, type));
  await h.waitText(page, '#pane', '必需的材料已全部上传');
  await h.bothPagesShown(page, copies);
  await thumbsHoldTheirPlace(page);
  await h.dump(page, `${copies.join('-')}-pages`);
  await next(page);
}

// Each thumbnail had its box before it loaded: the same image without its source is laid out
// as large as the loaded one, to 3 px (the thumbnail rounds the scan's ratio to whole pixels). A
// thumbnail arriving late then moves nothing below it: a page that moved by a thumbnail's height
// would take the click meant for 下一步 beside it.
async function thumbsHoldTheirPlace(page) {
  const moved = await page.$$eval('#pane figure.thumb img', async (imgs) => {
    const out = [];
    for (const img of imgs) {
      img.scrollIntoView();
      await img.decode();
      const probe = img.cloneNode();
      probe.removeAttribute('src');
      img.replaceWith(probe);
      const before = probe.getBoundingClientRect();
      probe.replaceWith(img);
      const after = img.getBoundingClientRect();
      if (Math.abs(before.width - after.width) > 3 || Math.abs(before.height - after.height) > 3) {
        out.push(`${img.alt}: ${before.width}x${before.height} before, ${after.width}x${after.height} loaded`);
      }
    }
    window.scrollTo(0, 0);
    return imgs.length ? out : ['no thumbnail shown'];
  });
  if (moved.length) throw new Error(`thumbnails laid out anew as they loaded: ${moved.join('; ')}`);
}

// ---- cecep (000): BJCA's steps; 法定代表人手机号认证, 经办人手机实名认证, WeChat ---------------

async function cecep(t) {
  const { page, who } = await begin(t, 'cecep');
  const home = address('北京市', '北京市', '海淀区', '中关村大街 1 号', '100080');
  await stepIs(page, 'enterprise');
  await h.saveStep(t, page, {
    ...home, method: 'lr_mobile', lr_name: '王法人', lr_id_number: h.randomIdNumber(),
    lr_mobile: h.randomMobile(),
  });
  await checkNow(page);
  await next(page);
  await stepIs(page, 'handler');
  await h.saveStep(t, page, handler(who, 'mobile'));
  await checkNow(page);
  await next(page);
  // BJCA's fee (000 names none): 260 a set.
  await confirmAndSign(t, page, who, { e_invoice: '0', ...mailTo(who, home) }, '260.00', '待支付');
  await Promise.all([stepIs(page, 'pay'), h.clickText(page, '去支付', '#pane')]);
  await h.payByQr(t, page, 'wechat', '260.00', '审核中');
  await h.dump(page, 'cecep-paid');
}

// ---- szca (001): 机构个人证书; 银行金融认证 (the account, its 0.01 after approval), the
// handler's face, Alipay ----------------------------------------------------------------------

async function szca(t) {
  const { page, who } = await begin(t, 'szca', 'legal_rep');
  const home = address('广东省', '深圳市', '南山区', '科技园科苑路 15 号', '518057');
  await stepIs(page, 'enterprise');
  // "申请单位法定代表人授权委托" is part of 001's form: the legal representative is named.
  await h.enterpriseByTransfer(t, page, {}, {
    ...home, lr_name: '王法人', lr_id_number: h.randomIdNumber(), bank: '中国工商银行深圳科技园支行',
  });
  await next(page);
  await stepIs(page, 'handler');
  await h.handlerByFace(t, page, who);
  await next(page);
  // 机构个人证书: its holder, a person of the organisation.
  await stepIs(page, 'applicant');
  await h.saveStep(t, page, {
    name: '李持有', id_number: h.randomIdNumber(), mobile: h.randomMobile(), email: 'holder@example.com',
  });
  await stepIs(page, 'financial'); // checked with the enterprise: on to the product
  await next(page);
  // 001 "支持jpg、jpeg、bmp、gif格式": the scans are JPEG.
  await confirmAndSign(t, page, who, { years: '1', e_invoice: '1', ...mailTo(who, home) }, '360.00',
    '待支付', 'jpeg');
  await Promise.all([stepIs(page, 'pay'), h.clickText(page, '去支付', '#pane')]);
  await h.payByQr(t, page, 'alipay', '360.00', '审核中');
  await h.dump(page, 'szca-paid');
}

// ---- netca-gd (003): 机构证书 for two years; 法定代表人银行卡, 经办人银行卡; the transfer ------

async function netca(t, shared) {
  const { page, who } = await begin(t, 'netca-gd', 'org');
  const home = address('广东省', '广州市', '越秀区', '青龙坊 38 号', '510000');
  await stepIs(page, 'enterprise');
  await h.saveStep(t, page, {
    ...home, method: 'lr_card', lr_name: '王法人', lr_id_number: h.randomIdNumber(),
    lr_mobile: h.randomMobile(), lr_bank_card: randomBankCard('6222'),
  });
  await checkNow(page);
  await next(page);
  await stepIs(page, 'handler');
  await h.saveStep(t, page, { ...handler(who, 'card'), bank_card: randomBankCard('6217') });
  await checkNow(page);
  await next(page);
  // 003 "所有证书均可办理1~5年": 首年 600 (incl. the 200 key), 次年 400; the fee follows the years.
  await stepIs(page, 'product');
  await page.select('#pane select[name="years"]', '2');
  await h.waitText(page, '#pane', '1000.00');
  await confirmAndSign(t, page, who, { e_invoice: '1', ...mailTo(who, home) }, '1000.00', '待支付');
  await Promise.all([stepIs(page, 'pay'), h.clickText(page, '去支付', '#pane')]);
  // 003 新办: "公对公转账" (Alipay only for 增加): the hall's desk account, and the memo its
  // finance matches the transfer by.
  await page.waitForSelector('#pane input[name="method"]', { visible: true });
  await t.axe(page, 'payment');
  await page.click('#pane input[name="method"][value="transfer"]');
  await h.clickText(page, '确认支付方式', '#pane');
  await h.waitText(page, '#pane', '7443 9001 8260 0096 874');
  await h.waitText(page, '#pane', '办理广东政府采购智慧云CA 2612');
  await t.axe(page, 'transfer details');
  // The applicant's part is done: the order waits for the hall's finance, then for the paper.
  await Promise.all([stepIs(page, 'status'), h.clickText(page, '订单状态与进度', '#order-head')]);
  await h.waitText(page, '#pane', '已登记转账/柜台付款，待财务确认');
  await h.waitText(page, '#order-head', '待支付');
  await t.axe(page, 'order status');
  await h.dump(page, 'netca-status');
  shared.netca = { order: new URL(page.url()).searchParams.get('order'), who };
}

// netca-gd (003) 新办, the CA's side, clicked in the staff pages: "必须等纸质资料寄达，并且汇款到账
// 才能办理". Finance confirms the transfer from its queue; the applicant mails the paper to the
// hall's address and registers its waybill; the reviewer signs for the paper and approves it;
// shipping makes the key and ships it ("3个工作日内办结顺丰包邮寄出"), followed anonymously, and
// registers its delivery: the order is done.
async function netcaStaff(t, shared) {
  if (!shared.netca) throw new Error('no netca-gd order awaiting finance from the applicant flow');
  const { order, who } = shared.netca;
  const fin = await staffOrder(t, 'finance', order);
  await h.waitText(fin, '#actions', '对公转账');
  await h.waitText(fin, '#actions', '1000.00');
  await h.dump(fin, 'finance-order');
  await h.clickText(fin, '确认收款', '#actions');
  await fin.waitForSelector('#actions .confirm-box', { visible: true });
  await t.axe(fin, 'confirm the payment');
  await h.clickText(fin, '确认收款', '#actions .confirm-box');
  await h.waitText(fin, '#order-badges', '待寄送纸质材料');
  await fin.waitForNetworkIdle();
  await t.axe(fin, 'payment confirmed');
  await h.dump(fin, 'finance-confirmed');

  await mailPaper(t, order, who);

  const rev = await staffOrder(t, 'reviewer', order);
  await h.waitText(rev, '#actions', '申请人寄来的运单');
  await h.clickText(rev, '登记签收', '#actions');
  await h.clickText(rev, '确认登记签收', '#actions');
  await h.waitText(rev, '#order-badges', '纸质材料审核中');
  await h.waitText(rev, '#actions', '纸质材料审核结论');
  await h.decide(t, rev, 'approve');
  await h.waitText(rev, '#order-badges', '审核通过');
  await t.axe(rev, 'approved');

  const ship = await staffOrder(t, 'shipping', order);
  const waybill = await h.makeAndShip(t, ship);
  await h.trackOrder(t, order, who.handler, ['已寄出', waybill]);
  await h.clickText(ship, '登记签收', '#actions');
  await h.clickText(ship, '确认登记签收', '#actions');
  await h.waitText(ship, '#order-badges', '已完成');
  await ship.waitForNetworkIdle();
  await t.axe(ship, 'delivered');
  await h.trackOrder(t, order, who.handler, ['已完成']);
}

// A staff member (USER) logged in to the console, the order found in their queue and opened.
async function staffOrder(t, user, order) {
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await h.staffLogin(t, page, user);
  await h.openFromQueue(t, page, order);
  return page;
}

// The applicant, back at the order's status: it names the hall's address for the paper (003
// "收件地址：广州市海珠区海洲路38号") and takes the waybill of the parcel sent there.
async function mailPaper(t, order, who) {
  const page = await t.newPage();
  await h.login(t, page, who.uscc, 'Browser2026hall');
  await t.axe(page, 'orders, awaiting the paper');
  await t.goto(page, `/apply.html?order=${order}&step=status`);
  await h.waitText(page, '#order-head', '待寄送纸质材料');
  await page.waitForSelector(`#f-wb-${order}-number`, { visible: true });
  await h.waitText(page, '#pane', '广州市海珠区海洲路38号');
  await page.waitForNetworkIdle();
  await t.axe(page, 'paper address');
  await h.dump(page, 'netca-paper');
  await page.select(`#f-wb-${order}-carrier`, 'sf');
  await h.fill(page, `#f-wb-${order}-number`, 'SF' + h.randomDigits(12));
  await h.clickText(page, '提交运单号', '#pane');
  await h.waitText(page, '#pane', '已登记运单');
  await t.axe(page, 'paper waybill');
}

// ---- jxca-js (004), two stages: the legal representative's own face, the seal sheet, the
// pre-review of the uploads --------------------------------------------------------------------

async function jxca(t) {
  const { page, who } = await begin(t, 'jxca-js', 'org');
  const home = address('江西省', '南昌市', '红谷滩区', '丰和中大道 1 号', '330038');
  await stepIs(page, 'enterprise');
  await h.saveStep(t, page, {
    ...home, method: 'lr_face', lr_name: '王法人', lr_id_number: h.randomIdNumber(),
    lr_mobile: h.randomMobile(),
  });
  // 004 "由法人亲自刷脸完成核验": the QR shown on the spot, its link opened on the legal
  // representative's phone; the uploads wait for it ("显示“认证成功”后，才能上传资料").
  await h.clickText(page, '现场扫码刷脸', '#pane');
  await page.waitForSelector('#pane .qr-box svg', { visible: true });
  await t.axe(page, 'face QR');
  const link = await page.$eval('#pane a[href*="/sandbox/verify/face/"]', (a) => a.href);
  await h.faceCheck(t, link);
  await h.waitText(page, '#pane', '核验通过');
  await next(page);
  await stepIs(page, 'handler');
  await h.saveStep(t, page, handler(who, 'mobile'), { axe: false }); // as cecep's
  await checkNow(page);
  await next(page);
  // The first stage: the CA pre-reviews the uploads and prices the order; payment and the
  // mailed paper come after.
  await confirmAndSign(t, page, who, { e_invoice: '0', ...mailTo(who, home) }, '预审通过时确认', '待预审');
  await h.dump(page, 'jxca-submitted');
}

exports.tests = [
  ['hall szca (001): 机构个人证书 新办 by 银行金融认证 and the handler\'s face, paid by Alipay, to review', szca],
  ['hall netca-gd (003): 机构证书 新办 for two years by 法定代表人银行卡 and 经办人银行卡, to the transfer awaiting finance', netca],
  ['hall netca-gd (003), staff: finance confirms the transfer, the paper mailed, signed for and approved, the key shipped and delivered', netcaStaff],
  ['hall jxca-js (004): 新办 by the legal representative\'s face, to pre-review', jxca],
  ['hall cecep (000): 新办 by 法定代表人手机号 and 经办人手机实名, paid by WeChat, to review', cecep],
];
