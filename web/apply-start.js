/* certhall: apply.html, the start: choose channel, business and certificate kind, or the
 * certificate a business works on (with the warning that a lost or damaged replacement revokes
 * it for good), see the fee, and create the order (POST /api/wizard/orders). A link from
 * certs.html preselects: apply.html?channel=<code>&business=<code>&serial=<serial>. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';
import { quoteTable } from './wizard-steps.js';


// Businesses on a certificate in hand (fcgi-apps/wizard/plan.c).
var TARGETED = { renew: 1, lost: 1, damaged: 1, change: 1, unlock: 1, revoke: 1 };
// A lost key's certificate is revoked (002, 004); a damaged key's when its replacement is
// made (its key is sent in: fcgi-apps/review/make.c).
var REVOKES = { lost: 1, damaged: 1 };

/*
 * Fills FORM. me: the account; catalog: GET /api/wizard/catalog; certs: the account's
 * certificates; sel: {channel, business, serial} preselected; created(orderNo) once made.
 */
export function startPage(form, me, catalog, certs, sel, created) {
  var s = { form: form, me: me, catalog: catalog, certs: certs, sel: sel, created: created, seq: 0 };
  layout(s);
  form.addEventListener('change', function (ev) { changed(s, ev); });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    create(s);
  });
  drawBusiness(s);
  drawCert(s);
  drawKind(s);
  drawQuote(s);
}

// ---- the form's parts: S is {form, me, catalog, certs, sel, created} and the boxes layout()
// adds: bizBox, certBox, revokeBox, kindBox, idBox, quoteBox, submit, result; seq numbers the
// quotes asked (an answer to an older one is dropped) -----------------------------------------

// The form's boxes, drawn empty; each draw*() fills its own.
function layout(s) {
  dom.clear(s.form);
  dom.liveClear(s.form);

  s.form.appendChild(channelCards(s));

  s.bizBox = dom.el('div', 'field field-wide');
  s.bizBox.setAttribute('data-field', 'business');
  s.form.appendChild(s.bizBox);
  s.certBox = dom.el('div', 'field field-wide');
  s.certBox.setAttribute('data-field', 'cert_serial');
  s.form.appendChild(s.certBox);
  s.revokeBox = dom.el('div', 'field field-wide warning-box');
  s.revokeBox.setAttribute('data-field', 'confirm_revoke');
  s.form.appendChild(s.revokeBox);
  s.kindBox = dom.el('div', 'field field-wide');
  s.kindBox.setAttribute('data-field', 'kind');
  s.form.appendChild(s.kindBox);
  s.idBox = P.field({ name: 'id_number', label: '证书持有人身份证号码', max: 18, mono: true,
    hint: '个人证书按持有人的身份证号码办理：同一证件号码只能有一笔未完成的申请。' });
  s.idBox.hidden = !s.me || s.me.kind !== 'person';
  s.form.appendChild(s.idBox);
  s.quoteBox = dom.el('div', 'field field-wide live-quote');
  s.form.appendChild(s.quoteBox);
  var actions = dom.el('div', 'actions');
  s.submit = dom.el('button', null, '创建订单，开始填写');
  s.submit.type = 'submit';
  actions.appendChild(s.submit);
  s.form.appendChild(actions);
  s.result = dom.el('div', 'form-result');
  s.form.appendChild(s.result);
}

// 1. the channels, as cards.
function channelCards(s) {
  var box = dom.el('div', 'field field-wide');
  box.setAttribute('data-field', 'channel');
  var set = dom.el('fieldset', 'choice cards-choice');
  set.appendChild(dom.el('legend', null, '1. 办理渠道'));
  (s.catalog.channels || []).forEach(function (c) {
    var lab = dom.el('label', 'choice-card');
    var r = document.createElement('input');
    r.type = 'radio';
    r.name = 'channel';
    r.value = c.code;
    r.checked = c.code === s.sel.channel;
    lab.appendChild(r);
    var text = dom.el('span', 'choice-card-text');
    text.appendChild(dom.el('strong', null, c.name));
    text.appendChild(dom.el('span', 'muted', c.ca_name));
    // No review time where the hall's guide prints none (004): the catalog sends null.
    var facts = c.review_days_min == null ? [] : ['审核 ' + c.review_days_min +
      (c.review_days_max !== c.review_days_min ? '–' + c.review_days_max : '') + ' 个工作日'];
    if (c.flow === 'two_stage') facts.push('线上预审后寄送纸质材料');
    if (c.mail_in) facts.push('可改为线下邮寄办理');
    text.appendChild(dom.el('span', 'hint', facts.join(' · ')));
    lab.appendChild(text);
    set.appendChild(lab);
  });
  box.appendChild(set);
  return box;
}

