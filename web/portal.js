/* certhall portal: what the applicant's pages share (login.html, apply.html, orders.html,
 * certs.html): DOM helpers, the API call with its CSRF header, errors shown beside the field
 * the server names, the header's account line, formats, the order timeline and the waybill
 * form. Every value from the server reaches the page through textContent or attributes set
 * one by one, never through innerHTML; the one exception, a QR code the server draws, is
 * parsed as SVG, checked and cleaned first (svg()). Exposed as window.certhall. */
(function () {
  'use strict';

  var TIMEOUT_MS = 20000;
  var NETWORK_ERROR = '网络异常，请求未完成，请检查网络后重试。';
  var BAD_ANSWER = '服务器返回了无法识别的内容，请稍后重试。';
  var SVG_NS = 'http://www.w3.org/2000/svg';

  var P = {};

  // ---- DOM ---------------------------------------------------------------------------------

  P.el = function (tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };

  P.clear = function (node) {
    while (node && node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  P.button = function (label, className, onClick) {
    var b = P.el('button', className || null, label);
    b.type = 'button';
    if (onClick) b.addEventListener('click', onClick);
    return b;
  };

  P.link = function (label, href, className) {
    var a = P.el('a', className || null, label);
    a.href = href;
    return a;
  };

  // A link that opens in a new tab and gives the new page no handle on this one.
  P.newTab = function (label, href, className) {
    var a = P.link(label, href, className);
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  };

  P.text = function (v) {
    return v === undefined || v === null || v === '' ? '—' : String(v);
  };

  // "2026-11-20T11:38:16+08:00" -> "2026-11-20 11:38" (the server sends China time).
  P.when = function (s) {
    if (typeof s !== 'string') return '';
    var m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
    return m ? m[1] + ' ' + m[2] : s;
  };

  // Fen (integer) -> "260.00".
  P.yuan = function (fen) {
    if (typeof fen !== 'number' || !isFinite(fen)) return '';
    var neg = fen < 0;
    fen = Math.abs(Math.round(fen));
    return (neg ? '-' : '') + Math.floor(fen / 100) + '.' + ('0' + (fen % 100)).slice(-2);
  };

  P.badge = function (label, tone) {
    return P.el('span', 'badge badge-' + (tone || 'muted'), label);
  };

  // Rows [label, value, valueClass, skipWhenEmpty]; a value may be a Node.
  P.details = function (rows) {
    var dl = P.el('dl', 'details');
    rows.forEach(function (r) {
      if (r[3] && (r[1] === undefined || r[1] === null || r[1] === '')) return;
      dl.appendChild(P.el('dt', null, r[0]));
      var dd = P.el('dd', r[2] || null);
      if (r[1] instanceof Node) dd.appendChild(r[1]);
      else dd.textContent = P.text(r[1]);
      dl.appendChild(dd);
    });
    return dl;
  };

  P.alert = function (message, tone, requestId) {
    var box = P.el('div', 'alert' + (tone && tone !== 'bad' ? ' alert-' + tone : ''));
    box.setAttribute('role', tone === 'ok' || tone === 'info' ? 'status' : 'alert');
    box.appendChild(P.el('p', null, message));
    if (requestId) box.appendChild(P.el('p', 'alert-id', '请求编号：' + requestId));
    return box;
  };

  // Puts a message (or nothing) into a result box.
  P.say = function (box, message, tone, requestId) {
    P.clear(box);
    if (message) box.appendChild(P.alert(message, tone, requestId));
  };

  P.params = function () {
    var out = {};
    if (typeof URLSearchParams !== 'function') return out;
    new URLSearchParams(window.location.search).forEach(function (v, k) { out[k] = v; });
    return out;
  };

  // ---- the API -----------------------------------------------------------------------------

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].replace(/^\s+/, '');
      if (kv.indexOf(name + '=') === 0) return decodeURIComponent(kv.slice(name.length + 1));
    }
    return '';
  }

  var csrfFallback = '';

  // The session's CSRF token: the readable cookie, else the one the last login or /me gave.
  P.csrf = function () {
    return cookie('certhall_csrf') || csrfFallback;
  };

  P.rememberCsrf = function (token) {
    if (typeof token === 'string') csrfFallback = token;
  };

  // An error object from an answer that is not a success.
  function failure(status, body, network) {
    var e = body && body.error && typeof body.error === 'object' ? body.error : {};
    return {
      message: typeof e.message === 'string' && e.message ? e.message :
        (network ? NETWORK_ERROR : BAD_ANSWER),
      field: typeof e.field === 'string' ? e.field : null,
      code: typeof e.code === 'string' ? e.code : null,
      request_id: typeof e.request_id === 'string' ? e.request_id : null,
      // A step's every fault at once: [{field, code, message}].
      errors: Array.isArray(e.errors) ? e.errors.filter(function (x) {
        return x && typeof x.message === 'string' && typeof x.field === 'string';
      }) : null,
      status: status,
      detail: e
    };
  }

  P.loginUrl = function () {
    var here = window.location.pathname.replace(/^.*\//, '') + window.location.search;
    return 'login.html?next=' + encodeURIComponent(here);
  };

  /*
   * Resolves to {ok: true, status, body} or {ok: false, error: {message, field, code,
   * request_id, status, detail}}; never rejects. State-changing methods carry X-CSRF-Token.
   * A 401 sends the browser to the login page unless opts.stay.
   */
  P.api = function (method, url, payload, opts) {
    opts = opts || {};
    var ctl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, opts.timeout || TIMEOUT_MS) : null;
    var init = {
      method: method,
      headers: { 'Accept': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store'
    };
    if (ctl) init.signal = ctl.signal;
    if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = P.csrf();
    if (payload !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    return fetch(url, init).then(function (res) {
      return res.json().then(function (body) {
        return { status: res.status, ok: res.ok, body: body };
      }, function () {
        return { status: res.status, ok: false, body: null };
      });
    }, function () {
      return { status: 0, ok: false, body: null, network: true };
    }).then(function (r) {
      if (timer) clearTimeout(timer);
      if (r.ok && r.body && typeof r.body === 'object') {
        if (typeof r.body.csrf_token === 'string') P.rememberCsrf(r.body.csrf_token);
        return { ok: true, status: r.status, body: r.body };
      }
      var err = failure(r.status, r.body, r.network);
      if (r.status === 401 && err.code === 'not_logged_in' && !opts.stay) {
        window.location.href = P.loginUrl();
      }
      return { ok: false, error: err };
    });
  };

  // A multipart upload with progress (fetch reports none): field "file".
  P.upload = function (url, file, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var form = new FormData();
      form.append('file', file, file.name);
      xhr.open('POST', url, true);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', P.csrf());
      xhr.timeout = 120000;
      if (xhr.upload && onProgress) {
        xhr.upload.addEventListener('progress', function (ev) {
          if (ev.lengthComputable) onProgress(ev.loaded, ev.total);
        });
      }
      function done(network) {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (!network && xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') {
          resolve({ ok: true, status: xhr.status, body: body });
          return;
        }
        var err = failure(xhr.status, body, network);
        if (xhr.status === 401 && err.code === 'not_logged_in') window.location.href = P.loginUrl();
        resolve({ ok: false, error: err });
      }
      xhr.addEventListener('load', function () { done(false); });
      xhr.addEventListener('error', function () { done(true); });
      xhr.addEventListener('timeout', function () { done(true); });
      xhr.addEventListener('abort', function () { done(true); });
      xhr.send(form);
    });
  };

  // ---- forms and their errors --------------------------------------------------------------

  // The element that shows field NAME of FORM: [data-field=NAME] wraps an input or a group.
  function fieldBox(form, name) {
    if (!form || !name) return null;
    var boxes = form.querySelectorAll('[data-field]');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute('data-field') === name && !boxes[i].hidden) return boxes[i];
    }
    return null;
  }

  P.clearErrors = function (form) {
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll('.invalid'), function (i) {
      i.classList.remove('invalid');
      i.removeAttribute('aria-invalid');
    });
    Array.prototype.forEach.call(form.querySelectorAll('.field-error'), function (p) {
      p.parentNode.removeChild(p);
    });
    var out = form.querySelector('.form-result');
    if (out) P.clear(out);
    var summary = form.querySelector('.error-summary');
    if (summary) summary.parentNode.removeChild(summary);
  };

  // Marks the field box with err's message; returns the first input to focus.
  function markField(box, err) {
    var msg = P.el('p', 'field-error', err.message);
    msg.setAttribute('role', 'alert');
    var id = 'err-' + Math.random().toString(36).slice(2);
    msg.id = id;
    box.appendChild(msg);
    var inputs = box.querySelectorAll('input, select, textarea');
    Array.prototype.forEach.call(inputs, function (i) {
      if (i.type === 'radio' || i.type === 'checkbox') return;
      i.classList.add('invalid');
      i.setAttribute('aria-invalid', 'true');
      i.setAttribute('aria-describedby', id);
    });
    return Array.prototype.filter.call(inputs, function (i) {
      return i.type !== 'radio' && i.type !== 'checkbox' && !i.hidden;
    })[0] || inputs[0];
  }

  // Several faults at once (the step's "errors"): each beside its field, and a summary at the
  // top of the form whose links lead to them (GOV.UK's error summary pattern).
  function showAll(form, list) {
    var summary = P.el('div', 'error-summary');
    summary.setAttribute('role', 'alert');
    summary.tabIndex = -1;
    summary.appendChild(P.el('h3', null, '请修正以下 ' + list.length + ' 处问题后再保存：'));
    var ul = P.el('ul');
    list.forEach(function (e) {
      var box = fieldBox(form, e.field);
      var li = P.el('li');
      var input = box ? markField(box, e) : null;
      if (input && !input.id) input.id = 'f-' + Math.random().toString(36).slice(2);
      if (input) {
        var a = P.link(e.message, '#' + input.id);
        a.addEventListener('click', function (ev) {
          ev.preventDefault();
          input.focus();
        });
        li.appendChild(a);
      } else {
        li.textContent = e.message;
      }
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    form.insertBefore(summary, form.firstChild);
    summary.focus();
    if (summary.scrollIntoView) summary.scrollIntoView({ block: 'start' });
    return true;
  }

  /*
   * Shows err beside the field it names (the message under the field, the input marked and
   * focused); an error naming no field of the form goes to the form's .form-result box.
   * Returns true when a field took it.
   */
  P.showError = function (form, err) {
    if (form && Array.isArray(err.errors) && err.errors.length > 1) return showAll(form, err.errors);
    var box = fieldBox(form, err.field);
    if (box) {
      var first = markField(box, err);
      if (first && typeof first.focus === 'function') first.focus();
      if (box.scrollIntoView) box.scrollIntoView({ block: 'center' });
      return true;
    }
    var out = form && form.querySelector('.form-result');
    if (out) {
      P.say(out, err.message, 'bad', err.status >= 500 ? err.request_id : null);
      if (out.scrollIntoView) out.scrollIntoView({ block: 'nearest' });
    }
    return false;
  };

  // Clears a field's error as soon as it is edited.
  P.liveClear = function (form) {
    form.addEventListener('input', function (ev) {
      var t = ev.target;
      if (!t || !t.classList || !t.classList.contains('invalid')) return;
      t.classList.remove('invalid');
      t.removeAttribute('aria-invalid');
      var box = t.closest('[data-field]');
      var p = box && box.querySelector('.field-error');
      if (p) p.parentNode.removeChild(p);
    });
  };

  // A button busy while PROMISE-returning FN runs; the label comes back afterwards.
  P.busy = function (button, label, fn) {
    if (button.disabled) return Promise.resolve(null);
    var old = button.textContent;
    button.disabled = true;
    if (label) button.textContent = label;
    return Promise.resolve().then(fn).then(function (v) {
      button.disabled = false;
      button.textContent = old;
      return v;
    }, function (e) {
      button.disabled = false;
      button.textContent = old;
      throw e;
    });
  };

  /*
   * One labelled field: {name, label, type, hint, max, value, placeholder, mono, options:
   * [[value, label]], inputmode, autocomplete, readonly}. Returns the wrapper (data-field).
   */
  P.field = function (f) {
    var box = P.el('div', 'field' + (f.short ? ' field-short' : '') + (f.wide ? ' field-wide' : ''));
    box.setAttribute('data-field', f.name);
    var id = 'f-' + (f.idPrefix || '') + f.name;
    var input;
    if (f.type === 'radios') {
      var fs = P.el('fieldset', 'choice');
      fs.appendChild(P.el('legend', null, f.label));
      (f.options || []).forEach(function (o) {
        var lab = P.el('label', 'choice-item');
        var r = document.createElement('input');
        r.type = 'radio';
        r.name = f.name;
        r.value = o[0];
        if (String(f.value) === String(o[0])) r.checked = true;
        if (f.readonly) r.disabled = true;
        lab.appendChild(r);
        lab.appendChild(P.el('span', null, o[1]));
        fs.appendChild(lab);
      });
      box.appendChild(fs);
    } else if (f.type === 'checkbox') {
      var cl = P.el('label', 'check');
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.name = f.name;
      cb.id = id;
      cb.checked = f.value === '1' || f.value === true;
      if (f.readonly) cb.disabled = true;
      cl.appendChild(cb);
      cl.appendChild(P.el('span', null, f.label));
      box.appendChild(cl);
    } else {
      box.appendChild(P.el('label', null, f.label)).htmlFor = id;
      if (f.type === 'select') {
        input = document.createElement('select');
        (f.options || []).forEach(function (o) {
          var opt = P.el('option', null, o[1]);
          opt.value = o[0];
          input.appendChild(opt);
        });
        if (f.value !== undefined && f.value !== null) input.value = String(f.value);
      } else {
        input = document.createElement('input');
        input.type = f.type || 'text';
        if (f.value !== undefined && f.value !== null) input.value = String(f.value);
        if (f.max) input.maxLength = f.max;
        if (f.placeholder) input.placeholder = f.placeholder;
        if (f.inputmode) input.inputMode = f.inputmode;
        input.autocomplete = f.autocomplete || 'off';
        input.spellcheck = false;
      }
      input.id = id;
      input.name = f.name;
      if (f.mono) input.classList.add('mono');
      if (f.readonly) {
        input.readOnly = true;
        if (f.type === 'select') input.disabled = true;
      }
      box.appendChild(input);
    }
    if (f.hint) box.appendChild(P.el('p', 'hint', f.hint));
    return box;
  };

  // The trimmed value of a named control (radio groups: the checked one; "" when none).
  P.value = function (form, name) {
    var c = form.elements.namedItem(name);
    if (!c) return '';
    if (typeof RadioNodeList !== 'undefined' && c instanceof RadioNodeList) return c.value || '';
    if (c.type === 'checkbox') return c.checked ? '1' : '0';
    return typeof c.value === 'string' ? c.value.replace(/^\s+|\s+$/g, '') : '';
  };

  /*
   * An inline question under CONTAINER: OK runs FN(reason), which returns a promise of an api()
   * answer; a success calls DONE(body). withReason adds an optional reason field (refunds).
   */
  P.ask = function (container, text, okLabel, withReason, fn, done) {
    var old = container.querySelector('.row-ask');
    if (old) old.parentNode.removeChild(old);
    var box = P.el('form', 'row-ask form');
    box.noValidate = true;
    box.appendChild(P.el('p', 'ask-text', text));
    // WITHREASON: true for a refund's reason, or the spec of the one field to ask (P.field).
    var spec = withReason && typeof withReason === 'object' ? withReason
      : { name: 'reason', label: '退款原因（选填）', max: 200 };
    if (withReason) {
      spec.wide = true;
      spec.idPrefix = 'ask-' + Math.random().toString(36).slice(2) + '-';
      box.appendChild(P.field(spec));
    }
    var actions = P.el('div', 'actions');
    var ok = P.el('button', 'btn-danger', okLabel);
    ok.type = 'submit';
    actions.appendChild(ok);
    actions.appendChild(P.button('不了', 'btn-secondary', function () {
      box.parentNode.removeChild(box);
    }));
    box.appendChild(actions);
    box.appendChild(P.el('div', 'form-result'));
    box.addEventListener('submit', function (ev) {
      ev.preventDefault();
      P.clearErrors(box);
      var reason = withReason ? P.value(box, spec.name) : null;
      P.busy(ok, '请稍候…', function () { return fn(reason); }).then(function (r) {
        if (!r) return;
        if (!r.ok) P.showError(box, r.error);
        else if (done) done(r.body);
      });
    });
    container.appendChild(box);
    ok.focus();
    return box;
  };

  // Cancel and refund, as the order's actions offer them: [button, ...] asking under CONTAINER.
  P.orderActions = function (order, container, done) {
    var no = order.order_no;
    var out = [];
    var acts = Array.isArray(order.actions) ? order.actions : [];
    var base = '/api/wizard/orders/' + encodeURIComponent(no);
    if (acts.indexOf('refund') >= 0) {
      out.push(P.button('申请退款', 'btn-small btn-secondary', function () {
        P.ask(container, '申请退款后订单将停止办理，退款经财务审核后原路退回。确定为订单 ' + no +
          ' 申请退款吗？', '申请退款', true, function (reason) {
          return P.api('POST', base + '/refund', reason ? { reason: reason } : {});
        }, done);
      }));
    }
    // 002 【更新下载证书】: the CA re-issues the renewed certificate onto the key (its request
    // kept from the first issue); the new validity runs from this day for an expired one.
    if (acts.indexOf('renew_download') >= 0) {
      out.push(P.button('更新下载证书', 'btn-small', function () {
        P.ask(container, '请插入该证书的介质（USB-Key）后确认：更新后的证书将写入介质，原证书随即失效。',
          '下载证书', false, function () {
            return P.api('POST', base + '/renewal/download', {});
          }, done);
      }));
    }
    // 002 "2.4 证书下载" after a change of name: the key helper makes the request for the new
    // names with the key on the token (its PIN), the CA re-issues the certificate.
    if (acts.indexOf('change_download') >= 0 && order.download) {
      var dl = order.download;
      out.push(P.button('下载变更后的证书', 'btn-small', function () {
        P.ask(container, '请插入介质 ' + (dl.token_serial || '') + ' 并输入证书 PIN 码：证书助手将以介质中的密钥生成“' +
          (dl.o || dl.cn) + '”的证书请求，变更后的证书写入介质，原证书随即注销。', '下载证书',
          { name: 'pin', label: '证书 PIN 码', type: 'password', max: 8, inputmode: 'numeric' },
          function (pin) {
            return P.api('GET', '/api/account/cert-login', undefined, { stay: true }).then(function (h) {
              if (!h.ok || !h.body.helper || !dl.token_serial) {
                return { ok: false, error: { message: '未连接到证书助手，请携带介质到业务网点办理。' } };
              }
              return P.api('POST', h.body.helper.replace(/\/+$/, '') + '/' +
                encodeURIComponent(dl.token_serial) + '/csr', { cn: dl.cn, o: dl.o, pin: pin },
              { stay: true }).then(function (c) {
                if (!c.ok) return c;
                return P.api('POST', base + '/change/download', { csr: c.body.csr });
              });
            });
          }, done);
      }));
    }
    if (acts.indexOf('cancel') >= 0) {
      out.push(P.button('取消订单', 'btn-small btn-danger-outline', function () {
        P.ask(container, '确定取消订单 ' + no + ' 吗？取消后不能恢复，如需办理请重新申请。', '确定取消',
          false, function () { return P.api('POST', base + '/cancel', {}); }, done);
      }));
    }
    return out;
  };

  // ---- an SMS code button with its wait ------------------------------------------------------

  // SEND() returns a promise of an api() answer; on success the button waits SECONDS.
  P.codeButton = function (button, send, seconds, onAnswer) {
    var label = button.textContent;
    var timer = null;
    function tick(left) {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = '重新获取';
        timer = null;
        return;
      }
      button.disabled = true;
      button.textContent = left + ' 秒后可重新获取';
      timer = setTimeout(function () { tick(left - 1); }, 1000);
    }
    button.addEventListener('click', function () {
      if (button.disabled || timer) return;
      button.disabled = true;
      button.textContent = '发送中…';
      Promise.resolve(send()).then(function (r) {
        if (!r) {
          button.disabled = false;
          button.textContent = label;
          return;
        }
        if (onAnswer) onAnswer(r);
        if (r.ok) tick(seconds || 60);
        else {
          button.disabled = false;
          button.textContent = label;
        }
      });
    });
  };

  // ---- the server's QR code --------------------------------------------------------------------

  var SVG_TAGS = { svg: 1, g: 1, path: 1, rect: 1, title: 1, desc: 1 };

  /*
   * The SVG the server drew (qr_svg) as a node, or null. Parsed as XML, never as HTML; the
   * root must be an <svg> in the SVG namespace; anything but plain drawing elements is
   * dropped, and so is every event handler or link attribute.
   */
  P.svg = function (text) {
    if (typeof text !== 'string' || text.length > 400000 || typeof DOMParser !== 'function') {
      return null;
    }
    var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    var root = doc && doc.documentElement;
    if (!root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS ||
        doc.getElementsByTagName('parsererror').length) {
      return null;
    }
    (function clean(node) {
      Array.prototype.slice.call(node.children || []).forEach(function (c) {
        if (!SVG_TAGS[c.localName] || c.namespaceURI !== SVG_NS) node.removeChild(c);
        else clean(c);
      });
      Array.prototype.slice.call(node.attributes || []).forEach(function (a) {
        var n = a.name.toLowerCase();
        if (n.indexOf('on') === 0 || n.indexOf('href') >= 0 || n === 'style') {
          node.removeAttribute(a.name);
        }
      });
    }(root));
    var node = document.importNode(root, true);
    node.setAttribute('focusable', 'false');
    return node;
  };

  // ---- states ------------------------------------------------------------------------------

  // The badge tone of an order's state, from what it means (vocab.js, loaded by the pages that
  // show states: apply.html, orders.html).
  P.stateTone = function (state) {
    var V = window.certhallVocab;
    return V ? V.tone(state, false) : 'progress';
  };

  // Newest first, the latest marked.
  P.timeline = function (events) {
    // An event the server has no name for is an internal one: its code is not for people.
    var list = Array.isArray(events) ? events.filter(function (ev) {
      return ev.name || ev.text;
    }).reverse() : [];
    if (!list.length) return P.el('p', 'muted', '暂无进度记录。');
    var ol = P.el('ol', 'timeline');
    list.forEach(function (ev, i) {
      var li = P.el('li', i === 0 ? 'current' : null);
      var t = P.el('time', null, P.when(ev.at));
      t.setAttribute('datetime', typeof ev.at === 'string' ? ev.at : '');
      li.appendChild(t);
      li.appendChild(P.el('p', 'tl-text', ev.name || ev.text || ev.kind || ev.event));
      if (ev.note) li.appendChild(P.el('p', 'tl-note', ev.note));
      ol.appendChild(li);
    });
    return ol;
  };

  // The carriers the waybill entry accepts (shared/ext/waybill.c).
  P.carriers = [
    ['sf', '顺丰速运'], ['ems', 'EMS（中国邮政）'], ['zto', '中通快递'], ['yto', '圆通速递'],
    ['sto', '申通快递'], ['yunda', '韵达快递'], ['jd', '京东物流'], ['deppon', '德邦快递']
  ];

  // The form for the waybill of the paper mailed in (awaiting_paper), or of a damaged key sent
  // in for inspection (awaiting_key, key true); onSaved(answer body).
  P.waybillForm = function (orderNo, onSaved, key) {
    var form = P.el('form', 'form form-inline');
    form.noValidate = true;
    form.appendChild(P.field({ name: 'carrier', label: '快递公司', type: 'select', short: true,
      idPrefix: 'wb-' + orderNo + '-',
      options: [['', '请选择']].concat(P.carriers) }));
    form.appendChild(P.field({ name: 'number', label: '快递运单号', max: 64, mono: true,
      idPrefix: 'wb-' + orderNo + '-',
      hint: (key ? '寄出原证书介质后' : '寄出纸质材料后') + '，填写快递面单上的运单号，便于受理点跟踪签收。' }));
    var actions = P.el('div', 'actions');
    var submit = P.el('button', null, '提交运单号');
    submit.type = 'submit';
    actions.appendChild(submit);
    form.appendChild(actions);
    form.appendChild(P.el('div', 'form-result'));
    P.liveClear(form);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      P.clearErrors(form);
      var body = { carrier: P.value(form, 'carrier'), number: P.value(form, 'number') };
      if (!body.carrier) {
        P.showError(form, { field: 'carrier', message: '请选择快递公司。' });
        return;
      }
      if (!body.number) {
        P.showError(form, { field: 'number', message: '请填写快递运单号。' });
        return;
      }
      P.busy(submit, '提交中…', function () {
        return P.api('POST', '/api/track/orders/' + encodeURIComponent(orderNo) + '/waybill', body);
      }).then(function (r) {
        if (!r) return;
        if (!r.ok) {
          P.showError(form, r.error);
          return;
        }
        var w = r.body.waybill || {};
        P.say(form.querySelector('.form-result'), '已登记运单：' + P.text(w.note), 'ok');
        if (onSaved) onSaved(r.body);
      });
    });
    return form;
  };

  // 002 损坏补办 "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定": where the old key goes,
  // the inspection's rule, and the form for its waybill (awaiting_key).
  P.keyParcel = function (o, onSaved) {
    var box = P.el('div');
    box.appendChild(P.el('h3', null, '寄回原证书介质检测'));
    box.appendChild(P.el('p', null, '请将原证书介质（USB Key）寄至受理点检测，并在下方登记快递运单号。' +
      '证书介质质保期为一年，自证书初次发放日起计算：经检测属于介质质量问题且在质保期内的免费办理；' +
      '非质量问题或已超过质保期的，需支付证书介质费后继续办理。检测结果将以短信通知。'));
    var to = o.paper_to;
    if (to && to.address) {
      box.appendChild(P.details([
        ['收件单位', to.org], ['收件人', to.recipient], ['收件地址', to.address], ['联系电话', to.phone]
      ].filter(function (row) { return row[1]; })));
    } else {
      box.appendChild(P.el('p', 'note-warn', '该营业厅未公布介质寄送地址，请先联系营业厅确认收件地址。'));
    }
    box.appendChild(P.waybillForm(o.order_no, onSaved, true));
    return box;
  };

  // 001 金融认证: "点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击“提交”即可" (POST
  // .../fin-check); a new 0.01 transfer goes to the account, its memo carrying the PIN.
  P.finCheckForm = function (o, onSaved) {
    var no = o.order_no;
    var form = P.el('form', 'form');
    form.noValidate = true;
    form.appendChild(P.el('p', 'note-info', '向单位基本户打款 0.01 元未能入账。请核对后重新填写单位基本账户信息并提交，' +
      '入账后证书PIN码将以转账交易附言方式发送至该账户，请向贵单位财务人员获取。'));
    form.appendChild(P.field({ name: 'account_name', label: '基本户名称', max: 100, idPrefix: 'fc-' + no + '-',
      value: o.subject_name || '', hint: '须与单位名称一致。' }));
    form.appendChild(P.field({ name: 'bank', label: '基本户开户行', max: 100, idPrefix: 'fc-' + no + '-' }));
    form.appendChild(P.field({ name: 'account_no', label: '基本户账号', max: 32, mono: true, idPrefix: 'fc-' + no + '-' }));
    var actions = P.el('div', 'actions');
    var submit = P.el('button', null, '提交');
    submit.type = 'submit';
    actions.appendChild(submit);
    form.appendChild(actions);
    form.appendChild(P.el('div', 'form-result'));
    P.liveClear(form);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      P.clearErrors(form);
      var body = { account_name: P.value(form, 'account_name'), bank: P.value(form, 'bank'),
        account_no: P.value(form, 'account_no').replace(/\s+/g, '') };
      var missing = ['account_name', 'bank', 'account_no'].filter(function (k) { return !body[k]; })[0];
      if (missing) {
        P.showError(form, { field: missing, message: '请填写完整的单位基本账户信息。' });
        return;
      }
      P.busy(submit, '提交中…', function () {
        return P.api('POST', '/api/wizard/orders/' + encodeURIComponent(no) + '/fin-check', body);
      }).then(function (r) {
        if (!r) return;
        if (!r.ok) {
          P.showError(form, r.error);
          return;
        }
        P.say(form.querySelector('.form-result'), P.text(r.body.fin_check && r.body.fin_check.state_name), 'ok');
        if (onSaved) onSaved(r.body);
      });
    });
    return form;
  };

  // ---- the header: who is logged in, and logging out --------------------------------------------

  // Resolves to the account (GET /api/account/me) or null; a page that needs a login
  // (required) is sent to the login page instead.
  P.me = function (required) {
    return P.api('GET', '/api/account/me', undefined, { stay: !required }).then(function (r) {
      var line = document.getElementById('site-user');
      if (!r.ok) {
        if (r.error.status === 403 && required) {
          var main = document.querySelector('main');
          if (main) {
            P.clear(main);
            main.appendChild(P.alert('当前登录的是工作人员账号，请退出后使用申请人账号登录。'));
          }
        }
        if (line) {
          var login = document.getElementById('site-login');
          if (login) login.hidden = false;
        }
        return null;
      }
      var me = r.body;
      if (line) {
        var name = document.getElementById('user-name');
        if (name) name.textContent = me.name || me.login_name || '';
        line.hidden = false;
        var login2 = document.getElementById('site-login');
        if (login2) login2.hidden = true;
      }
      return me;
    });
  };

  function wireLogout() {
    var b = document.getElementById('logout');
    if (!b) return;
    b.addEventListener('click', function () {
      P.busy(b, '退出中…', function () {
        return P.api('POST', '/api/account/logout', undefined, { stay: true });
      }).then(function () {
        window.location.href = 'login.html';
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wireLogout);
  else wireLogout();

  window.certhall = P;
}());
