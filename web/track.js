/* certhall: the public look-ups of track.html (order by number + mobile tail, certificate by
 * serial). Everything the server sends reaches the page through textContent and
 * createElement, never innerHTML. Links may prefill and submit a form:
 *   track.html#order_no=261121015720202382&tail=3582   (fragment: never sent to the server,
 *   track.html#serial=712C1B5A584A1BBE                   so never in an access log)
 *   track.html?order_no=...&tail=...  /  track.html?serial=...   (same, as a query string)
 */
import { badge, clear, details, el, formError, text, unmark, when } from './dom.js';
import { request } from './api.js';
import V from './vocab.js'; // the tone of an order's state

var NETWORK_ERROR = '网络异常，未能完成查询，请检查网络后重试。';

// ---- errors -----------------------------------------------------------------------------

// The error in OUT, with a button for the serial in upper case the server suggests; the control
// it names marked.
function showError(form, out, err) {
  formError(form, out, err);
  if (err.suggest && form.elements.namedItem('serial')) {
    var again = el('button', 'btn-secondary', '查找 ' + err.suggest);
    again.type = 'button';
    again.addEventListener('click', function () {
      form.elements.namedItem('serial').value = err.suggest;
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    });
    out.firstChild.appendChild(again);
  }
}

// ---- the request ------------------------------------------------------------------------

function call(method, url, payload) {
  return request(method, url, payload, { timeout: 15000, networkMessage: NETWORK_ERROR, stay: true });
}

// Wires a form: FN(form) returns [method, url, payload] or an error object; SHOW(out, body).
function wire(form, out, build, show) {
  var button = form.querySelector('button[type="submit"]');
  var label = button.textContent;
  var busy = false;

  form.addEventListener('input', function (ev) {
    if (ev.target && ev.target.classList.contains('invalid')) {
      ev.target.classList.remove('invalid');
      ev.target.removeAttribute('aria-invalid');
    }
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (busy) return;
    unmark(form);
    var req = build(form);
    if (!Array.isArray(req)) {
      showError(form, out, req);
      return;
    }
    busy = true;
    button.disabled = true;
    button.textContent = '查询中…';
    out.setAttribute('aria-busy', 'true');
    Promise.all([call(req[0], req[1], req[2]), V.load()]).then(function (both) {
      var r = both[0];
      if (r.error) showError(form, out, r.error);
      else {
        clear(out);
        show(out, r.body);
      }
    }).then(function () {
      busy = false;
      button.disabled = false;
      button.textContent = label;
      out.removeAttribute('aria-busy');
    });
  });
}

// ---- order look-up ----------------------------------------------------------------------

var orderForm = document.getElementById('order-form');
var orderOut = document.getElementById('order-result');
var orderNo = document.getElementById('order-no');
var orderHint = document.getElementById('order-no-hint');
var orderHintText = orderHint.textContent;

// A hint while typing; the server decides (it also checks the Damm digit).
orderNo.addEventListener('input', function () {
  var v = orderNo.value.replace(/\s+/g, '');
  if (v === '' || /^\d{18}$/.test(v)) {
    orderHint.textContent = orderHintText;
    orderHint.classList.remove('hint-warn');
  } else if (/\D/.test(v)) {
    orderHint.textContent = '订单号只包含数字。';
    orderHint.classList.add('hint-warn');
  } else {
    orderHint.textContent = '已输入 ' + v.length + ' 位，订单号为 18 位数字。';
    orderHint.classList.add('hint-warn');
  }
});

function buildOrder(form) {
  var no = form.elements.namedItem('order_no').value.replace(/\s+/g, '');
  var tail = form.elements.namedItem('mobile_tail').value.replace(/\s+/g, '');
  if (no === '') return { message: '请输入订单号。', field: 'order_no' };
  if (tail === '') return { message: '请输入经办人手机号后四位。', field: 'mobile_tail' };
  return ['POST', '/api/track/order', { order_no: no, mobile_tail: tail }];
}

function showOrder(out, body) {
  var o = body.order || {};
  var card = el('article', 'card-result');
  var head = el('div', 'result-head');
  head.appendChild(el('h2', null, '订单 ' + text(o.order_no)));
  head.appendChild(badge(o.state_name || o.state || '—', V.tone(o.state, false)));
  card.appendChild(head);
  card.appendChild(details([
    ['业务类型', o.business_name || o.business_type],
    ['证书类型', o.cert_kind_name || o.cert_kind],
    ['办理渠道', o.channel],
    ['证书主体', o.subject],
    ['经办人手机', o.handler_mobile],
    ['下单时间', when(o.created_at)]
  ]));

  var events = Array.isArray(body.timeline) ? body.timeline.slice().reverse() : [];
  card.appendChild(el('h3', null, '办理进度'));
  if (events.length === 0) {
    card.appendChild(el('p', 'muted', '暂无进度记录。'));
  } else {
    var ol = el('ol', 'timeline');
    events.forEach(function (ev, i) {
      var li = el('li', i === 0 ? 'current' : null);
      li.appendChild(el('time', null, when(ev.at)));
      li.lastChild.setAttribute('datetime', typeof ev.at === 'string' ? ev.at : '');
      li.appendChild(el('p', 'tl-text', ev.text || ev.event));
      if (ev.note) li.appendChild(el('p', 'tl-note', ev.note));
      ol.appendChild(li);
    });
    card.appendChild(ol);
  }
  showWaybills(card, Array.isArray(body.waybills) ? body.waybills : []);
  out.appendChild(card);
}