function allowedKinds(s) {
  return s.me && s.me.kind === 'person' ? ['person'] : ['org', 'legal_rep'];
}

function channelOf(s, code) {
  var list = Array.isArray(s.catalog.channels) ? s.catalog.channels : [];
  for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
  return null;
}

function channel(s) {
  return channelOf(s, P.value(s.form, 'channel'));
}

function business(s) {
  return P.value(s.form, 'business');
}

function myCerts(s, ch, biz) {
  return s.certs.filter(function (c) {
    return c.channel === ch.code && (c.businesses || []).some(function (b) { return b.code === biz; });
  });
}

function radios(box, legend, name, options, value) {
  dom.clear(box);
  var fs = dom.el('fieldset', 'choice');
  fs.appendChild(dom.el('legend', null, legend));
  options.forEach(function (o) {
    var lab = dom.el('label', 'choice-item');
    var r = document.createElement('input');
    r.type = 'radio';
    r.name = name;
    r.value = o[0];
    r.checked = o[0] === value;
    lab.appendChild(r);
    lab.appendChild(dom.el('span', null, o[1]));
    fs.appendChild(lab);
  });
  box.appendChild(fs);
}

function drawBusiness(s) {
  var ch = channel(s);
  s.bizBox.hidden = !ch;
  if (!ch) return;
  var cur = business(s) || s.sel.business;
  radios(s.bizBox, '2. 业务类型', 'business', (ch.businesses || []).map(function (b) {
    return [b.code, b.name];
  }), cur);
  if (cur === 'add') s.bizBox.appendChild(dom.el('p', 'hint', '“新增证书”须已持有该渠道有效的同类证书；首次申请请选择“新办”。'));
  var offer = (ch.businesses || []).filter(function (b) { return b.code === cur; })[0];
  var desk = ch.counter || {};
  // 003 注销 "经办人本人带齐所需纸质材料前往网证通前台办理": where to go, not an online order.
  if (offer && offer.counter) {
    s.bizBox.appendChild(dom.alert('“' + offer.name + '”须由经办人本人带齐纸质材料到认证机构前台办理：' +
      (desk.address || '') + (desk.hours ? '（' + desk.hours + '）' : '') +
      (desk.phone ? '，电话 ' + desk.phone : '') + '。', 'info'));
  } else if (offer && offer.paper_mail) {
    var to = ch.paper_to || {};
    s.bizBox.appendChild(dom.el('p', 'hint', '该业务在线提交并支付后，须将纸质材料原件寄至' +
      (to.org || '受理点') + (to.address ? '（' + to.address + '）' : '') +
      '，资料寄达后办理' + (to.note ? '；' + to.note : '') + '。'));
  }
  // 003: Alipay for 增加 only; its other businesses are paid by corporate transfer or at the counter.
  var qr = (ch.pay_methods || []).some(function (m) { return m.code === 'wechat' || m.code === 'alipay'; });
  var paid = offer && (offer.kinds || []).some(function (k) { return k.basis !== 'free'; });
  if (paid && !offer.counter && qr && offer.qr_pay === false) {
    s.bizBox.appendChild(dom.el('p', 'hint', '该业务仅支持对公转账' +
      ((ch.pay_methods || []).some(function (m) { return m.code === 'counter'; }) ? '或现场缴费' : '') +
      '，不支持微信、支付宝扫码支付。'));
  }
}

function certLabel(c) {
  var left = c.days_left < 0 ? '已过期 ' + (-c.days_left) + ' 天' : '剩余 ' + c.days_left + ' 天';
  return c.serial + ' · ' + (c.kind_name || c.kind) + ' · ' + (c.holder || '') + ' · 有效期至 ' +
    c.not_after + '（' + left + '）';
}

