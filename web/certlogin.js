/* certhall: login.html's 证书登录 (002 【证书登录】): the local key helper lists the tokens plugged
 * in and signs the hall's one-time challenge with the PIN typed; the hall checks the certificate
 * and its binding (README, "Certificate login"). The tab shows only where the hall offers it. */
import * as dom from './dom.js';
import * as api from './api.js';

var form = document.getElementById('form-cert');
var select = document.getElementById('cert-token');
var hint = document.getElementById('cert-token-hint');
var helper = '';

function nextPage() {
  var next = dom.params().next || '';
  return /^[a-z][a-z0-9-]*\.html(\?[A-Za-z0-9_=&%.-]*)?$/.test(next) && next !== 'login.html'
    ? next : 'orders.html';
}

function detect() {
  dom.clear(select);
  hint.textContent = '正在检测已插入的介质…';
  return api.request('GET', helper + '/inserted', undefined, { stay: true }).then(function (r) {
    var tokens = r.ok && Array.isArray(r.body.tokens) ? r.body.tokens : [];
    tokens.forEach(function (t) {
      var o = document.createElement('option');
      o.value = t.token_serial;
      o.textContent = t.token_serial + '（' + (t.kind === 'sm2' ? 'SM2' : 'RSA') + '）' +
        (t.subject ? ' ' + t.subject : '');
      select.appendChild(o);
    });
    hint.textContent = !r.ok ? '未连接到证书助手：请确认证书助手已安装并正在运行，然后点击“重新检测介质”。'
      : tokens.length ? '请选择要用于登录的介质。' : '未检测到介质：请插入 USB-Key 后点击“重新检测介质”。';
  });
}

// The challenge, the helper's signature with the PIN, the hall's verdict.
function login(serial, pin) {
  return api.request('POST', '/api/account/cert-login/challenge', {}, { stay: true }).then(function (c) {
    if (!c.ok) return c;
    return api.request('POST', helper + '/' + encodeURIComponent(serial) + '/sign',
      { challenge: c.body.challenge, pin: pin }, { stay: true }).then(function (s) {
      if (!s.ok) return s;
      return api.request('POST', '/api/account/cert-login', {
        challenge_id: c.body.challenge_id,
        certificate: s.body.certificate,
        signature: s.body.signature
      }, { stay: true });
    });
  });
}

dom.liveClear(form);
document.getElementById('cert-refresh').addEventListener('click', detect);
form.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(form);
  var serial = select.value;
  var pin = form.elements.namedItem('pin').value;
  if (!serial) {
    dom.showError(form, { field: 'token_serial', message: '请先插入并选择证书介质。' });
    return;
  }
  if (!/^[0-9]{6,8}$/.test(pin)) {
    dom.showError(form, { field: 'pin', message: '请输入 6 至 8 位数字的证书 PIN 码。' });
    return;
  }
  dom.busy(form.querySelector('button[type="submit"]'), '正在验证证书…', function () {
    return login(serial, pin);
  }).then(function (r) {
    if (!r) return;
    form.elements.namedItem('pin').value = '';
    if (r.ok) window.location.href = nextPage();
    else dom.showError(form, r.error);
  });
});

api.request('GET', '/api/account/cert-login', undefined, { stay: true }).then(function (r) {
  if (!r.ok || !r.body.enabled || !r.body.helper) return;
  helper = r.body.helper.replace(/\/+$/, '');
  document.getElementById('tab-cert').hidden = false;
  detect();
  if (window.location.hash === '#cert') document.getElementById('tab-cert').click();
});
