'use strict';
// The flows, clicked as a person would: no SQL and no API call past a step a person takes. What
// a person reads off a phone (an SMS code, an authenticator's code) comes from the sandbox's
// gateway or is computed like the app does.
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

exports.tests = [
  ['anonymous tracking by order number', tracking],
];
