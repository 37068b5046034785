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
  function allowedKinds() {
    return me && me.kind === 'person' ? ['person'] : ['org', 'legal_rep'];
  }

  function channelOf(code) {
    var list = Array.isArray(catalog.channels) ? catalog.channels : [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
    return null;
  }

  dom.clear(form);
  dom.liveClear(form);

  var chBox = dom.el('div', 'field field-wide');
  chBox.setAttribute('data-field', 'channel');
  var chSet = dom.el('fieldset', 'choice cards-choice');
  chSet.appendChild(dom.el('legend', null, '1. 办理渠道'));
  (catalog.channels || []).forEach(function (c) {
    var lab = dom.el('label', 'choice-card');
    var r = document.createElement('input');
    r.type = 'radio';
    r.name = 'channel';
    r.value = c.code;
    r.checked = c.code === sel.channel;
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
    chSet.appendChild(lab);
  });
  chBox.appendChild(chSet);
  form.appendChild(chBox);

  var bizBox = dom.el('div', 'field field-wide');
  bizBox.setAttribute('data-field', 'business');
  form.appendChild(bizBox);
  var certBox = dom.el('div', 'field field-wide');
  certBox.setAttribute('data-field', 'cert_serial');
  form.appendChild(certBox);
  var revokeBox = dom.el('div', 'field field-wide warning-box');
  revokeBox.setAttribute('data-field', 'confirm_revoke');
  form.appendChild(revokeBox);
  var kindBox = dom.el('div', 'field field-wide');
  kindBox.setAttribute('data-field', 'kind');
  form.appendChild(kindBox);
  var idBox = P.field({ name: 'id_number', label: '证书持有人身份证号码', max: 18, mono: true,
    hint: '个人证书按持有人的身份证号码办理：同一证件号码只能有一笔未完成的申请。' });
  idBox.hidden = !me || me.kind !== 'person';
  form.appendChild(idBox);
  var quoteBox = dom.el('div', 'field field-wide live-quote');
  form.appendChild(quoteBox);
  var actions = dom.el('div', 'actions');
  var submit = dom.el('button', null, '创建订单，开始填写');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  var result = dom.el('div', 'form-result');
  form.appendChild(result);

  function channel() {
    return channelOf(P.value(form, 'channel'));
  }

  function business() {
    return P.value(form, 'business');
  }

  function myCerts(ch, biz) {
    return certs.filter(function (c) {
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

  function drawBusiness() {
    var ch = channel();
    bizBox.hidden = !ch;
    if (!ch) return;
    var cur = business() || sel.business;
    radios(bizBox, '2. 业务类型', 'business', (ch.businesses || []).map(function (b) {
      return [b.code, b.name];
    }), cur);
    if (cur === 'add') bizBox.appendChild(dom.el('p', 'hint', '“新增证书”须已持有该渠道有效的同类证书；首次申请请选择“新办”。'));
    var offer = (ch.businesses || []).filter(function (b) { return b.code === cur; })[0];
    var desk = ch.counter || {};
    // 003 注销 "经办人本人带齐所需纸质材料前往网证通前台办理": where to go, not an online order.
    if (offer && offer.counter) {
      bizBox.appendChild(dom.alert('“' + offer.name + '”须由经办人本人带齐纸质材料到认证机构前台办理：' +
        (desk.address || '') + (desk.hours ? '（' + desk.hours + '）' : '') +
        (desk.phone ? '，电话 ' + desk.phone : '') + '。', 'info'));
    } else if (offer && offer.paper_mail) {
      var to = ch.paper_to || {};
      bizBox.appendChild(dom.el('p', 'hint', '该业务在线提交并支付后，须将纸质材料原件寄至' +
        (to.org || '受理点') + (to.address ? '（' + to.address + '）' : '') +
        '，资料寄达后办理' + (to.note ? '；' + to.note : '') + '。'));
    }
    // 003: Alipay for 增加 only; its other businesses are paid by corporate transfer or at the counter.
    var qr = (ch.pay_methods || []).some(function (m) { return m.code === 'wechat' || m.code === 'alipay'; });
    var paid = offer && (offer.kinds || []).some(function (k) { return k.basis !== 'free'; });
    if (paid && !offer.counter && qr && offer.qr_pay === false) {
      bizBox.appendChild(dom.el('p', 'hint', '该业务仅支持对公转账' +
        ((ch.pay_methods || []).some(function (m) { return m.code === 'counter'; }) ? '或现场缴费' : '') +
        '，不支持微信、支付宝扫码支付。'));
    }
  }

  function certLabel(c) {
    var left = c.days_left < 0 ? '已过期 ' + (-c.days_left) + ' 天' : '剩余 ' + c.days_left + ' 天';
    return c.serial + ' · ' + (c.kind_name || c.kind) + ' · ' + (c.holder || '') + ' · 有效期至 ' +
      c.not_after + '（' + left + '）';
  }

  function drawCert() {
    var ch = channel();
    var biz = business();
    dom.clear(certBox);
    dom.clear(revokeBox);
    certBox.hidden = !ch || !TARGETED[biz];
    revokeBox.hidden = certBox.hidden || !REVOKES[biz];
    if (certBox.hidden) return;
    var mine = myCerts(ch, biz);
    var fs = dom.el('fieldset', 'choice');
    fs.appendChild(dom.el('legend', null, '3. 选择要办理业务的证书'));
    var typed = sel.serial && !mine.some(function (c) { return c.serial === sel.serial; });
    mine.forEach(function (c) {
      var lab = dom.el('label', 'choice-item');
      var r = document.createElement('input');
      r.type = 'radio';
      r.name = 'cert_pick';
      r.value = c.serial;
      r.checked = c.serial === sel.serial;
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
    certBox.appendChild(fs);
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
    input.value = typed ? sel.serial : '';
    certBox.appendChild(input);
    certBox.appendChild(dom.el('p', 'hint', mine.length
      ? '列表为本账号在该渠道、可办理此业务的证书；也可输入其他证书的序列号（区分大小写）。'
      : '本账号在该渠道暂无可办理此业务的证书，请输入证书序列号（区分大小写），或到“我的证书”查看。'));
    function sync() {
      input.hidden = !ro.checked;
    }
    fs.addEventListener('change', sync);
    sync();

    if (REVOKES[biz]) {
      revokeBox.appendChild(dom.el('p', 'warning-title', '重要提示'));
      revokeBox.appendChild(dom.el('p', null, (biz === 'lost' ? '办理遗失补办后，原证书将被自动吊销且不可恢复。'
        : '办理损坏补办须将原证书介质寄回检测；新证书制作完成时，原证书将被自动吊销且不可恢复。') +
        '吊销后原证书不能再用于投标、签章等任何用途；补办的新证书有效期与原证书一致。'));
      var lab = dom.el('label', 'check');
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.name = 'confirm_revoke';
      lab.appendChild(cb);
      lab.appendChild(dom.el('span', null, '我已知悉：原证书将被自动吊销且不可恢复'));
      revokeBox.appendChild(lab);
    }
  }

  function drawKind() {
    var ch = channel();
    var biz = business();
    dom.clear(kindBox);
    kindBox.hidden = !ch || !biz || !!TARGETED[biz];
    if (kindBox.hidden) return;
    var allowed = allowedKinds();
    // The kinds this business is offered for at this hall (a kind without a price is left out).
    var offer = (ch.businesses || []).filter(function (b) { return b.code === biz; })[0];
    var forBiz = ((offer && offer.kinds) || []).map(function (k) { return k.code; });
    var kinds = (ch.kinds || []).filter(function (k) {
      return allowed.indexOf(k.code) >= 0 && forBiz.indexOf(k.code) >= 0;
    });
    if (!kinds.length) {
      kindBox.appendChild(dom.alert(me.kind === 'person'
        ? '所选渠道不签发个人证书，请选择其他渠道。'
        : '所选渠道不签发单位账号可申请的证书类型，请选择其他渠道。', 'info'));
      return;
    }
    var cur = P.value(form, 'kind');
    radios(kindBox, '3. 证书类型', 'kind', kinds.map(function (k) { return [k.code, k.name]; }),
      cur || kinds[0].code);
  }

  // The kind a quote is for: chosen, or the picked certificate's, or the account's usual one.
  function quoteKind() {
    var k = P.value(form, 'kind');
    if (k && !kindBox.hidden) return k;
    var pick = P.value(form, 'cert_pick');
    var c = certs.filter(function (x) { return x.serial === pick; })[0];
    return c ? c.kind : allowedKinds()[0];
  }

  var seq = 0;
  function drawQuote() {
    var ch = channel();
    var biz = business();
    var n = ++seq;
    dom.clear(quoteBox);
    if (!ch || !biz) return;
    api.request('GET', '/api/wizard/quote?channel=' + encodeURIComponent(ch.code) + '&business=' +
      encodeURIComponent(biz) + '&kind=' + encodeURIComponent(quoteKind()) + '&years=1').then(function (r) {
      if (n !== seq) return;
      dom.clear(quoteBox);
      quoteBox.appendChild(dom.el('h3', null, '参考费用（按 1 年计，确认产品时按所选年限计算）'));
      if (!r.ok) {
        quoteBox.appendChild(dom.el('p', 'muted', r.error.message));
        return;
      }
      quoteBox.appendChild(quoteTable(r.body.items, r.body.total_fen, r.body.note));
    });
  }

  form.addEventListener('change', function (ev) {
    var name = ev.target && ev.target.name;
    dom.clear(result); // an answer to the last choice is not one to this
    if (name === 'channel') {
      sel.business = business();
      drawBusiness();
      drawCert();
      drawKind();
    } else if (name === 'business') {
      drawBusiness();
      drawCert();
      drawKind();
    }
    if (name !== 'cert_serial' && name !== 'id_number' && name !== 'confirm_revoke') drawQuote();
  });
  drawBusiness();
  drawCert();
  drawKind();
  drawQuote();

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var ch = channel();
    var biz = business();
    if (!ch) return dom.showError(form, { field: 'channel', message: '请选择办理渠道。' });
    if (!biz) return dom.showError(form, { field: 'business', message: '请选择业务类型。' });
    var body = { channel: ch.code, business: biz };
    if (TARGETED[biz]) {
      var serial = P.value(form, 'cert_pick') || P.value(form, 'cert_serial').replace(/\s+/g, '');
      if (!serial) {
        return dom.showError(form, { field: 'cert_serial', message: '请选择证书，或输入证书序列号。' });
      }
      body.cert_serial = serial;
      if (REVOKES[biz] && !form.elements.namedItem('confirm_revoke').checked) {
        return dom.showError(form, { field: 'confirm_revoke',
          message: '请确认已知悉：原证书将被自动吊销且不可恢复。' });
      }
    } else {
      var kind = P.value(form, 'kind');
      if (!kind) return dom.showError(form, { field: 'kind', message: '请选择证书类型。' });
      body.kind = kind;
    }
    if (me.kind === 'person') {
      var id = P.value(form, 'id_number').replace(/\s+/g, '').toUpperCase();
      if (!id) return dom.showError(form, { field: 'id_number', message: '请填写证书持有人的身份证号码。' });
      body.id_number = id;
    }
    dom.busy(submit, '正在创建订单…', function () {
      return api.request('POST', '/api/wizard/orders', body);
    }).then(function (r) {
      if (!r) return;
      if (r.ok) {
        created(r.body.order_no);
        return;
      }
      var open = r.error.detail && r.error.detail.open_order_no;
      if (r.error.code === 'open_order_exists' && typeof open === 'string' && /^\d{18}$/.test(open)) {
        dom.clear(result);
        var a = dom.alert(r.error.message, 'bad');
        a.appendChild(dom.link('继续办理订单 ' + open, 'apply.html?order=' + open, 'btn btn-small'));
        result.appendChild(a);
        return;
      }
      dom.showError(form, r.error);
    });
  });
}
