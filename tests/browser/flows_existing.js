'use strict';
// An existing customer of the CA (issue 20): a certificate its counter issued 300 days ago,
// brought into the hall by the operator's `certhall-admin import-certs --from-ca`, renewed
// online by the company in the pages: registered, its USCC proven by an application's
// 企业认证 (the one way a claimed USCC becomes the company's), the certificate found on 我的证书
// and renewed there (002: 180.00 a year, one more year on its expiry), paid through the
// sandbox's phone.

const { execFileSync } = require('child_process');
const path = require('path');
const lib = require('./lib');
const { h } = require('./flows');

// The CA's counter: a certificate of the company's on a key it hands over, issued days ago.
async function counterCertificate(uscc, daysAgo) {
  const r = await fetch(lib.BASE + '/sandbox/ca/counter', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      key: 'rsa', holder: '柜台老客户', subject: '浏览器老客户有限公司', subject_id: uscc,
      issued_days_ago: daysAgo,
    }),
  });
  if (r.status !== 201) throw new Error(`the sandbox counter answered ${r.status}: ${await r.text()}`);
  return r.json();
}

// The day an instant falls on in China, YYYY-MM-DD: what --since and --until take.
function chinaDay(unix) {
  return new Date((unix + 8 * 3600) * 1000).toISOString().slice(0, 10);
}

// The operator's import of what the CA issued that day (the hall's own enrolments left out).
function importFromCa(day) {
  const admin = process.env.CERTHALL_ADMIN ||
    path.join(__dirname, '..', '..', 'build', 'bin', 'certhall-admin');
  return execFileSync(admin, ['-c', path.join(lib.STACK, 'etc', 'certhall.conf'), 'import-certs',
    '--from-ca', '--hall', 'bjca-zycg', '--since', day, '--until', day, '--apply'],
  { encoding: 'utf8' });
}

async function certsText(t, page) {
  await t.goto(page, '/certs.html');
  await page.waitForSelector('#certs', { visible: true });
  await page.waitForNetworkIdle();
  return h.text(page, 'main');
}

async function existingCustomer(t) {
  const uscc = h.randomUscc();
  const cert = await counterCertificate(uscc, 300);
  const out = importFromCa(chinaDay(cert.not_before));
  if (!/the CA issued [1-9]\d* certificates/.test(out) || !/: 1 new, /.test(out)) {
    throw new Error(`import-certs --from-ca: ${out}`);
  }

  const page = await t.newPage();
  const who = await h.registerOrg(t, page, uscc);
  who.handler = h.randomMobile();
  // Claimed, not proven: nothing of the company's, and the page says why and what to do.
  let seen = await certsText(t, page);
  if (seen.includes(cert.serial)) throw new Error('an account that has not proven its USCC sees the company\'s certificate');
  if (!seen.includes('尚未认证')) throw new Error('我的证书 does not say the USCC is not proven');
  await t.axe(page, 'my certificates, USCC claimed');
  await h.dump(page, 'existing-claimed');

  // 认证本单位: a new application's 企业认证, the 0.01 transfer; then that application, wanted
  // only for the proof, is cancelled.
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }),
    h.clickText(page, '认证本单位', 'main')]);
  await h.pickNew(page);
  await Promise.all([page.waitForSelector('#wizard', { visible: true }),
    h.clickText(page, '创建订单，开始填写', '#start-form')]);
  await page.waitForNetworkIdle();
  for (const box of await page.$$('#pane input[type="checkbox"]')) await box.click();
  await h.clickText(page, '同意并继续', '#pane');
  await page.waitForFunction(() => /step=enterprise/.test(location.search));
  await page.waitForNetworkIdle();
  await h.enterpriseByTransfer(t, page, {});
  const draft = new URL(page.url()).searchParams.get('order');
  await t.goto(page, '/orders.html');
  const row = await page.waitForFunction((no) => [...document.querySelectorAll('main tr, main article')]
    .find((e) => e.innerText.includes(no)), {}, draft);
  await t.axe(page, 'my orders, the proving application');
  await h.clickText(row.asElement(), '取消订单');
  await h.clickText(page, '确定取消', 'main');
  await page.waitForNetworkIdle();
  await page.waitForFunction((no) => [...document.querySelectorAll('main tr, main article')]
    .some((e) => e.innerText.includes(no) && e.innerText.includes('已取消')), {}, draft);

  // Proven: 我的证书 lists the counter's certificate, its renewal open (65 days left).
  seen = await certsText(t, page);
  if (!seen.includes(cert.serial)) throw new Error('the proven company does not see its imported certificate');
  if (seen.includes('尚未认证')) throw new Error('我的证书 still says the USCC is not proven');
  await t.axe(page, 'my certificates, USCC proven');
  await h.dump(page, 'existing-proven');
  const renew = await page.waitForSelector(`main a[href*="business=renew"][href*="serial=${cert.serial}"]`,
    { visible: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), renew.click()]);
  await page.waitForSelector('#start-form', { visible: true });
  await Promise.all([page.waitForSelector('#wizard', { visible: true }),
    h.clickText(page, '创建订单，开始填写', '#start-form')]);
  await page.waitForNetworkIdle();
  for (const box of await page.$$('#pane input[type="checkbox"]')) await box.click();
  await h.clickText(page, '同意并继续', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'handler');
  await page.waitForNetworkIdle();
  await h.handlerByFace(t, page, who);
  await h.clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'product');
  await h.saveStep(t, page, { years: '1', e_invoice: '0' });
  await h.dump(page, 'existing-product');
  await h.clickText(page, '确认无误，下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === 'sign');
  await page.waitForNetworkIdle();
  await t.axe(page, 'renewal sign');
  await h.signWithCode(page, who.handler, '签署并提交');
  await h.waitText(page, '#pane', '申请已提交');
  const no = new URL(page.url()).searchParams.get('order');

  // Paid with WeChat: the QR's payment completed on the sandbox's phone.
  await t.goto(page, `/apply.html?order=${no}&step=pay`);
  // The payment page polls the provider; an online renewal is done once paid (002).
  await h.payByQr(t, page, 'wechat', '180.00', '已完成');
  await t.axe(page, 'renewal done');
  await h.dump(page, 'existing-renewed');

  // One more year on the counter's expiry (002 "顺延一年").
  const was = chinaDay(cert.not_after);
  const next = `${Number(was.slice(0, 4)) + 1}${was.slice(4)}`;
  seen = await certsText(t, page);
  if (!seen.includes(next)) throw new Error(`我的证书 does not show the renewed expiry ${next}`);
}

exports.tests = [
  ['existing customer: a counter certificate imported from the CA, renewed online once the USCC is proven', existingCustomer],
];

// What flows_business.js takes from here: a certificate of its own for a business that ends it.
exports.h = { counterCertificate, chinaDay, importFromCa };
