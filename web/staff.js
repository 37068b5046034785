/* certhall staff console: what the staff pages share beyond dom.js and api.js (staff.html,
 * staff-order.html, staff-hall.html): names of codes, masked values, formats with a dash for
 * what is missing, the page-wide notice, login with its second factor, the header. The session
 * cookie is HttpOnly; state-changing requests carry the CSRF token (api.js). The order
 * vocabulary (states, businesses, kinds, events, payment names) is the API's, through vocab.js.
 */
import * as dom from './dom.js';
import { request, onSession, rememberCsrf } from './api.js';
import { el } from './dom.js';
import V from './vocab.js';

// ---- names of the codes the vocabulary does not hold (wizard/catalog.c) ----------------------

export const ROLE_NAMES = { reviewer: '审核员', finance: '财务', shipping: '制证发货', admin: '管理员' };
export const VERIFY_NAMES = {
  transfer: '企业对公打款认证', lr_mobile: '法定代表人手机号认证', lr_card: '法定代表人银行卡信息认证',
  lr_face: '法定代表人刷脸认证', mail_in: '线下邮寄纸质材料'
};
export const HANDLER_METHOD_NAMES = { mobile: '经办人手机实名认证', card: '经办人银行卡信息认证', face: '经办人刷脸认证' };

export function name(table, code) {
  if (code === undefined || code === null || code === '') return '—';
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : String(code);
}

// ---- formats: the staff pages show a dash for a value they lack --------------------------------

// "2026-11-20T11:38:16+08:00" -> "2026-11-20 11:38"; "—" for none.
export function when(s) {
  return dom.when(s) || '—';
}

// Fen (number or digit string) -> "260.00"; "—" for anything else.
export function yuan(fen) {
  return dom.yuan(fen) || '—';
}

// Masked forms as shared/domain/mask.c makes them: mobiles 138****1234, ID numbers 110***********123X,
// account and card numbers their first 4 and last 4.
export function maskMobile(s) {
  s = String(s || '');
  return /^\d{11}$/.test(s) ? s.slice(0, 3) + '****' + s.slice(7) : (s ? '****' : '');
}
export function maskId(s) {
  s = String(s || '');
  return s.length >= 8 ? s.slice(0, 3) + new Array(s.length - 6).join('*') + s.slice(-4) : (s ? '****' : '');
}
export function maskNumber(s) {
  s = String(s || '');
  return s.length > 8 ? s.slice(0, 4) + ' **** ' + s.slice(-4) : (s ? '****' : '');
}

// A definition list from [label, value, skipWhenEmpty] rows; a value may be a Node.
export function details(rows, extraClass) {
  return dom.details(rows.map(function (r) { return [r[0], r[1], null, r[2]]; }), extraClass);
}

// The badge of an order's state.
export function stateBadge(state, name) {
  return dom.badge(name || V.stateName(state), V.tone(state, true));
}

// ---- alerts ---------------------------------------------------------------------------------

// The page-wide notice under the header (kept across re-renders of the page's content).
export function notice(node) {
  var n = document.getElementById('notice');
  if (!n) return;
  dom.clear(n);
  if (node) {
    n.appendChild(node);
    if (n.scrollIntoView) n.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
}

// ---- requests ---------------------------------------------------------------------------------

// api.js's request; a state-changing request always carries a JSON body ({} when none is given).
export function api(method, url, payload, opts) {
  var body = method !== 'GET' && method !== 'HEAD' && payload === undefined ? {} : payload;
  return request(method, url, body, opts);
}

// A button busy while its request runs (no double submissions).
export function busy(button, promise) {
  if (!button) return promise;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  return promise.then(function (v) {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    return v;
  });
}

// ---- login and the header -------------------------------------------------------------------

export let me = null;

function showUser(me) {
  var line = document.getElementById('staff-user');
  if (!line) return;
  document.getElementById('staff-name').textContent = me.name || me.username || '';
  document.getElementById('staff-role').textContent = name(ROLE_NAMES, me.role);
  line.hidden = false;
}

function hideUser() {
  var line = document.getElementById('staff-user');
  if (line) line.hidden = true;
}

function loginForm(section, lead, done) {
  dom.clear(section);
  section.appendChild(el('h1', null, '工作人员登录')).id = 'login-title';
  section.appendChild(el('p', 'lead', lead));
  var form = el('form', 'form-stack');
  form.noValidate = true;
  function field(id, label, type, name, auto) {
    var f = el('div', 'field');
    var l = el('label', null, label);
    l.htmlFor = id;
    var i = el('input');
    i.type = type;
    i.id = id;
    i.name = name;
    i.maxLength = 64;
    i.required = true;
    i.autocomplete = auto;
    if (type === 'text') {
      i.setAttribute('autocapitalize', 'off');
      i.spellcheck = false;
    }
    f.appendChild(l);
    f.appendChild(i);
    form.appendChild(f);
    return i;
  }
  var user = field('login-username', '工号', 'text', 'username', 'username');
  var pass = field('login-password', '密码', 'password', 'password', 'current-password');
  var actions = el('div', 'actions');
  var submit = el('button', null, '登录');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  var out = el('div', 'form-result');
  out.setAttribute('aria-live', 'polite');
  form.appendChild(out);
  section.appendChild(form);
  section.hidden = false;
  user.focus();

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var u = user.value.trim(), p = pass.value;
    if (!u) return dom.formError(form, out, { message: '请输入工号。', field: 'username' });
    if (!/^[a-z0-9]{1,64}$/.test(u)) return dom.formError(form, out, { message: '工号由小写字母和数字组成，请核对。', field: 'username' });
    if (!p) return dom.formError(form, out, { message: '请输入密码。', field: 'password' });
    busy(submit, api('POST', '/api/account/staff/login', { username: u, password: p }, { stay: true }))
      .then(function (r) {
        if (!r.ok) {
          pass.value = '';
          return dom.formError(form, out, r.error);
        }
        return whoami().then(function (w) {
          if (!w.ok) return dom.formError(form, out, w.error);
          if (needsFactor(w.body)) return factorStep(section, w.body.factor, done);
          section.hidden = true;
          dom.clear(section);
          done(w.body);
        });
      });
  });
}