function drawCert(s) {
  var ch = channel(s);
  var biz = business(s);
  dom.clear(s.certBox);
  dom.clear(s.revokeBox);
  s.certBox.hidden = !ch || !TARGETED[biz];
  s.revokeBox.hidden = s.certBox.hidden || !REVOKES[biz];
  if (s.certBox.hidden) return;
  var mine = myCerts(s, ch, biz);
  var fs = dom.el('fieldset', 'choice');
  fs.appendChild(dom.el('legend', null, '3. 选择要办理业务的证书'));
  var typed = s.sel.serial && !mine.some(function (c) { return c.serial === s.sel.serial; });
  mine.forEach(function (c) {
    var lab = dom.el('label', 'choice-item');
    var r = document.createElement('input');
    r.type = 'radio';
    r.name = 'cert_pick';
    r.value = c.serial;
    r.checked = c.serial === s.sel.serial;
    lab.appendChild(r);
    lab.appendChild(dom.el('span', 'mono-ish', certLabel(c)));
    fs.appendChild(lab);
  });
  var other = dom.el('label', 'choice-item');
  var ro = document.createElement('input');
  ro.type = 'radio';
  ro.name = 'cert_pick';
  ro.value = '';
  ro.checked = typed || !mine.length;
  if (!mine.length) other.hidden = true;
  other.appendChild(ro);
  other.appendChild(dom.el('span', null, '其他证书：输入证书序列号'));
  fs.appendChild(other);
  s.certBox.appendChild(fs);
  var input = document.createElement('input');
  input.type = 'text';
  input.name = 'cert_serial';
  input.id = 'cert-serial';
  input.maxLength = 40;
  input.className = 'mono';
  input.spellcheck = false;
  input.autocapitalize = 'off';
  input.placeholder = '证书序列号，例如 5A1F00C3D2E4B6A7';
  input.setAttribute('aria-label', '证书序列号');
  input.value = typed ? s.sel.serial : '';
  s.certBox.appendChild(input);
  s.certBox.appendChild(dom.el('p', 'hint', mine.length
    ? '列表为本账号在该渠道、可办理此业务的证书；也可输入其他证书的序列号（区分大小写）。'
    : '本账号在该渠道暂无可办理此业务的证书，请输入证书序列号（区分大小写），或到“我的证书”查看。'));
  function sync() {
    input.hidden = !ro.checked;
  }
  fs.addEventListener('change', sync);
  sync();

  if (REVOKES[biz]) revokeNotice(s, biz);
}

// A lost or damaged replacement revokes the certificate for good: said, and confirmed.
function revokeNotice(s, biz) {
  s.revokeBox.appendChild(dom.el('p', 'warning-title', '重要提示'));
  s.revokeBox.appendChild(dom.el('p', null, (biz === 'lost' ? '办理遗失补办后，原证书将被自动吊销且不可恢复。'
    : '办理损坏补办须将原证书介质寄回检测；新证书制作完成时，原证书将被自动吊销且不可恢复。') +
    '吊销后原证书不能再用于投标、签章等任何用途；补办的新证书有效期与原证书一致。'));
  var lab = dom.el('label', 'check');
  var cb = document.createElement('input');
  cb.type = 'checkbox';
  cb.name = 'confirm_revoke';
  lab.appendChild(cb);
  lab.appendChild(dom.el('span', null, '我已知悉：原证书将被自动吊销且不可恢复'));
  s.revokeBox.appendChild(lab);
}

function drawKind(s) {
  var ch = channel(s);
  var biz = business(s);
  dom.clear(s.kindBox);
  s.kindBox.hidden = !ch || !biz || !!TARGETED[biz];
  if (s.kindBox.hidden) return;
  var allowed = allowedKinds(s);
  // The kinds this business is offered for at this hall (a kind without a price is left out).
  var offer = (ch.businesses || []).filter(function (b) { return b.code === biz; })[0];
  var forBiz = ((offer && offer.kinds) || []).map(function (k) { return k.code; });
  var kinds = (ch.kinds || []).filter(function (k) {
    return allowed.indexOf(k.code) >= 0 && forBiz.indexOf(k.code) >= 0;
  });
  if (!kinds.length) {
    s.kindBox.appendChild(dom.alert(s.me.kind === 'person'
      ? '所选渠道不签发个人证书，请选择其他渠道。'
      : '所选渠道不签发单位账号可申请的证书类型，请选择其他渠道。', 'info'));
    return;
  }
  var cur = P.value(s.form, 'kind');
  radios(s.kindBox, '3. 证书类型', 'kind', kinds.map(function (k) { return [k.code, k.name]; }),
    cur || kinds[0].code);
}

