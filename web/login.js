/* certhall: login.html: login by password or SMS code, registration (organisation or person),
 * password reset. After a login the browser goes to ?next= (a page of this site) or to
 * orders.html. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';


// Only a page of this directory, with an optional query: never another site.
function nextPage() {
  var next = dom.params().next || '';
  return /^[a-z][a-z0-9-]*\.html(\?[A-Za-z0-9_=&%.-]*)?$/.test(next) && next !== 'login.html'
    ? next : 'orders.html';
}

// ---- tabs -------------------------------------------------------------------------------

var tabs = Array.prototype.slice.call(document.querySelectorAll('[role="tab"]'));

function show(tab) {
  tabs.forEach(function (t) {
    var on = t === tab;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
  });
  var pane = document.getElementById(tab.getAttribute('aria-controls'));
  var first = pane.querySelector('input:not([type="radio"])');
  if (first) first.focus();
}

tabs.forEach(function (t, i) {
  t.addEventListener('click', function () { show(t); });
  t.addEventListener('keydown', function (ev) {
    var d = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    ev.preventDefault();
    var n = tabs[(i + d + tabs.length) % tabs.length];
    n.focus();
    show(n);
  });
});

// ---- forms ------------------------------------------------------------------------------

// Wires FORM: BUILD(form) returns [url, payload] or an error {field, message}; DONE(body).
function wire(form, build, done) {
  var button = form.querySelector('button[type="submit"]');
  dom.liveClear(form);
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var req = build(form);
    if (!Array.isArray(req)) {
      dom.showError(form, req);
      return;
    }
    dom.busy(button, '请稍候…', function () {
      return api.request('POST', req[0], req[1], { stay: true });
    }).then(function (r) {
      if (!r) return;
      if (!r.ok) dom.showError(form, r.error);
      else done(r.body, form);
    });
  });
}

function loggedIn() {
  window.location.href = nextPage();
}

function need(form, name, message) {
  return P.value(form, name) ? null : { field: name, message: message };
}

wire(document.getElementById('form-password'), function (f) {
  var miss = need(f, 'login_name', '请输入统一社会信用代码或手机号码。') ||
    (f.elements.namedItem('password').value ? null : { field: 'password', message: '请输入密码。' });
  if (miss) return miss;
  return ['/api/account/login', {
    login_name: P.value(f, 'login_name').replace(/\s+/g, ''),
    password: f.elements.namedItem('password').value
  }];
}, loggedIn);

wire(document.getElementById('form-sms'), function (f) {
  var miss = need(f, 'mobile', '请输入手机号码。') || need(f, 'sms_code', '请输入 6 位短信验证码。');
  if (miss) return miss;
  return ['/api/account/login-sms', {
    mobile: P.value(f, 'mobile').replace(/\s+/g, ''),
    sms_code: P.value(f, 'sms_code')
  }];
}, loggedIn);

var reg = document.getElementById('form-register');

function regKind() {
  return P.value(reg, 'kind') || 'org';
}

function regLabels() {
  var org = regKind() === 'org';
  document.getElementById('reg-name-label').textContent = org ? '单位全称' : '姓名';
  document.getElementById('reg-name-hint').textContent =
    org ? '与营业执照上的名称一致。' : '与身份证上的姓名一致。';
  document.getElementById('reg-mobile-label').textContent = org ? '经办人手机号码' : '手机号码';
  document.getElementById('reg-uscc-box').hidden = !org;
}

Array.prototype.forEach.call(reg.querySelectorAll('input[name="kind"]'), function (r) {
  r.addEventListener('change', regLabels);
});
regLabels();

wire(reg, function (f) {
  var org = regKind() === 'org';
  var miss = need(f, 'name', org ? '请填写单位全称。' : '请填写姓名。') ||
    (org ? need(f, 'uscc', '请填写统一社会信用代码。') : null) ||
    need(f, 'mobile', '请输入手机号码。') || need(f, 'sms_code', '请输入 6 位短信验证码。');
  if (miss) return miss;
  var pw = f.elements.namedItem('password').value;
  if (!pw) return { field: 'password', message: '请设置密码。' };
  if (pw !== f.elements.namedItem('password2').value) {
    return { field: 'password2', message: '两次输入的密码不一致。' };
  }
  var body = {
    kind: regKind(),
    name: P.value(f, 'name'),
    mobile: P.value(f, 'mobile').replace(/\s+/g, ''),
    sms_code: P.value(f, 'sms_code'),
    password: pw
  };
  if (org) body.uscc = P.value(f, 'uscc').replace(/\s+/g, '').toUpperCase();
  return ['/api/account/register', body];
}, loggedIn);

var reset = document.getElementById('form-reset');
wire(reset, function (f) {
  var miss = need(f, 'mobile', '请输入手机号码。') || need(f, 'sms_code', '请输入 6 位短信验证码。');
  if (miss) return miss;
  var pw = f.elements.namedItem('new_password').value;
  if (!pw) return { field: 'new_password', message: '请设置新密码。' };
  if (pw !== f.elements.namedItem('new_password2').value) {
    return { field: 'new_password2', message: '两次输入的密码不一致。' };
  }
  return ['/api/account/password-reset', {
    mobile: P.value(f, 'mobile').replace(/\s+/g, ''),
    sms_code: P.value(f, 'sms_code'),
    new_password: pw
  }];
}, function (body, f) {
  f.reset();
  dom.say(f.querySelector('.form-result'), body.message || '密码已重置，请使用新密码登录。', 'ok');
});

// ---- SMS codes ----------------------------------------------------------------------------

function codeFor(buttonId, form, purpose) {
  var out = form.querySelector('.form-result');
  P.codeButton(document.getElementById(buttonId), function () {
    dom.clearErrors(form);
    var mobile = P.value(form, 'mobile').replace(/\s+/g, '');
    if (!mobile) {
      dom.showError(form, { field: 'mobile', message: '请先输入手机号码。' });
      return null;
    }
    return api.request('POST', '/api/account/sms-code', { mobile: mobile, purpose: purpose },
      { stay: true });
  }, 60, function (r) {
    if (r.ok) dom.say(out, r.body.message || '验证码已发送，请注意查收。', 'info');
    else dom.showError(form, r.error);
  });
}

codeFor('sms-send', document.getElementById('form-sms'), 'login');
codeFor('reg-send', reg, 'register');
codeFor('rs-send', reset, 'reset');

// ---- already logged in? --------------------------------------------------------------------

var hash = window.location.hash.replace(/^#/, '');
var start = document.getElementById('tab-' + hash);
if (start) show(start);

api.request('GET', '/api/account/me', undefined, { stay: true }).then(function (r) {
  if (!r.ok) return;
  document.getElementById('already-text').textContent =
    '您已登录：' + (r.body.name || r.body.login_name || '') + '。';
  document.getElementById('already').hidden = false;
});
