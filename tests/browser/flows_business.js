'use strict';
// The businesses on an issued certificate (issue 17): the key flows.js delivered and bound at
// bjca-zycg, each business its card on 我的证书 offers clicked by the applicant and then by the
// hall's staff, to where that business ends.
const lib = require('./lib');
const { h } = require('./flows');

// 我的证书: the delivered certificate's card, and its link for BUSINESS followed to the start
// page, the certificate picked there; created and its agreements accepted.
async function startOn(t, page, shared, business) {
  await t.goto(page, '/certs.html');
  await h.waitText(page, '#certs', '介质序列号');
  await t.axe(page, 'my certificates');
  await h.dump(page, `certs-${business}`);
  const link = await page.waitForSelector(`#certs a[href*="business=${business}&"]`, { visible: true });
  shared.serial = new URL(await link.evaluate((a) => a.href)).searchParams.get('serial');
  shared.token = await page.evaluate(() => {
    const dt = [...document.querySelectorAll('#certs dt')].find((e) => e.textContent === '介质序列号');
    return dt ? dt.nextElementSibling.textContent.trim() : '';
  });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), link.click()]);
  await page.waitForSelector('#start-form', { visible: true });
  await page.waitForNetworkIdle();
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

// From the handler step to submission: the handler's face, each printed form "scanned", the
// materials uploaded, signed with the handler's SMS code.
async function handlerToSigned(t, page, who) {
  await h.handlerByFace(t, page, who);
  await h.clickText(page, '下一步', '#pane');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'handler');
  await page.waitForNetworkIdle();
  await h.dump(page, `after-handler-${step(page)}`);
  if (step(page) === 'form') {
    await t.axe(page, 'form');
    const scans = {};
    for (const a of await page.$$('#pane a[target="_blank"], #pane a[href*="/forms/"]')) {
      const href = await a.evaluate((e) => e.getAttribute('href'));
      scans[/\/forms\/(\w+)/.exec(href)[1]] = await h.printAndScan(t, page, a);
    }
    await h.clickText(page, '下一步', '#pane');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'form');
    await page.waitForNetworkIdle();
    await t.axe(page, 'materials');
    await h.uploadAll(page, scans, await h.photoScan(page));
    await h.waitText(page, '#pane', '必需的材料已全部上传');
    await h.dump(page, 'materials-uploaded');
    await h.clickText(page, '下一步', '#pane');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('step') !== 'materials');
    await page.waitForNetworkIdle();
  }
  await t.axe(page, 'sign');
  await h.dump(page, `sign-${step(page)}`);
  await h.signWithCode(page, who.handler, '签署并提交');
  await h.waitText(page, '#pane', '申请已提交');
  await t.axe(page, 'submitted');
  await h.dump(page, 'submitted');
}

// The reviewer: the order claimed from the queue, each of its materials accepted, approved.
async function approve(t, no) {
  const page = await t.newPage();
  await t.goto(page, '/staff.html');
  await h.staffLogin(t, page, 'reviewer');
  await h.openFromQueue(t, page, no);
  await h.clickText(page, '领取', '#claim-line');
  await page.waitForNetworkIdle();
  await h.dump(page, 'staff-claimed');
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
  await handlerToSigned(t, page, who);
  await approve(t, no);
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

exports.tests = [
  ['business: PIN unlock (解锁) of the delivered key, approved, its link answered', unlock],
];