// The kind a quote is for: chosen, or the picked certificate's, or the account's usual one.
function quoteKind(s) {
  var k = P.value(s.form, 'kind');
  if (k && !s.kindBox.hidden) return k;
  var pick = P.value(s.form, 'cert_pick');
  var c = s.certs.filter(function (x) { return x.serial === pick; })[0];
  return c ? c.kind : allowedKinds(s)[0];
}

function drawQuote(s) {
  var ch = channel(s);
  var biz = business(s);
  var n = ++s.seq;
  dom.clear(s.quoteBox);
  if (!ch || !biz) return;
  api.request('GET', '/api/wizard/quote?channel=' + encodeURIComponent(ch.code) + '&business=' +
    encodeURIComponent(biz) + '&kind=' + encodeURIComponent(quoteKind(s)) + '&years=1').then(function (r) {
    if (n !== s.seq) return;
    dom.clear(s.quoteBox);
    s.quoteBox.appendChild(dom.el('h3', null, '参考费用（按 1 年计，确认产品时按所选年限计算）'));
    if (!r.ok) {
      s.quoteBox.appendChild(dom.el('p', 'muted', r.error.message));
      return;
    }
    s.quoteBox.appendChild(quoteTable(r.body.items, r.body.total_fen, r.body.note));
  });
}

// A choice changed: what depends on it is drawn again.
function changed(s, ev) {
  var name = ev.target && ev.target.name;
  dom.clear(s.result); // an answer to the last choice is not one to this
  if (name === 'channel') {
    s.sel.business = business(s);
    drawBusiness(s);
    drawCert(s);
    drawKind(s);
  } else if (name === 'business') {
    drawBusiness(s);
    drawCert(s);
    drawKind(s);
  }
  if (name !== 'cert_serial' && name !== 'id_number' && name !== 'confirm_revoke') drawQuote(s);
}

// The order to create as the form says, or null when a field is missing (shown beside it).
function startBody(s) {
  var ch = channel(s);
  var biz = business(s);
  if (!ch) return fail(s, { field: 'channel', message: '请选择办理渠道。' });
  if (!biz) return fail(s, { field: 'business', message: '请选择业务类型。' });
  var body = { channel: ch.code, business: biz };
  if (TARGETED[biz]) {
    var serial = P.value(s.form, 'cert_pick') || P.value(s.form, 'cert_serial').replace(/\s+/g, '');
    if (!serial) {
      return fail(s, { field: 'cert_serial', message: '请选择证书，或输入证书序列号。' });
    }
    body.cert_serial = serial;
    if (REVOKES[biz] && !s.form.elements.namedItem('confirm_revoke').checked) {
      return fail(s, { field: 'confirm_revoke',
        message: '请确认已知悉：原证书将被自动吊销且不可恢复。' });
    }
  } else {
    var kind = P.value(s.form, 'kind');
    if (!kind) return fail(s, { field: 'kind', message: '请选择证书类型。' });
    body.kind = kind;
  }
  if (s.me.kind === 'person') {
    var id = P.value(s.form, 'id_number').replace(/\s+/g, '').toUpperCase();
    if (!id) return fail(s, { field: 'id_number', message: '请填写证书持有人的身份证号码。' });
    body.id_number = id;
  }
  return body;
}

function fail(s, err) {
  dom.showError(s.form, err);
  return null;
}

// POST /api/wizard/orders; an open order of the same subject offers to continue it instead.
function create(s) {
  dom.clearErrors(s.form);
  var body = startBody(s);
  if (!body) return;
  dom.busy(s.submit, '正在创建订单…', function () {
    return api.request('POST', '/api/wizard/orders', body);
  }).then(function (r) {
    if (!r) return;
    if (r.ok) {
      s.created(r.body.order_no);
      return;
    }
    var open = r.error.detail && r.error.detail.open_order_no;
    if (r.error.code === 'open_order_exists' && typeof open === 'string' && /^\d{18}$/.test(open)) {
      dom.clear(s.result);
      var a = dom.alert(r.error.message, 'bad');
      a.appendChild(dom.link('继续办理订单 ' + open, 'apply.html?order=' + open, 'btn btn-small'));
      s.result.appendChild(a);
      return;
    }
    dom.showError(s.form, r.error);
  });
}