// Both ways: the paper the applicant mailed in, the key mailed out; what the courier says.
function showWaybills(card, bills) {
  if (bills.length === 0) return;
  card.appendChild(el('h3', null, '快递信息'));
  bills.forEach(function (w) {
    var box = el('section', 'waybill');
    var head = el('div', 'result-head');
    head.appendChild(el('h4', null, text(w.direction_name) + '：' + text(w.carrier_name || w.carrier) +
      ' ' + text(w.number)));
    head.appendChild(badge(w.state_name || w.state || '—', w.state === 'delivered' ? 'ok' : 'info'));
    box.appendChild(head);
    // The courier is asked in the background, never by this look-up: say how old the news is.
    box.appendChild(el('p', 'muted', w.refreshed_at
      ? '以下为 ' + when(w.refreshed_at) + ' 从快递公司查询到的信息' +
        (w.refresh_failing ? '（快递公司暂时无法查询，稍后将自动重试）。' : '。')
      : '尚未从快递公司查询到信息，稍后将自动更新。'));
    var events = Array.isArray(w.events) ? w.events.slice().reverse() : [];
    if (events.length === 0) {
      box.appendChild(el('p', 'muted', '暂无物流信息。'));
    } else {
      var ol = el('ol', 'timeline');
      events.forEach(function (ev, i) {
        var li = el('li', i === 0 ? 'current' : null);
        li.appendChild(el('time', null, when(ev.at)));
        li.lastChild.setAttribute('datetime', typeof ev.at === 'string' ? ev.at : '');
        li.appendChild(el('p', 'tl-text', ev.text));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    card.appendChild(box);
  });
}

wire(orderForm, orderOut, buildOrder, showOrder);

// ---- certificate look-up ----------------------------------------------------------------

var certForm = document.getElementById('cert-form');
var certOut = document.getElementById('cert-result');

function buildCert(form) {
  // Case matters (the serial is compared exactly): only spaces go.
  var serial = form.elements.namedItem('serial').value.replace(/\s+/g, '');
  if (serial === '') return { message: '请输入证书序列号。', field: 'serial' };
  return ['GET', '/api/track/certs/' + encodeURIComponent(serial)];
}

function certTone(state) {
  return state === 'valid' ? 'ok' : state === 'revoked' ? 'bad' : 'warn';
}

function showCert(out, body) {
  var c = body.certificate || {};
  var card = el('article', 'card-result');
  var head = el('div', 'result-head');
  head.appendChild(el('h2', null, '证书 ' + text(c.serial)));
  head.appendChild(badge(c.state_name || c.state || '—', certTone(c.state)));
  card.appendChild(head);
  card.appendChild(details([
    ['证书类型', c.kind_name || c.kind],
    ['持有人', c.holder],
    ['单位', c.subject, null, true],
    ['有效期', text(c.not_before) + ' 至 ' + text(c.not_after)],
    ['吊销时间', when(c.revoked_at), null, true],
    ['签发渠道', c.channel]
  ]));
  out.appendChild(card);
}

wire(certForm, certOut, buildCert, showCert);

// ---- links that prefill and submit --------------------------------------------------------

function linkParams() {
  var p = {};
  var sources = [window.location.search.replace(/^\?/, '')];
  if (window.location.hash.indexOf('=') >= 0) sources.push(window.location.hash.replace(/^#/, ''));
  sources.forEach(function (s) {
    if (!s || typeof URLSearchParams !== 'function') return;
    new URLSearchParams(s).forEach(function (v, k) { p[k] = v; });
  });
  return p;
}

function submit(form) {
  if (typeof form.requestSubmit === 'function') form.requestSubmit();
  else form.dispatchEvent(new Event('submit', { cancelable: true }));
}

V.load();
var p = linkParams();
var tail = p.tail || p.mobile_tail;
var used = false;
if (p.order_no) {
  orderNo.value = p.order_no;
  if (tail) orderForm.elements.namedItem('mobile_tail').value = tail;
  used = true;
  if (tail) submit(orderForm);
  else orderForm.elements.namedItem('mobile_tail').focus();
}
if (p.serial) {
  certForm.elements.namedItem('serial').value = p.serial;
  used = true;
  submit(certForm);
  if (!p.order_no) document.getElementById('cert').scrollIntoView();
}
// Keep the order number and digits out of the history and of bookmarks once read.
if (used && window.history && typeof window.history.replaceState === 'function') {
  window.history.replaceState(null, '', window.location.pathname +
    (p.serial && !p.order_no ? '#cert' : ''));
}
if (!used && window.location.hash === '#cert') {
  certForm.elements.namedItem('serial').focus();
}