// ---- the second factor (TOTP or a client certificate) ----------------------------------------

// A 6-digit code form posting {code} to url; done() after a 2xx.
function codeForm(parent, url, label, button, done) {
  var form = el('form', 'form-stack');
  form.noValidate = true;
  var f = el('div', 'field');
  var l = el('label', null, label);
  l.htmlFor = 'factor-code';
  var i = el('input');
  i.type = 'text';
  i.id = 'factor-code';
  i.name = 'code';
  i.maxLength = 6;
  i.inputMode = 'numeric';
  i.autocomplete = 'one-time-code';
  f.appendChild(l);
  f.appendChild(i);
  form.appendChild(f);
  var actions = el('div', 'actions');
  var submit = el('button', null, button);
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  var out = el('div', 'form-result');
  out.setAttribute('aria-live', 'polite');
  form.appendChild(out);
  parent.appendChild(form);
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var code = i.value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(code)) return dom.formError(form, out, { message: '请输入认证器上显示的 6 位动态口令。', field: 'code' });
    busy(submit, api('POST', url, { code: code }, { stay: true })).then(function (r) {
      if (!r.ok) {
        i.value = '';
        return dom.formError(form, out, r.error);
      }
      done();
    });
  });
  return i;
}

function certButton(parent, url, label, out, done) {
  var b = el('button', 'btn-small', label);
  b.type = 'button';
  b.addEventListener('click', function () {
    dom.clear(out);
    busy(b, api('POST', url, {}, { stay: true })).then(function (r) {
      if (!r.ok) return out.appendChild(dom.errorAlert(r.error));
      done();
    });
  });
  parent.appendChild(b);
}

/*
 * After the password: the code prompt (or the certificate), or the enrolment of a first
 * factor (QR code for an authenticator app, or the client certificate of this connection).
 * done() once the session's factor has passed.
 */
