/* certhall staff console: what both staff pages share (requests with the CSRF token, errors,
 * login, the header, names of codes), and the queue page (staff.html). Every value from the
 * server reaches the page through textContent or an attribute set by the DOM, never innerHTML.
 * The session cookie is HttpOnly; state-changing requests carry the certhall_csrf cookie's value
 * in X-CSRF-Token. The order vocabulary (states, businesses, kinds, events, payment names) is
 * the API's, through vocab.js (window.certhallVocab, S.vocab). staff-order.js uses
 * window.certhallStaff.
 */
(function () {
  'use strict';

  var S = {};
  var V = S.vocab = window.certhallVocab;
  var TIMEOUT_MS = 20000;
  var NETWORK_ERROR = '网络异常，请求未完成，请检查网络后重试。';
  var BAD_ANSWER = '服务器返回了无法识别的内容，请稍后重试。';

  // ---- names of the codes the vocabulary does not hold (wizard/catalog.c) ----------------------

  S.ROLE_NAMES = { reviewer: '审核员', finance: '财务', shipping: '制证发货', admin: '管理员' };
  S.VERIFY_NAMES = {
    transfer: '企业对公打款认证', lr_mobile: '法定代表人手机号认证', lr_card: '法定代表人银行卡信息认证',
    lr_face: '法定代表人刷脸认证', mail_in: '线下邮寄纸质材料'
  };
  S.HANDLER_METHOD_NAMES = { mobile: '经办人手机实名认证', card: '经办人银行卡信息认证', face: '经办人刷脸认证' };

  S.name = function (table, code) {
    if (code === undefined || code === null || code === '') return '—';
    return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : String(code);
  };

  // ---- small DOM helpers ----------------------------------------------------------------------

  S.el = function (tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  var el = S.el;

  S.clear = function (node) {
    while (node && node.firstChild) node.removeChild(node.firstChild);
  };

  S.text = function (v) {
    return v === undefined || v === null || v === '' ? '—' : String(v);
  };

  // "2026-11-20T11:38:16+08:00" -> "2026-11-20 11:38" (the server sends China time).
  S.when = function (s) {
    if (typeof s !== 'string' || !s) return '—';
    var m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
    return m ? m[1] + ' ' + m[2] : s;
  };

  // Fen (number or digit string) -> "260.00". Integer arithmetic: no float rounding.
  S.yuan = function (fen) {
    var s = String(fen === undefined || fen === null ? '' : fen);
    if (!/^-?\d+$/.test(s)) return '—';
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    while (s.length < 3) s = '0' + s;
    return (neg ? '-' : '') + s.slice(0, -2).replace(/^0+(?=\d)/, '') + '.' + s.slice(-2);
  };

  // Masked forms as shared/domain/mask.c makes them: mobiles 138****1234, ID numbers 110***********123X,
  // account and card numbers their first 4 and last 4.
  S.maskMobile = function (s) {
    s = String(s || '');
    return /^\d{11}$/.test(s) ? s.slice(0, 3) + '****' + s.slice(7) : (s ? '****' : '');
  };
  S.maskId = function (s) {
    s = String(s || '');
    return s.length >= 8 ? s.slice(0, 3) + new Array(s.length - 6).join('*') + s.slice(-4) : (s ? '****' : '');
  };
  S.maskNumber = function (s) {
    s = String(s || '');
    return s.length > 8 ? s.slice(0, 4) + ' **** ' + s.slice(-4) : (s ? '****' : '');
  };

  // A definition list from [label, value] rows; a value may be a Node. rows[i][2]: skip when empty.
  S.details = function (rows, extraClass) {
    var dl = el('dl', 'details' + (extraClass ? ' ' + extraClass : ''));
    rows.forEach(function (r) {
      if (r[2] && (r[1] === undefined || r[1] === null || r[1] === '')) return;
      dl.appendChild(el('dt', null, r[0]));
      var dd = el('dd');
      if (r[1] instanceof Node) dd.appendChild(r[1]);
      else dd.textContent = S.text(r[1]);
      dl.appendChild(dd);
    });
    return dl;
  };

  S.badge = function (label, tone) {
    return el('span', 'badge badge-' + tone, label);
  };

  // The badge of an order's state.
  S.stateBadge = function (state, name) {
    return S.badge(name || V.stateName(state), V.tone(state, true));
  };

  S.option = function (value, label, selected) {
    var o = el('option', null, label);
    o.value = value;
    if (selected) o.selected = true;
    return o;
  };

  // A table: head labels, rows of cells (string or Node or {text, className}).
  S.table = function (head, rows, className) {
    var wrap = el('div', 'table-wrap');
    var t = el('table', 'table' + (className ? ' ' + className : ''));
    var thead = el('thead'), tr = el('tr');
    head.forEach(function (h) {
      var th = el('th', null, h);
      th.scope = 'col';
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    var tbody = el('tbody');
    rows.forEach(function (cells) {
      var row = el('tr');
      cells.forEach(function (c) {
        var td = el('td');
        if (c instanceof Node) td.appendChild(c);
        else if (c && typeof c === 'object') {
          if (c.className) td.className = c.className;
          if (c.node) td.appendChild(c.node);
          else td.textContent = S.text(c.text);
        } else td.textContent = S.text(c);
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
    t.appendChild(tbody);
    wrap.appendChild(t);
    return wrap;
  };

  // Characters as the server counts them (code points).
  S.chars = function (s) {
    return Array.from ? Array.from(String(s)).length : String(s).length;
  };

  S.hasControl = function (s) { return /[\u0000-\u001f\u007f]/.test(String(s)); };

  // ---- alerts -----------------------------------------------------------------------------------

  // tone: '' (error), 'ok', 'info', 'warn', 'conflict'.
  S.alert = function (message, tone, requestId) {
    var box = el('div', 'alert' + (tone === 'conflict' ? ' alert-conflict' : tone ? ' alert-' + tone : ''));
    box.setAttribute('role', tone === 'ok' || tone === 'info' ? 'status' : 'alert');
    if (Array.isArray(message)) message.forEach(function (m) { box.appendChild(el('p', null, m)); });
    else box.appendChild(el('p', null, message));
    if (requestId) box.appendChild(el('p', 'alert-id', '请求编号：' + requestId));
    return box;
  };

  S.errorAlert = function (err) {
    var id = err.request_id && (err.status >= 500 || err.code === 'internal') ? err.request_id : null;
    return S.alert(err.message || BAD_ANSWER, '', id);
  };

  // The page-wide notice under the header (kept across re-renders of the page's content).
  S.notice = function (node) {
    var n = document.getElementById('notice');
    if (!n) return;
    S.clear(n);
    if (node) {
      n.appendChild(node);
      if (n.scrollIntoView) n.scrollIntoView({ block: 'start', behavior: 'smooth' });
    }
  };

  S.unmark = function (form) {
    Array.prototype.forEach.call(form.querySelectorAll('.invalid'), function (i) {
      i.classList.remove('invalid');
      i.removeAttribute('aria-invalid');
    });
  };

  // Shows err in out and marks the form's control named by err.field.
  S.formError = function (form, out, err) {
    S.clear(out);
    out.appendChild(S.errorAlert(err));
    if (err.field && form && form.elements) {
      var input = form.elements.namedItem(err.field);
      if (input && input.classList) {
        input.classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
        if (input.focus) input.focus();
      }
    }
  };

  // ---- requests ---------------------------------------------------------------------------------

  S.cookie = function (name) {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].replace(/^\s+/, ''), eq = p.indexOf('=');
      if (eq > 0 && p.slice(0, eq) === name) {
        try { return decodeURIComponent(p.slice(eq + 1)); } catch (e) { return ''; }
      }
    }
    return '';
  };

  // The session's CSRF token: the cookie (it changes with every login), else the one the login
  // or staff/me answer carried.
  S.csrf = function () {
    return S.cookie('certhall_csrf') || S.csrfToken || '';
  };

  /*
   * Resolves (never rejects) to {ok: true, status, body} or {ok: false, error: {status, code,
   * message, field, request_id, raw}}. A 401 outside the login calls S.onSessionLost.
   */
  S.api = function (method, url, payload, opts) {
    opts = opts || {};
    var ctl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, TIMEOUT_MS) : null;
    var init = {
      method: method,
      headers: { 'Accept': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store'
    };
    if (ctl) init.signal = ctl.signal;
    if (method !== 'GET' && method !== 'HEAD') {
      init.headers['X-CSRF-Token'] = S.csrf();
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload === undefined ? {} : payload);
    }
    return fetch(url, init).then(function (res) {
      return res.json().then(function (body) {
        return { status: res.status, okStatus: res.ok, body: body };
      }, function () {
        return { status: res.status, okStatus: false, body: null };
      });
    }, function () {
      return { status: 0, okStatus: false, body: null, network: true };
    }).then(function (r) {
      if (timer) clearTimeout(timer);
      if (r.okStatus && r.body && typeof r.body === 'object') return { ok: true, status: r.status, body: r.body };
      var e = r.body && r.body.error && typeof r.body.error === 'object' ? r.body.error : {};
      var err = {
        status: r.status,
        code: typeof e.code === 'string' ? e.code : '',
        message: typeof e.message === 'string' && e.message ? e.message : (r.network ? NETWORK_ERROR : BAD_ANSWER),
        field: typeof e.field === 'string' ? e.field : null,
        request_id: typeof e.request_id === 'string' ? e.request_id : null,
        raw: e
      };
      if (r.status === 401 && !opts.noSessionCheck && S.onSessionLost) S.onSessionLost(err);
      if (r.status === 403 && (err.code === 'factor_stale' || err.code === 'factor_required') &&
          !opts.noSessionCheck && S.onFactorStale) S.onFactorStale(err);
      return { ok: false, status: r.status, error: err };
    });
  };

  // A button busy while its request runs (no double submissions).
  S.busy = function (button, promise) {
    if (!button) return promise;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    return promise.then(function (v) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      return v;
    });
  };

  // ---- login and the header -------------------------------------------------------------------

  S.me = null;

  function showUser(me) {
    var line = document.getElementById('staff-user');
    if (!line) return;
    document.getElementById('staff-name').textContent = me.name || me.username || '';
    document.getElementById('staff-role').textContent = S.name(S.ROLE_NAMES, me.role);
    line.hidden = false;
  }

  function hideUser() {
    var line = document.getElementById('staff-user');
    if (line) line.hidden = true;
  }

  function loginForm(section, lead, done) {
    S.clear(section);
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
      S.unmark(form);
      S.clear(out);
      var u = user.value.trim(), p = pass.value;
      if (!u) return S.formError(form, out, { message: '请输入工号。', field: 'username' });
      if (!/^[a-z0-9]{1,64}$/.test(u)) return S.formError(form, out, { message: '工号由小写字母和数字组成，请核对。', field: 'username' });
      if (!p) return S.formError(form, out, { message: '请输入密码。', field: 'password' });
      S.busy(submit, S.api('POST', '/api/account/staff/login', { username: u, password: p }, { noSessionCheck: true }))
        .then(function (r) {
          if (!r.ok) {
            pass.value = '';
            return S.formError(form, out, r.error);
          }
          if (typeof r.body.csrf_token === 'string') S.csrfToken = r.body.csrf_token;
          return whoami().then(function (w) {
            if (!w.ok) return S.formError(form, out, w.error);
            if (needsFactor(w.body)) return factorStep(section, w.body.factor, done);
            section.hidden = true;
            S.clear(section);
            done(w.body);
          });
        });
    });
  }

  // ---- the second factor (TOTP or a client certificate) ----------------------------------------

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var SVG_TAGS = { svg: 1, g: 1, path: 1, rect: 1, title: 1, desc: 1 };

  // The enrolment QR the server drew, parsed as XML (never HTML) and cleaned; null if odd.
  function svgNode(text) {
    if (typeof text !== 'string' || text.length > 400000 || typeof DOMParser !== 'function') return null;
    var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    var root = doc && doc.documentElement;
    if (!root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS ||
        doc.getElementsByTagName('parsererror').length) return null;
    (function clean(node) {
      Array.prototype.slice.call(node.children || []).forEach(function (c) {
        if (!SVG_TAGS[c.localName] || c.namespaceURI !== SVG_NS) node.removeChild(c);
        else clean(c);
      });
      Array.prototype.slice.call(node.attributes || []).forEach(function (a) {
        var n = a.name.toLowerCase();
        if (n.indexOf('on') === 0 || n.indexOf('href') >= 0 || n === 'style') node.removeAttribute(a.name);
      });
    }(root));
    return document.importNode(root, true);
  }

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
      S.unmark(form);
      S.clear(out);
      var code = i.value.replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) return S.formError(form, out, { message: '请输入认证器上显示的 6 位动态口令。', field: 'code' });
      S.busy(submit, S.api('POST', url, { code: code }, { noSessionCheck: true })).then(function (r) {
        if (!r.ok) {
          i.value = '';
          return S.formError(form, out, r.error);
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
      S.clear(out);
      S.busy(b, S.api('POST', url, {}, { noSessionCheck: true })).then(function (r) {
        if (!r.ok) return out.appendChild(S.errorAlert(r.error));
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
        if (!w.ok) return S.notice(S.errorAlert(w.error));
        section.hidden = true;
        S.clear(section);
        done(w.body);
      });
    };
    S.clear(section);
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
      S.clear(out);
      S.busy(start, S.api('POST', '/api/account/staff/factor/totp', {}, { noSessionCheck: true })).then(function (r) {
        if (!r.ok) return out.appendChild(S.errorAlert(r.error));
        start.hidden = true;
        var box = el('div', 'factor-enrol');
        box.appendChild(el('p', null, '1. 用手机认证器 App（如 FreeOTP、Google Authenticator、Microsoft Authenticator）扫描二维码：'));
        var qr = svgNode(r.body.qr_svg);
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
  S.onFactorStale = function (err) {
    if (!S.me) return;
    var box = S.alert([err.message, '验证后请重新提交刚才的操作。'], 'warn');
    var enrolled = S.me.factor && Array.isArray(S.me.factor.enrolled) ? S.me.factor.enrolled : [];
    var out = el('div', 'form-result');
    if (enrolled.indexOf('totp') >= 0) {
      codeForm(box, '/api/account/staff/factor/verify', '动态口令', '验证', function () {
        S.notice(S.alert('验证成功，请重新提交。', 'ok'));
      });
    }
    if (S.me.factor && S.me.factor.certificate_presented) {
      certButton(box, '/api/account/staff/factor/verify', '使用客户端证书验证', out, function () {
        S.notice(S.alert('验证成功，请重新提交。', 'ok'));
      });
    }
    box.appendChild(out);
    S.notice(box);
  };

  function needsFactor(me) {
    return me && me.factor && me.factor.required && !me.factor.passed;
  }

  function whoami() {
    return S.api('GET', '/api/account/staff/me', undefined, { noSessionCheck: true }).then(function (r) {
      if (r.ok) {
        S.me = r.body;
        if (typeof r.body.csrf_token === 'string') S.csrfToken = r.body.csrf_token;
        showUser(r.body);
      }
      return r;
    });
  }

  /*
   * Runs ready(me) once a staff member is logged in: at once when the session is one, after the
   * login form otherwise. An applicant's session is replaced by the staff login.
   */
  S.start = function (ready) {
    var section = document.getElementById('login-section');
    var logout = document.getElementById('staff-logout');
    if (logout) {
      logout.addEventListener('click', function () {
        S.busy(logout, S.api('POST', '/api/account/logout', {}, { noSessionCheck: true })).then(function () {
          S.me = null;
          S.csrfToken = '';
          location.href = 'staff.html';
        });
      });
    }
    S.onSessionLost = function () {
      if (!S.me) return;
      S.me = null;
      hideUser();
      var box = S.alert(['登录已过期或已在别处退出，本次操作未生效。', '请重新登录后再操作。'], 'warn');
      var again = el('button', 'btn-small', '重新登录');
      again.type = 'button';
      again.addEventListener('click', function () { location.reload(); });
      box.appendChild(again);
      S.notice(box);
    };
    function failed(box) {
      var retry = el('button', 'btn-small', '重试');
      retry.type = 'button';
      retry.addEventListener('click', function () { location.reload(); });
      box.appendChild(retry);
      S.notice(box);
    }
    Promise.all([whoami(), V.load()]).then(function (both) {
      var r = both[0];
      if (!both[1]) return failed(S.alert('订单状态等名称未能载入，请检查网络后重试。'));
      if (r.ok && needsFactor(r.body)) return factorStep(section, r.body.factor, ready);
      if (r.ok) return ready(r.body);
      if (r.status === 401) return loginForm(section, '请使用认证机构分配的工号和密码登录。', ready);
      if (r.status === 403 && r.error.code === 'forbidden')
        return loginForm(section, '当前登录的是申请人账号。使用工作人员工号登录后，申请人账号将退出登录。', ready);
      failed(S.errorAlert(r.error));
    });
  };

  S.isRole = function (role) {
    return !!S.me && (S.me.role === role || S.me.role === 'admin');
  };

  window.certhallStaff = S;

  // ---- the queue page (staff.html) -------------------------------------------------------------

  // The states each queue's filter offers, read off the state machine (schema/0008_review.sql
  // says what waits where): the reviewer's, the states a reviewer moves on; shipping's, those
  // shipping moves on before the key has left (delivery ends the order); finance's, every
  // state after submission (money to give back waits there in any), finance's own first.
  function afterSubmission() {
    var seen = {}, todo = V.moves({ event: 'submitted' }).map(function (t) { return t.to; });
    while (todo.length) {
      var s = todo.pop();
      if (seen[s]) continue;
      seen[s] = true;
      V.moves({ from: s }).forEach(function (t) { todo.push(t.to); });
    }
    return seen;
  }
  var QUEUE_STATES = {
    review: function () {
      return V.stateNames(function (s) { return V.movedBy(s.name, 'reviewer'); });
    },
    finance: function () {
      var after = afterSubmission();
      var own = function (s) { return V.movedBy(s.name, 'finance') || V.movedBy(s.name, 'payment'); };
      return V.stateNames(function (s) { return after[s.name] && own(s); })
        .concat(V.stateNames(function (s) { return after[s.name] && !own(s); }));
    },
    ship: function () {
      return V.stateNames(function (s) {
        return V.moves({ from: s.name, by: 'shipping' }).some(function (t) { return !V.is(t.to, 'final'); });
      });
    }
  };
  var QUEUE_LEADS = {
    review: '待预审、审核中、纸质材料审核中的订单，以及已填写纸质材料寄送运单号、待签收的订单。按提交时间从早到晚排列；红色为已超过渠道承诺的办理时限（工作日）。',
    finance: '以对公转账或现场缴费方式付款、待确认收款的订单，以及待退款的订单。按提交时间从早到晚排列。',
    ship: '审核通过、需要制作并寄出证书介质（USB Key）的订单。按提交时间从早到晚排列。'
  };
  var ROLE_QUEUE = { reviewer: 'review', finance: 'finance', shipping: 'ship' };
  var FILTERS = ['queue', 'state', 'channel', 'business', 'kind', 'from', 'to', 'order_no', 'subject', 'per_page'];

  function queuePage(me) {
    var form = document.getElementById('filter-form');
    var out = document.getElementById('filter-result');
    var result = document.getElementById('queue-result');
    var pager = document.getElementById('pager');
    var isAdmin = me.role === 'admin';
    var page = 1, loading = 0, channelsLoaded = false;

    document.getElementById('queue-section').hidden = false;
    document.getElementById('queue-field').hidden = !isAdmin;
    document.getElementById('halls-link').hidden = !isAdmin;
    if (isAdmin) auditForm();

    var fBusiness = form.elements.namedItem('business');
    fBusiness.appendChild(S.option('', '全部业务'));
    V.businesses.forEach(function (b) { fBusiness.appendChild(S.option(b.code, b.zh)); });
    var fKind = form.elements.namedItem('kind');
    fKind.appendChild(S.option('', '全部证书类型'));
    V.kinds.forEach(function (k) { fKind.appendChild(S.option(k.code, k.zh)); });

    function queueName() {
      return isAdmin ? form.elements.namedItem('queue').value : ROLE_QUEUE[me.role] || 'review';
    }

    function fillStates(keep) {
      var sel = form.elements.namedItem('state');
      S.clear(sel);
      sel.appendChild(S.option('', '全部状态'));
      var states = QUEUE_STATES[queueName()];
      (states ? states() : []).forEach(function (s) {
        sel.appendChild(S.option(s, V.stateName(s), s === keep));
      });
    }

    function setSelect(name, value) {
      var sel = form.elements.namedItem(name);
      if (!value) { sel.value = ''; return; }
      var found = Array.prototype.some.call(sel.options, function (o) { return o.value === value; });
      if (!found) sel.appendChild(S.option(value, value));
      sel.value = value;
    }

    // The filters from the address (a reload or a shared link shows the same page).
    function fromAddress() {
      var q = new URLSearchParams(location.search);
      if (isAdmin) form.elements.namedItem('queue').value = QUEUE_STATES[q.get('queue')] ? q.get('queue') : 'review';
      fillStates(q.get('state') || '');
      setSelect('state', q.get('state') || '');
      setSelect('channel', q.get('channel') || '');
      setSelect('business', q.get('business') || '');
      setSelect('kind', q.get('kind') || '');
      ['from', 'to', 'order_no', 'subject'].forEach(function (n) { form.elements.namedItem(n).value = q.get(n) || ''; });
      form.elements.namedItem('per_page').value = q.get('per_page') === '50' ? '50' : '20';
      var p = parseInt(q.get('page') || '1', 10);
      page = p >= 1 && p <= 2000 ? p : 1;
      document.getElementById('queue-lead').textContent = QUEUE_LEADS[queueName()];
    }

    // The filters as query parameters, or an error naming the field.
    function collect() {
      var params = new URLSearchParams(), v;
      for (var i = 0; i < FILTERS.length; i++) {
        var n = FILTERS[i];
        if (n === 'queue' && !isAdmin) continue;
        v = form.elements.namedItem(n).value.trim();
        if (n === 'per_page' && v === '20') continue;
        if (v) params.set(n, v);
      }
      var no = params.get('order_no'), subj = params.get('subject');
      var from = params.get('from'), to = params.get('to');
      if (no && !/^\d{18}$/.test(no)) return { error: { field: 'order_no', message: '订单号应为 18 位数字，请核对后重新输入。' } };
      if (subj && (S.chars(subj) > 50 || S.hasControl(subj)))
        return { error: { field: 'subject', message: '申请单位或申请人名称应为 1 至 50 个字，且不能含有控制字符。' } };
      if (from && !/^\d{4}-\d{2}-\d{2}$/.test(from)) return { error: { field: 'from', message: '起始日期应为 YYYY-MM-DD 格式的日期。' } };
      if (to && !/^\d{4}-\d{2}-\d{2}$/.test(to)) return { error: { field: 'to', message: '截止日期应为 YYYY-MM-DD 格式的日期。' } };
      if (from && to && to < from) return { error: { field: 'to', message: '截止日期不能早于起始日期。' } };
      return { params: params };
    }

    function waitedCell(item) {
      var span = el('span', 'waited');
      var max = parseInt(String(item.promise_days || '').split(/[–-]/).pop(), 10);
      if (item.waited_days === null || item.waited_days === undefined) {
        span.textContent = '—';
      } else {
        span.textContent = item.waited_days + ' 个工作日';
        if (item.overdue) span.classList.add('waited-overdue');
        else if (!isNaN(max) && item.waited_days >= max) span.classList.add('waited-due');
      }
      var wrap = el('div');
      wrap.appendChild(span);
      wrap.appendChild(el('span', 'sub', '承诺 ' + S.text(item.promise_days) + ' 个工作日'));
      if (item.overdue) wrap.appendChild(S.badge('已超期', 'bad'));
      return wrap;
    }

    function claimCell(c, first) {
      var wrap = el('div');
      if (!c) wrap.appendChild(el('span', 'muted', '未领取'));
      else {
        wrap.appendChild(el('span', c.me ? 'claim-mine' : null, S.text(c.name) + (c.me ? '（我）' : '')));
        wrap.appendChild(el('span', 'sub', '领取于 ' + S.when(c.claimed_at)));
      }
      // Four-eyes: the first approval, awaiting another reviewer's.
      if (first) wrap.appendChild(el('span', 'sub', S.text(first.name) + ' 已第一次审核通过，待复核'));
      return wrap;
    }

    function render(body, params) {
      S.clear(result);
      var items = Array.isArray(body.items) ? body.items : [];
      if (!items.length) {
        var empty = el('div', 'empty-state');
        empty.appendChild(el('p', null, page > 1 ? '这一页没有订单了。' : '没有符合条件的待办订单。'));
        var no = params.get('order_no');
        if (no) {
          // An order outside this queue can still be opened by its number.
          var p = el('p');
          var a = el('a', null, '查看订单 ' + no + ' 的详情');
          a.href = 'staff-order.html?no=' + encodeURIComponent(no);
          p.appendChild(a);
          empty.appendChild(p);
        }
        result.appendChild(empty);
      } else {
        var rows = items.map(function (it) {
          var link = el('a', 'order-link', it.order_no);
          link.href = 'staff-order.html?no=' + encodeURIComponent(it.order_no);
          var noCell = el('div');
          noCell.appendChild(link);
          noCell.appendChild(el('span', 'sub', '提交于 ' + S.when(it.submitted_at)));
          var what = el('div');
          what.appendChild(el('span', null, S.text(it.business_name || V.zh('businesses', it.business))));
          what.appendChild(el('span', 'sub', S.text(it.kind_name || V.zh('kinds', it.kind))));
          var stateCell = el('div');
          stateCell.appendChild(S.stateBadge(it.state, it.state_name));
          if (it.pay_method) stateCell.appendChild(el('span', 'sub', V.zh('pay_methods', it.pay_method)));
          var ch = el('div');
          ch.appendChild(el('span', null, S.text(it.channel_name)));
          ch.appendChild(el('span', 'sub', S.text(it.channel)));
          return [noCell, { text: it.subject_name }, what, ch, stateCell, waitedCell(it), claimCell(it.claimed_by, it.first_approved_by)];
        });
        var table = S.table(['订单号', '申请单位 / 申请人', '业务', '渠道', '状态', '已等待', '领取人'], rows, 'queue-table');
        var trs = table.querySelectorAll('tbody tr');
        items.forEach(function (it, i) {
          var max = parseInt(String(it.promise_days || '').split(/[–-]/).pop(), 10);
          if (it.overdue) trs[i].classList.add('row-overdue');
          else if (typeof it.waited_days === 'number' && !isNaN(max) && it.waited_days >= max) trs[i].classList.add('row-due');
        });
        result.appendChild(table);
      }
      pager.hidden = page === 1 && !body.has_more;
      document.getElementById('page-prev').disabled = page <= 1;
      document.getElementById('page-next').disabled = !body.has_more;
      document.getElementById('page-info').textContent = '第 ' + page + ' 页' +
        (items.length ? '（本页 ' + items.length + ' 条）' : '');
    }

    function load(push) {
      S.unmark(form);
      S.clear(out);
      var c = collect();
      if (c.error) return S.formError(form, out, c.error);
      var params = c.params;
      if (page > 1) params.set('page', String(page));
      var search = params.toString();
      var addr = 'staff.html' + (search ? '?' + search : '');
      if (push) history.pushState(null, '', addr);
      else history.replaceState(null, '', addr);
      try { sessionStorage.setItem('certhall.staff.queue', addr); } catch (e) { /* private mode */ }
      document.getElementById('queue-lead').textContent = QUEUE_LEADS[queueName()];
      var api = new URLSearchParams(search);
      if (isAdmin && !api.get('queue')) api.set('queue', 'review');
      var mine = ++loading;
      result.setAttribute('aria-busy', 'true');
      return S.api('GET', '/api/review/queue?' + api.toString()).then(function (r) {
        if (mine !== loading) return;
        result.removeAttribute('aria-busy');
        if (!r.ok) {
          S.clear(result);
          pager.hidden = true;
          return S.formError(form, out, r.error);
        }
        render(r.body, params);
      });
    }

    function loadChannels() {
      if (channelsLoaded) return Promise.resolve();
      return S.api('GET', '/api/wizard/catalog').then(function (r) {
        if (!r.ok || !Array.isArray(r.body.channels)) return;
        channelsLoaded = true;
        var sel = form.elements.namedItem('channel');
        r.body.channels.forEach(function (c) {
          if (c && typeof c.code === 'string') sel.appendChild(S.option(c.code, (c.name || c.code) + '（' + c.code + '）'));
        });
      });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      page = 1;
      load(true);
    });
    if (isAdmin) {
      form.elements.namedItem('queue').addEventListener('change', function () {
        fillStates('');
        page = 1;
        load(true);
      });
    }
    document.getElementById('filter-reset').addEventListener('click', function () {
      var q = isAdmin ? form.elements.namedItem('queue').value : '';
      form.reset();
      if (isAdmin) form.elements.namedItem('queue').value = q;
      fillStates('');
      page = 1;
      load(true);
    });
    document.getElementById('queue-refresh').addEventListener('click', function () { load(false); });
    document.getElementById('page-prev').addEventListener('click', function () {
      if (page > 1) { page--; load(true); }
    });
    document.getElementById('page-next').addEventListener('click', function () {
      page++;
      load(true);
    });
    window.addEventListener('popstate', function () {
      fromAddress();
      load(false);
    });

    loadChannels().then(function () {
      fromAddress();
      load(false);
    });
  }

  // Admin: the audit export is a plain GET the browser downloads (Content-Disposition: attachment);
  // the dates are checked here first so that the server's JSON error page is never what one gets.
  function auditForm() {
    var section = document.getElementById('audit-section');
    var form = document.getElementById('audit-form');
    var out = document.getElementById('audit-result');
    var today = new Date();
    var iso = function (d) {
      return d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2);
    };
    form.elements.namedItem('to').value = iso(today);
    form.elements.namedItem('from').value = iso(new Date(today.getFullYear(), today.getMonth(), 1));
    section.hidden = false;
    form.addEventListener('submit', function (ev) {
      S.unmark(form);
      S.clear(out);
      var f = form.elements.namedItem('from').value, t = form.elements.namedItem('to').value;
      var err = null;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(f)) err = { field: 'from', message: '请选择起始日期（YYYY-MM-DD）。' };
      else if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) err = { field: 'to', message: '请选择截止日期（YYYY-MM-DD）。' };
      else if (t < f) err = { field: 'to', message: '截止日期不能早于起始日期。' };
      if (err) {
        ev.preventDefault();
        S.formError(form, out, err);
        return;
      }
      out.appendChild(S.alert('正在生成 ' + f + ' 至 ' + t + ' 的审计记录，浏览器将开始下载 CSV 文件。', 'info'));
    });
  }

  if (document.body && document.body.getAttribute('data-page') === 'queue') {
    S.start(queuePage);
  }
})();
