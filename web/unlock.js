/* certhall: unlock.html, the page of an unlock's authorisation link (002 "用户通过授权邮件中的链接
 * 重置密码"): what the link grants (POST /api/wizard/unlock/link), the challenge the key tool
 * shows answered with the CA's unblock code (POST /api/wizard/unlock/respond, once), and the
 * new PIN set through the local key helper (README, "Unlock"). The link's token is in the
 * fragment: it never reaches a server's log. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';

var token = window.location.hash.replace(/^#/, '');
var grantBox = document.getElementById('grant');
var respondForm = document.getElementById('form-respond');
var resetForm = document.getElementById('form-reset');
var helper = '';
var tokenSerial = '';
var STATE = {
  open: null,
  used: '该解锁链接已使用过。如需再次解锁，请重新在线申请证书解锁。',
  expired: '该解锁链接已过期，请重新在线申请证书解锁。',
  exhausted: '解锁请求码错误次数过多，该链接已失效，请重新在线申请证书解锁。'
};

function showGrant(g) {
  dom.clear(grantBox);
  grantBox.appendChild(dom.details([
    ['订单号', g.order_no],
    ['证书序列号', g.serial],
    ['介质序列号', g.token_serial || '（以证书助手显示为准）'],
    ['链接有效期至', g.expires_at],
    ['剩余尝试次数', String(g.tries_left)]
  ]));
  if (STATE[g.state]) {
    grantBox.appendChild(dom.alert(STATE[g.state], 'bad'));
    return;
  }
  tokenSerial = g.token_serial || '';
  document.getElementById('step-respond').hidden = false;
}

function load() {
  if (!/^[0-9a-f]{32}$/.test(token)) {
    dom.clear(grantBox).appendChild(dom.alert('解锁链接不完整：请复制短信或邮件中的完整链接打开。', 'bad'));
    return;
  }
  api.request('POST', '/api/wizard/unlock/link', { token: token }, { stay: true }).then(function (r) {
    if (!r.ok) {
      dom.clear(grantBox).appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    showGrant(r.body);
  });
}

document.getElementById('read-challenge').addEventListener('click', function () {
  dom.clearErrors(respondForm);
  if (!helper || !tokenSerial) {
    dom.showError(respondForm, { field: 'challenge', message: '未连接到证书助手，请手工输入证书助手显示的解锁请求码。' });
    return;
  }
  api.request('POST', helper + '/' + encodeURIComponent(tokenSerial) + '/unlock-challenge', {},
    { stay: true }).then(function (r) {
    if (r.ok) respondForm.elements.namedItem('challenge').value = r.body.challenge;
    else dom.showError(respondForm, { field: 'challenge', message: r.error.message });
  });
});

dom.liveClear(respondForm);
respondForm.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(respondForm);
  var challenge = P.value(respondForm, 'challenge').replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-F]{8,64}$/.test(challenge)) {
    dom.showError(respondForm, { field: 'challenge', message: '解锁请求码应为 8 至 64 位字母（A-F）和数字。' });
    return;
  }
  dom.busy(respondForm.querySelector('button[type="submit"]'), '正在获取…', function () {
    return api.request('POST', '/api/wizard/unlock/respond', { token: token, challenge: challenge },
      { stay: true });
  }).then(function (r) {
    if (!r) return;
    if (!r.ok) {
      var e = r.error;
      if (typeof e.detail.tries_left === 'number') e.message += '（剩余 ' + e.detail.tries_left + ' 次）';
      dom.showError(respondForm, e.field ? e : { field: 'challenge', message: e.message });
      return;
    }
    document.getElementById('response').textContent = r.body.response;
    document.getElementById('step-respond').hidden = true;
    document.getElementById('step-reset').hidden = false;
    resetForm.dataset.response = r.body.response;
  });
});

dom.liveClear(resetForm);
resetForm.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(resetForm);
  var pin = resetForm.elements.namedItem('pin').value;
  if (!/^[0-9]{6,8}$/.test(pin)) {
    dom.showError(resetForm, { field: 'pin', message: '新 PIN 码应为 6 至 8 位数字。' });
    return;
  }
  if (pin !== resetForm.elements.namedItem('pin2').value) {
    dom.showError(resetForm, { field: 'pin2', message: '两次输入的 PIN 码不一致。' });
    return;
  }
  if (!helper || !tokenSerial) {
    dom.say(resetForm.querySelector('.form-result'), '请在证书助手中输入上面的解锁码并设置新 PIN 码。', 'info');
    return;
  }
  dom.busy(resetForm.querySelector('button[type="submit"]'), '正在重置…', function () {
    return api.request('POST', helper + '/' + encodeURIComponent(tokenSerial) + '/unlock',
      { response: resetForm.dataset.response, pin: pin }, { stay: true });
  }).then(function (r) {
    if (!r) return;
    resetForm.reset();
    if (r.ok) dom.say(resetForm.querySelector('.form-result'), 'PIN 码已重置，介质已解锁。现在可以使用新 PIN 码。', 'ok');
    else dom.showError(resetForm, { field: 'pin', message: r.error.message });
  });
});

// The key helper, where the hall names one (the same as certificate login's).
api.request('GET', '/api/account/cert-login', undefined, { stay: true }).then(function (r) {
  if (r.ok && r.body.helper) helper = r.body.helper.replace(/\/+$/, '');
});
load();