function factorStep(section, factor, done) {
  var enrolled = Array.isArray(factor.enrolled) ? factor.enrolled : [];
  var finish = function () {
    whoami().then(function (w) {
      if (!w.ok) return notice(dom.errorAlert(w.error));
      section.hidden = true;
      dom.clear(section);
      done(w.body);
    });
  };
  dom.clear(section);
  section.hidden = false;
  var out = el('div', 'form-result');
  out.setAttribute('aria-live', 'polite');
  if (enrolled.length) {
    section.appendChild(el('h1', null, '第二重身份验证')).id = 'login-title';
    if (enrolled.indexOf('totp') >= 0) {
      section.appendChild(el('p', 'lead', '请输入手机认证器（动态口令 App）上显示的 6 位口令。每个口令只能使用一次。'));
      codeForm(section, '/api/account/staff/factor/verify', '动态口令', '验证', finish).focus();
    }
    if (enrolled.indexOf('cert') >= 0) {
      section.appendChild(el('p', 'lead', factor.certificate_presented
        ? '也可使用本次连接出示的客户端证书验证。'
        : '您已绑定客户端证书：请在浏览器中导入证书，并通过工作人员 HTTPS 地址访问。'));
      if (factor.certificate_presented) certButton(section, '/api/account/staff/factor/verify', '使用客户端证书验证', out, finish);
    }
    section.appendChild(out);
    return;
  }
  section.appendChild(el('h1', null, '绑定第二重验证方式')).id = 'login-title';
  section.appendChild(el('p', 'lead', '工作人员仅凭密码不能查看待办或作出决定。请绑定手机认证器（动态口令），或绑定本次连接出示的客户端证书。绑定记入审计日志；遗失后请联系管理员重置。'));
  var start = el('button', null, '绑定动态口令');
  start.type = 'button';
  section.appendChild(start);
  if (factor.certificate_presented) certButton(section, '/api/account/staff/factor/cert', '绑定当前客户端证书', out, finish);
  section.appendChild(out);
  start.addEventListener('click', function () {
    dom.clear(out);
    busy(start, api('POST', '/api/account/staff/factor/totp', {}, { stay: true })).then(function (r) {
      if (!r.ok) return out.appendChild(dom.errorAlert(r.error));
      start.hidden = true;
      var box = el('div', 'factor-enrol');
      box.appendChild(el('p', null, '1. 用手机认证器 App（如 FreeOTP、Google Authenticator、Microsoft Authenticator）扫描二维码：'));
      var qr = dom.svg(r.body.qr_svg);
      if (qr) {
        qr.setAttribute('width', '200');
        qr.setAttribute('height', '200');
        box.appendChild(qr);
      }
      box.appendChild(el('p', null, '无法扫码时手动输入密钥：'));
      box.appendChild(el('code', 'factor-secret', String(r.body.secret || '')));
      box.appendChild(el('p', 'hint', '没有手机的演示环境：在终端运行 oathtool --totp -b ' + String(r.body.secret || '') + ' 得到口令。'));
      box.appendChild(el('p', null, '2. 输入认证器显示的 6 位口令完成绑定：'));
      section.insertBefore(box, out);
      var form = el('div');
      section.insertBefore(form, out);
      codeForm(form, '/api/account/staff/factor/totp/confirm', '动态口令', '完成绑定', finish).focus();
    });
  });
}

// A decision refused for a stale factor: a code prompt in the notice, then "try again".
function onFactorStale(err) {
  if (!me) return;
  var box = dom.alert([err.message, '验证后请重新提交刚才的操作。'], 'warn');
  var enrolled = me.factor && Array.isArray(me.factor.enrolled) ? me.factor.enrolled : [];
  var out = el('div', 'form-result');
  if (enrolled.indexOf('totp') >= 0) {
    codeForm(box, '/api/account/staff/factor/verify', '动态口令', '验证', function () {
      notice(dom.alert('验证成功，请重新提交。', 'ok'));
    });
  }
  if (me.factor && me.factor.certificate_presented) {
    certButton(box, '/api/account/staff/factor/verify', '使用客户端证书验证', out, function () {
      notice(dom.alert('验证成功，请重新提交。', 'ok'));
    });
  }
  box.appendChild(out);
  notice(box);
}

function needsFactor(me) {
  return me && me.factor && me.factor.required && !me.factor.passed;
}

function whoami() {
  return api('GET', '/api/account/staff/me', undefined, { stay: true }).then(function (r) {
    if (r.ok) {
      me = r.body;
      showUser(r.body);
    }
    return r;
  });
}

/*
 * Runs ready(me) once a staff member is logged in: at once when the session is one, after the
 * login form otherwise. An applicant's session is replaced by the staff login.
 */
export function start(ready) {
  var section = document.getElementById('login-section');
  var logout = document.getElementById('staff-logout');
  if (logout) {
    logout.addEventListener('click', function () {
      busy(logout, api('POST', '/api/account/logout', {}, { stay: true })).then(function () {
        me = null;
        rememberCsrf('');
        location.href = 'staff.html';
      });
    });
  }
  onSession({ stale: onFactorStale, lost: function () {
    if (!me) return;
    me = null;
    hideUser();
    var box = dom.alert(['登录已过期或已在别处退出，本次操作未生效。', '请重新登录后再操作。'], 'warn');
    var again = el('button', 'btn-small', '重新登录');
    again.type = 'button';
    again.addEventListener('click', function () { location.reload(); });
    box.appendChild(again);
    notice(box);
  } });
  function failed(box) {
    var retry = el('button', 'btn-small', '重试');
    retry.type = 'button';
    retry.addEventListener('click', function () { location.reload(); });
    box.appendChild(retry);
    notice(box);
  }
  Promise.all([whoami(), V.load()]).then(function (both) {
    var r = both[0];
    if (!both[1]) return failed(dom.alert('订单状态等名称未能载入，请检查网络后重试。'));
    if (r.ok && needsFactor(r.body)) return factorStep(section, r.body.factor, ready);
    if (r.ok) return ready(r.body);
    if (r.status === 401) return loginForm(section, '请使用认证机构分配的工号和密码登录。', ready);
    if (r.status === 403 && r.error.code === 'forbidden')
      return loginForm(section, '当前登录的是申请人账号。使用工作人员工号登录后，申请人账号将退出登录。', ready);
    failed(dom.errorAlert(r.error));
  });
}

export function isRole(role) {
  return !!me && (me.role === role || me.role === 'admin');
}
