/* certhall staff console: one order (staff-order.html?no=...): everything the review API shows
 * of it, the claim, decisions on materials and on the order, and each role's stage actions.
 * What is offered is what the order's `actions` list (fcgi-apps/review/actions.c): the page
 * decides nothing from the state itself. Every action sends the order's version as loaded; a
 * 409 (someone else was first, or the state moved) is announced at the top and the order is
 * loaded again. Values reach the page through textContent only. Uses staff.js
 * and vocab.js.
 */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';


var NOTE_MAX = 200;

var STEP_ORDER = ['agreements', 'enterprise', 'handler', 'applicant', 'financial', 'change', 'product'];
var STEP_TITLES = {
  agreements: '阅读并同意协议', enterprise: '单位信息与企业认证', handler: '经办人信息与认证',
  applicant: '申请人信息', financial: '对公账户信息', change: '变更内容', product: '确认产品与邮寄信息'
};
// The steps a reviewer may send back for editing (fcgi-apps/review/decide.c edit_steps).
var EDIT_STEPS = ['enterprise', 'handler', 'applicant', 'financial', 'change', 'product'];
// Field labels per step (fcgi-apps/wizard/step_fields.c).
var FIELD_LABELS = {
  agreements: { service: '《数字证书服务协议》版本', privacy: '《敏感个人信息处理授权书》版本' },
  enterprise: {
    org_name: '单位名称', province: '省份', city: '城市', district: '区县', address: '单位地址',
    method: '企业认证方式', lr_name: '法定代表人姓名', lr_id_number: '法定代表人身份证号码',
    lr_mobile: '法定代表人手机号码', lr_bank_card: '法定代表人银行卡号'
  },
  handler: {
    name: '经办人姓名', id_number: '经办人身份证号码', mobile: '经办人手机号码', email: '经办人电子邮箱',
    position: '经办人职务', method: '经办人认证方式', bank_card: '经办人银行卡号'
  },
  applicant: { name: '申请人姓名', id_number: '申请人身份证号码', mobile: '申请人手机号码', email: '申请人电子邮箱' },
  financial: { account_name: '对公账户名称', bank: '开户银行', account_no: '对公账户账号' },
  change: { items: '变更事项', new_org_name: '变更后的单位名称', new_address: '变更后的单位地址' },
  product: {
    years: '证书年限', seal: '电子印章', defect: '介质质量问题', defect_sign: '介质质量问题的表现', e_invoice: '电子发票',
    taxpayer_no: '纳税人识别号', mail_recipient: '收件人', mail_mobile: '收件人手机号码',
    mail_province: '收件省份', mail_city: '收件城市', mail_county: '收件区县',
    mail_address: '收件详细地址', mail_postcode: '邮政编码'
  }
};
var PII_FIELDS = {
  id_number: 'id', lr_id_number: 'id', mobile: 'mobile', lr_mobile: 'mobile', mail_mobile: 'mobile',
  bank_card: 'number', lr_bank_card: 'number', account_no: 'number'
};
var CHANGE_ITEMS = { name: '单位名称', address: '单位地址', seal: '电子印章', handler: '经办人' };
var PIN_NAMES = {
  transfer_memo: '对公打款交易附言', sms_legal_rep: '短信发送至法定代表人', sms_handler: '短信发送至经办人',
  sms_applicant: '短信发送至申请人（证书持有人）'
};
var MATERIAL_STATES = { pending: ['待审核', 'info'], accepted: ['已通过', 'ok'], rejected: ['已驳回', 'bad'] };
var VERIFY_STATES = { pending: ['核验中', 'info'], passed: ['通过', 'ok'], failed: ['未通过', 'bad'] };
// The tone of a payment's state (its name is the vocabulary's).
var PAY_TONES = {
  pending: 'info', awaiting_finance: 'warn', paid: 'ok', closed: 'muted', refunding: 'warn', refunded: 'muted'
};
var CERT_STATES = { valid: ['有效', 'ok'], revoked: ['已吊销', 'bad'], expired: ['已过期', 'muted'] };
var COURIER_STATES = {
  unknown: '暂无物流信息', collected: '已揽收', in_transit: '运输中', delivering: '派送中', delivered: '已签收'
};
var QUEUE_NAMES = { review: '审核队列', finance: '财务队列', ship: '制证发货队列' };

var no = null;          // the order number in the address
var order = null;       // the order as last loaded
var reasons = null;     // [{code, scope, text}] once loaded
var showPii = false;
var loading = 0;

function has(list, v) { return list.indexOf(v) >= 0; }
// Whether the order's actions list a (fcgi-apps/review/actions.c).
function may(o, a) { return Array.isArray(o.actions) && has(o.actions, a); }
function path(action) { return '/api/review/orders/' + encodeURIComponent(no) + '/' + action; }

function pair(table, code) {
  var p = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : [dom.text(code), 'muted'];
  return dom.badge(p[0], p[1]);
}

function canSeeScans() {
  return S.me && has(['reviewer', 'finance', 'admin'], S.me.role);
}

function pii(kind, value) {
  if (showPii || value === undefined || value === null || value === '') return value;
  if (kind === 'mobile') return S.maskMobile(value);
  if (kind === 'id') return S.maskId(value);
  return S.maskNumber(value);
}

// ---- loading -----------------------------------------------------------------------------------

function load() {
  var mine = ++loading;
  var view = document.getElementById('order-view');
  view.setAttribute('aria-busy', 'true');
  var want = [S.api('GET', '/api/review/orders/' + encodeURIComponent(no))];
  if (!reasons && S.isRole('reviewer')) want.push(S.api('GET', '/api/review/reasons'));
  return Promise.all(want).then(function (rs) {
    if (mine !== loading) return;
    view.removeAttribute('aria-busy');
    var r = rs[0];
    if (rs[1] && rs[1].ok && Array.isArray(rs[1].body.reasons)) reasons = rs[1].body.reasons;
    if (!r.ok) {
      if (r.status === 404) {
        view.hidden = true;
        lookup(r.error.message || '未找到该订单，请核对订单号。');
        return;
      }
      S.notice(dom.errorAlert(r.error));
      return;
    }
    order = r.body;
    render(order);
    view.hidden = false;
  });
}

// A 409: someone else decided first, or the order moved on. Said loudly, then the order as it is.
function conflict(err) {
  S.notice(dom.alert([err.message || '该订单的状态已经变化，您的操作未生效。',
    '订单已重新载入：下面显示的是最新状态，请核对后再操作。'], 'conflict'));
  return load();
}

/*
 * POST an action. On success: the notice says what happened and the order is reloaded. A 409
 * without a field is a conflict (above); any other error goes to the form's result area (out),
 * marking the field it names.
 */
function post(button, action, payload, success, form, out) {
  if (out) dom.clear(out);
  if (form) dom.unmark(form);
  S.notice(null);
  return S.busy(button, S.api('POST', path(action), payload)).then(function (r) {
    if (r.ok) {
      S.notice(dom.alert(success(r.body), 'ok'));
      return load();
    }
    if (r.status === 409 && !r.error.field) return conflict(r.error);
    if (r.status === 401) return null;
    if (out) dom.formError(form, out, r.error);
    else S.notice(dom.errorAlert(r.error));
    return null;
  });
}

// A button that asks once more, in place, before an action that cannot be undone.
function confirmButton(label, question, run, danger) {
  var wrap = el('div');
  var b = el('button', danger ? 'btn-danger' : null, label);
  b.type = 'button';
  wrap.appendChild(b);
  b.addEventListener('click', function () {
    b.hidden = true;
    var box = el('div', 'confirm-box');
    box.setAttribute('role', 'group');
    if (Array.isArray(question)) question.forEach(function (q) { box.appendChild(el('p', null, q)); });
    else box.appendChild(el('p', null, question));
    var actions = el('div', 'actions');
    var yes = el('button', danger ? 'btn-danger' : null, label.indexOf('确认') === 0 ? label : '确认' + label);
    yes.type = 'button';
    var cancel = el('button', 'btn-secondary', '取消');
    cancel.type = 'button';
    actions.appendChild(yes);
    actions.appendChild(cancel);
    box.appendChild(actions);
    var out = el('div', 'form-result');
    box.appendChild(out);
    wrap.appendChild(box);
    yes.focus();
    cancel.addEventListener('click', function () {
      wrap.removeChild(box);
      b.hidden = false;
      b.focus();
    });
    yes.addEventListener('click', function () { run(yes, out); });
  });
  return wrap;
}

// ---- the head: title, badges, claim ------------------------------------------------------------

function renderHead(o) {
  document.title = '订单 ' + o.order_no + ' - certhall 工作台';
  document.getElementById('order-title').textContent = '订单 ' + o.order_no;
  var badges = document.getElementById('order-badges');
  dom.clear(badges);
  badges.appendChild(S.stateBadge(o.state, o.state_name));
  if (o.overdue && !V.is(o.state, 'final')) {
    badges.appendChild(document.createTextNode(' '));
    badges.appendChild(dom.badge('已超期', 'bad'));
  }
  if (o.mail_in) {
    badges.appendChild(document.createTextNode(' '));
    badges.appendChild(dom.badge('线下邮寄办理', 'info'));
  }
  // Money to pay back that the state does not show (a refunding order's refund moves it on).
  if (refundingPayments(o).length && !refundMoves(o)) {
    badges.appendChild(document.createTextNode(' '));
    badges.appendChild(dom.badge('有待退款', 'warn'));
  }
  var meta = document.getElementById('order-meta');
  dom.clear(meta);
  [dom.text(o.subject_name), (o.business_name || V.zh('businesses', o.business)) + ' · ' +
    (o.kind_name || V.zh('kinds', o.kind)), dom.text(o.channel_name)].forEach(function (t) {
    meta.appendChild(el('span', null, t));
  });
  renderClaim(o);
}

function renderClaim(o) {
  var box = document.getElementById('claim-line');
  dom.clear(box);
  var c = o.claimed_by;
  var line = el('div', 'claim-line' + (c ? (c.me ? ' claim-self' : ' claim-other') : ''));
  var p = el('p', 'claim-text');
  var out = el('div', 'form-result');
  if (!c) {
    p.textContent = V.is(o.state, 'final') ? '订单已办结。'
      : '尚无人领取。领取后，其他工作人员会看到您正在处理此订单（30 分钟内无操作自动释放）。';
  } else if (c.me) {
    p.textContent = '您已于 ' + S.when(c.claimed_at) + ' 领取此订单，正在处理中。';
  } else {
    p.textContent = dom.text(c.name) + ' 已于 ' + S.when(c.claimed_at) +
      ' 领取此订单，正在处理中。领取只是提示，不锁定订单：请先与其沟通，避免重复处理。';
  }
  line.appendChild(p);
  // Four-eyes: who approved first; the order waits for another reviewer's approval.
  var f = o.first_approved_by;
  if (f) {
    line.appendChild(el('p', 'claim-text', '四眼复核：' + dom.text(f.name) + (f.me ? '（我）' : '') +
      ' 已于 ' + S.when(f.at) + ' 第一次审核通过，' +
      (f.me ? '须由另一位审核人员复核通过。' : '请您复核：通过即为第二次审核通过。')));
  } else if (o.four_eyes) {
    line.appendChild(el('p', 'claim-text', '该业务须经两位审核人员先后审核通过（四眼复核）。'));
  }
  if (may(o, 'claim')) {
    var claim = el('button', 'btn-small', '领取');
    claim.type = 'button';
    claim.addEventListener('click', function () {
      post(claim, 'claim', {}, function () { return '已领取订单 ' + o.order_no + '。'; }, null, out);
    });
    line.appendChild(claim);
  }
  if (c && may(o, 'release')) {
    var rel = el('button', 'btn-secondary btn-small', c.me ? '释放' : '释放（管理员）');
    rel.type = 'button';
    rel.addEventListener('click', function () {
      post(rel, 'release', {}, function () { return '已释放订单 ' + o.order_no + ' 的领取。'; }, null, out);
    });
    line.appendChild(rel);
  }
  box.appendChild(line);
  box.appendChild(out);
}

// ---- summary -------------------------------------------------------------------------------------

function editableText(o) {
  if (!o.editable) return '';
  var names = {};
  (o.materials || []).forEach(function (m) { names[m.kind] = m.name; });
  return o.editable.split(',').map(function (c) {
    return STEP_TITLES[c] || names[c] || c;
  }).join('、');
}

function renderSummary(o) {
  var box = document.getElementById('summary');
  dom.clear(box);
  var waited = el('span');
  if (o.waited_days === null || o.waited_days === undefined) waited.textContent = '—';
  else {
    waited.appendChild(el('span', o.overdue ? 'waited-overdue' : null, o.waited_days + ' 个工作日'));
    waited.appendChild(document.createTextNode('（渠道承诺 ' + dom.text(o.promise_days) + ' 个工作日）'));
  }
  var fee = o.amount ? o.amount + ' 元' : (o.amount_fen === 0 ? '0.00 元' : '未定价（由预审确定费用）');
  var rows = [
    ['申请单位 / 申请人', o.subject_name],
    ['业务类型', (o.business_name || V.zh('businesses', o.business)) + (o.mail_in ? '（线下邮寄办理）' : '')],
    ['证书类型', o.kind_name || V.zh('kinds', o.kind)],
    ['证书年限', o.years ? o.years + ' 年' : ''],
    ['渠道', dom.text(o.channel_name) + '（' + dom.text(o.channel) + '）'],
    ['办理流程', o.flow === 'two_stage' ? '两阶段：线上预审 → 支付 → 寄送纸质材料 → 纸质材料审核' : '先支付后审核'],
    ['费用', fee],
    ['支付方式', o.pay_method ? V.zh('pay_methods', o.pay_method) : ''],
    ['企业认证方式', o.verify_method ? S.name(S.VERIFY_NAMES, o.verify_method) : '', true],
    ['经办人认证方式', o.handler_method ? S.name(S.HANDLER_METHOD_NAMES, o.handler_method) : '', true],
    ['PIN 码发送方式', o.pin_delivery ? S.name(PIN_NAMES, o.pin_delivery) : '', true],
    ['金融认证', o.fin_check ? o.fin_check.state_name : '', true],
    ['经办人手机', pii('mobile', o.handler_mobile)],
    ['所在队列', o.queue ? S.name(QUEUE_NAMES, o.queue) : '不在待办队列中'],
    ['已等待', waited],
    ['创建时间', S.when(o.created_at)],
    ['签署时间', S.when(o.signed_at)],
    ['提交时间', S.when(o.submitted_at)],
    ['支付时间', S.when(o.paid_at)],
    ['最后更新', S.when(o.updated_at)]
  ];
  // Sent back by a reviewer: what was sent back, and where the order returns once redone.
  if (o.editable || (o.return_state && V.is(o.state, 'editable'))) {
    rows.push(['退回前状态', o.return_state ? V.stateName(o.return_state) : '', true]);
    rows.push(['退回待修改', editableText(o), true]);
  }
  rows.push(['订单版本', String(o.version)]);
  box.appendChild(S.details(rows, 'details-compact'));
}

// ---- materials ----------------------------------------------------------------------------------

function fileSize(bytes) {
  var n = parseInt(bytes, 10);
  if (isNaN(n)) return '';
  return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB';
}

function openViewer(title, url) {
  var dlg = document.getElementById('viewer');
  if (!dlg || typeof dlg.showModal !== 'function') {
    window.open(url, '_blank', 'noopener');
    return;
  }
  var img = document.getElementById('viewer-img');
  var body = document.getElementById('viewer-body');
  var size = document.getElementById('viewer-size');
  var oldMsg = body.querySelector('.alert');
  if (oldMsg) body.removeChild(oldMsg);
  img.hidden = false;
  document.getElementById('viewer-title').textContent = title;
  document.getElementById('viewer-open').href = url;
  body.classList.remove('viewer-actual');
  size.textContent = '原始大小';
  size.setAttribute('aria-pressed', 'false');
  img.alt = title;
  img.src = url;
  dlg.showModal();
}

function setupViewer() {
  var dlg = document.getElementById('viewer');
  if (!dlg) return;
  var img = document.getElementById('viewer-img');
  var body = document.getElementById('viewer-body');
  var size = document.getElementById('viewer-size');
  document.getElementById('viewer-close').addEventListener('click', function () { dlg.close(); });
  dlg.addEventListener('click', function (ev) { if (ev.target === dlg) dlg.close(); });
  dlg.addEventListener('close', function () { img.removeAttribute('src'); });
  size.addEventListener('click', function () {
    var actual = body.classList.toggle('viewer-actual');
    size.textContent = actual ? '适合窗口' : '原始大小';
    size.setAttribute('aria-pressed', actual ? 'true' : 'false');
  });
  img.addEventListener('error', function () {
    if (!img.getAttribute('src')) return;
    img.hidden = true;
    body.appendChild(dom.alert('图片无法加载：可能已无查看权限或登录已过期，请刷新页面后重试。'));
  });
}

function thumb(m) {
  if (!canSeeScans()) return el('p', 'material-meta', '（制证发货岗位不查看材料扫描件）');
  var title = m.name + ' 第 ' + m.version + ' 版';
  var b = el('button', 'thumb-button');
  b.type = 'button';
  b.setAttribute('aria-label', '查看原图：' + title);
  var img = el('img');
  img.alt = title + ' 缩略图';
  img.loading = 'lazy';
  img.decoding = 'async';
  img.src = m.thumb_url;
  img.addEventListener('error', function () {
    b.replaceChild(el('span', 'material-meta', '缩略图无法加载，点击查看原图'), img);
  });
  b.appendChild(img);
  b.addEventListener('click', function () { openViewer(title, m.image_url); });
  return b;
}

function reasonSelect(name, scopes, id) {
  var sel = el('select');
  sel.name = name;
  sel.id = id;
  sel.appendChild(dom.option('', '请选择原因'));
  var groups = { order: '订单问题', material: '材料问题', any: '其他' };
  ['material', 'order', 'any'].forEach(function (scope) {
    if (!has(scopes, scope)) return;
    var list = (reasons || []).filter(function (r) { return r.scope === scope; });
    if (!list.length) return;
    var g = el('optgroup');
    g.label = groups[scope];
    list.forEach(function (r) { g.appendChild(dom.option(r.code, r.code + ' ' + r.text)); });
    sel.appendChild(g);
  });
  return sel;
}

function noteField(id, label, rows) {
  var f = el('div', 'field');
  var l = el('label', null, label);
  l.htmlFor = id;
  var counter = el('span', 'counter', '0/' + NOTE_MAX);
  l.appendChild(counter);
  var input = rows ? el('textarea') : el('input');
  if (!rows) input.type = 'text';
  else input.rows = rows;
  input.id = id;
  input.name = 'note';
  input.maxLength = NOTE_MAX * 2;
  input.addEventListener('input', function () {
    var n = dom.chars(input.value);
    counter.textContent = n + '/' + NOTE_MAX;
    counter.classList.toggle('counter-over', n > NOTE_MAX);
  });
  f.appendChild(l);
  f.appendChild(input);
  return f;
}

function checkNote(note) {
  if (dom.chars(note) > NOTE_MAX) return '审核说明最多 ' + NOTE_MAX + ' 个字。';
  if (dom.hasControl(note)) return '审核说明不能含有换行或其他控制字符。';
  return null;
}

function materialForm(o, m) {
  var wrap = el('div', 'material-form');
  var out = el('div', 'form-result');
  var buttons = el('div', 'actions');
  var accept = el('button', 'btn-small', m.state === 'rejected' ? '改为通过' : '通过');
  accept.type = 'button';
  var rejectOpen = el('button', 'btn-danger-outline btn-small', m.state === 'rejected' ? '修改驳回原因' : (m.state === 'accepted' ? '改为驳回' : '驳回'));
  rejectOpen.type = 'button';
  if (m.state !== 'accepted') buttons.appendChild(accept);
  buttons.appendChild(rejectOpen);
  wrap.appendChild(buttons);

  var form = el('form');
  form.noValidate = true;
  form.hidden = true;
  var fid = 'm-' + m.id;
  var rf = el('div', 'field');
  var rl = el('label', null, '驳回原因');
  rl.htmlFor = fid + '-reason';
  rf.appendChild(rl);
  rf.appendChild(reasonSelect('reason_code', ['material', 'any'], fid + '-reason'));
  form.appendChild(rf);
  form.appendChild(noteField(fid + '-note', '补充说明（选填，申请人可见）'));
  var fa = el('div', 'actions');
  var send = el('button', 'btn-danger btn-small', '确认驳回');
  send.type = 'submit';
  var cancel = el('button', 'btn-secondary btn-small', '取消');
  cancel.type = 'button';
  fa.appendChild(send);
  fa.appendChild(cancel);
  form.appendChild(fa);
  wrap.appendChild(form);
  wrap.appendChild(out);

  function decide(button, payload) {
    dom.clear(out);
    dom.unmark(form);
    S.notice(null);
    return S.busy(button, S.api('POST', path('materials/' + encodeURIComponent(m.kind)), payload)).then(function (r) {
      if (r.ok) {
        var got = r.body.material || {};
        // A material decision leaves the order's version as it is: update the one card.
        order.materials.forEach(function (x) {
          if (x.id === m.id || String(x.id) === String(got.id)) {
            x.state = got.state || x.state;
            x.reject_reason = typeof got.reject_reason === 'string' ? got.reject_reason : x.reject_reason;
          }
        });
        renderMaterials(order);
        updateDecisionHint();
        S.notice(dom.alert(m.name + (got.state === 'rejected' ? ' 已驳回。' : ' 已通过。'), 'ok'));
        return;
      }
      if (r.status === 409 && !r.error.field) return conflict(r.error);
      if (r.status !== 401) dom.formError(form, out, r.error);
    });
  }

  accept.addEventListener('click', function () { decide(accept, { decision: 'accept' }); });
  rejectOpen.addEventListener('click', function () {
    form.hidden = false;
    buttons.hidden = true;
    form.elements.namedItem('reason_code').focus();
  });
  cancel.addEventListener('click', function () {
    form.hidden = true;
    buttons.hidden = false;
    dom.clear(out);
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    var code = form.elements.namedItem('reason_code').value;
    var note = form.elements.namedItem('note').value.trim();
    if (!code) return dom.formError(form, out, { field: 'reason_code', message: '请选择驳回原因。' });
    var bad = checkNote(note);
    if (bad) return dom.formError(form, out, { field: 'note', message: bad });
    var payload = { decision: 'reject', reason_code: code };
    if (note) payload.note = note;
    decide(send, payload);
  });
  return wrap;
}

function renderMaterials(o) {
  var box = document.getElementById('materials');
  dom.clear(box);
  var list = Array.isArray(o.materials) ? o.materials : [];
  if (!list.length) {
    box.appendChild(el('p', 'muted', '该订单没有上传材料。'));
    return;
  }
  var canDecide = may(o, 'material');
  if (S.isRole('reviewer') && !V.is(o.state, 'in_review')) {
    box.appendChild(el('p', 'hint', '订单当前不在审核阶段，材料不能审核。'));
  }
  // Latest version first per kind (the API's order), older ones under it.
  var kinds = [], byKind = {};
  list.forEach(function (m) {
    if (!byKind[m.kind]) { byKind[m.kind] = []; kinds.push(m.kind); }
    byKind[m.kind].push(m);
  });
  var grid = el('div', 'materials staff-materials');
  kinds.forEach(function (k) {
    var versions = byKind[k];
    var latest = versions.filter(function (m) { return m.latest; })[0] || versions[0];
    var card = el('article', 'material material-' + latest.state);
    var head = el('div', 'result-head');
    head.appendChild(el('h3', null, latest.name || latest.kind));
    head.appendChild(pair(MATERIAL_STATES, latest.state));
    card.appendChild(head);
    card.appendChild(thumb(latest));
    card.appendChild(el('p', 'material-meta', '第 ' + latest.version + ' 版 · ' + latest.width + '×' + latest.height +
      ' · ' + fileSize(latest.bytes) + ' · 上传于 ' + S.when(latest.uploaded_at)));
    if (latest.original_name) card.appendChild(el('p', 'material-meta', '原文件名：' + latest.original_name));
    // What the upload's scan checks found: the form's QR bound to this order, the seal.
    var ck = latest.checks || {};
    if (ck.qr_text) card.appendChild(el('p', 'material-meta', '✓ ' + ck.qr_text));
    if (ck.seal_text) card.appendChild(el('p', ck.seal === 'missing' ? 'material-reason' : 'material-meta', ck.seal_text));
    if (latest.state === 'rejected' && latest.reject_reason) {
      card.appendChild(el('p', 'material-reason', '驳回原因：' + latest.reject_reason));
    }
    if (canDecide && reasons) card.appendChild(materialForm(o, latest));
    var older = versions.filter(function (m) { return m !== latest; });
    if (older.length) {
      var det = el('details', 'material-history');
      det.appendChild(el('summary', null, '历史版本（' + older.length + '）'));
      var ul = el('ul');
      older.forEach(function (m) {
        var li = el('li');
        li.appendChild(document.createTextNode('第 ' + m.version + ' 版 · ' + S.when(m.uploaded_at) + ' · '));
        li.appendChild(pair(MATERIAL_STATES, m.state));
        if (m.reject_reason) li.appendChild(el('span', 'sub', '驳回原因：' + m.reject_reason));
        if (canSeeScans()) {
          var view = el('button', 'btn-secondary btn-small', '查看');
          view.type = 'button';
          view.addEventListener('click', function () { openViewer(m.name + ' 第 ' + m.version + ' 版', m.image_url); });
          li.appendChild(document.createTextNode(' '));
          li.appendChild(view);
        }
        ul.appendChild(li);
      });
      det.appendChild(ul);
      card.appendChild(det);
    }
    grid.appendChild(card);
  });
  box.appendChild(grid);
}

function latestMaterials(o) {
  return (o.materials || []).filter(function (m) { return m.latest; });
}

// Whether the order's state is one a refund moves on (refunding): finance also confirms
// payments, so "finance moves it" alone would say so of pending_payment too.
function refundMoves(o) {
  return V.moves({ from: o.state, event: 'refunded' }).length > 0;
}

function refundingPayments(o) {
  return (o.payments || []).filter(function (p) { return p.state === 'refunding'; });
}

// ---- step data --------------------------------------------------------------------------------

function stepValue(step, key, v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return JSON.stringify(v);
  if (PII_FIELDS[key]) return pii(PII_FIELDS[key], v);
  if (key === 'method' && step === 'enterprise') return S.name(S.VERIFY_NAMES, v);
  if (key === 'method' && step === 'handler') return S.name(S.HANDLER_METHOD_NAMES, v);
  if (key === 'items' && step === 'change') {
    return v.split(',').map(function (i) { return CHANGE_ITEMS[i] || i; }).join('、');
  }
  if (step === 'product') {
    if (key === 'years') return v + ' 年';
    if (key === 'seal') return v === '1' ? '需要' : '不需要';
    if (key === 'defect') return v === '1' ? '是（质保期内经检测属实可免费）' : '否';
    if (key === 'defect_sign') return (V.row('defect_signs', v) || { zh: v }).zh;
    if (key === 'e_invoice') return v === '1' ? '开具' : '不开具';
  }
  return v;
}

function renderSteps(o) {
  var box = document.getElementById('steps');
  dom.clear(box);
  var steps = o.steps && typeof o.steps === 'object' ? o.steps : {};
  var names = STEP_ORDER.filter(function (s) { return steps[s]; });
  Object.keys(steps).forEach(function (s) { if (!has(names, s)) names.push(s); });
  if (!names.length) {
    box.appendChild(el('p', 'muted', '该订单没有保存的申请信息。'));
    return;
  }
  if (!showPii) box.appendChild(el('p', 'hint', '身份证号、手机号、银行账号已部分隐藏；核对证件时可点击上方“显示完整个人信息”。'));
  names.forEach(function (s) {
    var data = steps[s];
    var block = el('div', 'step-block');
    block.appendChild(el('h3', null, STEP_TITLES[s] || s));
    if (data && data.unreadable === true) {
      block.appendChild(dom.alert('该步骤的数据无法解密读取，请联系系统管理员。', 'warn'));
    } else if (data && typeof data === 'object') {
      var labels = FIELD_LABELS[s] || {};
      var keys = Object.keys(labels).filter(function (k) { return k in data; });
      Object.keys(data).forEach(function (k) { if (!has(keys, k)) keys.push(k); });
      block.appendChild(S.details(keys.map(function (k) {
        return [labels[k] || k, stepValue(s, k, data[k])];
      }), 'details-compact'));
    }
    box.appendChild(block);
  });
}

// ---- verifications, payments, waybills, certificates, events ---------------------------------

function renderVerifications(o) {
  var box = document.getElementById('verifications');
  dom.clear(box);
  var list = o.verifications || [];
  if (!list.length) {
    box.appendChild(el('p', 'muted', '没有身份核验记录。'));
    return;
  }
  box.appendChild(dom.table(['对象', '方式', '结果', '时间'], list.map(function (v) {
    var res = el('div');
    res.appendChild(pair(VERIFY_STATES, v.state));
    if (v.message) res.appendChild(el('span', 'sub', v.message));
    var method = v.subject === 'handler' ? S.name(S.HANDLER_METHOD_NAMES, v.method) : S.name(S.VERIFY_NAMES, v.method);
    var t = el('div');
    t.appendChild(el('span', null, S.when(v.created_at)));
    if (v.decided_at) t.appendChild(el('span', 'sub', '结果于 ' + S.when(v.decided_at)));
    return [v.subject === 'handler' ? '经办人' : v.subject === 'enterprise' ? '企业' : v.subject, method, res,
      t];
  })));
}

function renderPayments(o) {
  var box = document.getElementById('payments');
  dom.clear(box);
  var list = o.payments || [];
  if (!list.length) {
    box.appendChild(el('p', 'muted', '没有支付记录。'));
    return;
  }
  box.appendChild(dom.table(['方式', '金额（元）', '状态', '时间'], list.map(function (p) {
    var m = el('div');
    m.appendChild(el('span', null, V.zh('pay_methods', p.method)));
    m.appendChild(el('span', 'sub mono', p.pay_no));
    var st = el('div');
    st.appendChild(dom.badge(V.zh('payment_states', p.state), PAY_TONES[p.state] || 'muted'));
    if (p.confirmed_by) st.appendChild(el('span', 'sub', '经办：' + p.confirmed_by));
    var t = el('div');
    t.appendChild(el('span', null, S.when(p.created_at)));
    if (p.paid_at) t.appendChild(el('span', 'sub', '到账 ' + S.when(p.paid_at)));
    return [m, { text: S.yuan(p.amount_fen), className: 'num' }, st, t];
  })));
}

function renderWaybills(o) {
  var box = document.getElementById('waybills');
  dom.clear(box);
  var list = o.waybills || [];
  if (!list.length) {
    box.appendChild(el('p', 'muted', '没有快递运单。'));
    return;
  }
  box.appendChild(dom.table(['方向', '快递公司', '运单号', '最新状态', '登记时间'], list.map(function (w) {
    return [w.direction === 'in' ? '申请人寄来纸质材料' : w.direction === 'out' ? '寄出证书' : dom.text(w.direction),
      V.zh('carriers', w.carrier), { text: w.number, className: 'mono' }, S.name(COURIER_STATES, w.last_state),
      { text: S.when(w.created_at), className: 'nowrap' }];
  })));
}

function renderCerts(o) {
  var box = document.getElementById('certs');
  dom.clear(box);
  var t = o.target_certificate;
  var issued = o.issued_certificates || [];
  if (!t && !issued.length) {
    box.appendChild(el('p', 'muted', '本订单不涉及已有证书，也尚未签发证书。'));
    return;
  }
  if (t) {
    box.appendChild(el('h3', null, '办理对象证书'));
    var st = pair(CERT_STATES, t.state);
    box.appendChild(S.details([
      ['序列号', t.serial], ['证书类型', V.zh('kinds', t.kind)], ['持有人', t.holder_name], ['状态', st],
      ['有效期', dom.text(t.not_before) + ' 至 ' + dom.text(t.not_after)], ['首次签发', t.first_issued],
      ['电子印章', t.has_seal ? '有' : '无']
    ], 'details-compact'));
  }
  if (issued.length) {
    box.appendChild(el('h3', null, '本订单签发的证书'));
    box.appendChild(dom.table(['序列号', '状态', '有效期'], issued.map(function (c) {
      return [{ text: c.serial, className: 'mono' }, pair(CERT_STATES, c.state),
        dom.text(c.not_before) + ' 至 ' + dom.text(c.not_after)];
    })));
  }
}

function renderEvents(o) {
  var box = document.getElementById('events');
  dom.clear(box);
  var list = (o.events || []).slice().reverse();
  if (!list.length) {
    box.appendChild(el('p', 'muted', '没有办理记录。'));
    return;
  }
  box.appendChild(el('p', 'hint', '最新的在上。“内部”记录申请人看不到；“公开”记录（含审核说明）显示在申请人的订单进度中。'));
  var table = dom.table(['时间', '事件', '状态变化', '操作人', '说明', '可见'], list.map(function (e) {
    var change = e.from || e.to ? V.stateName(e.from) + ' → ' + V.stateName(e.to) : '';
    var actor = e.actor === 'staff' ? '工作人员 ' + dom.text(e.staff) : e.actor === 'applicant' ? '申请人' :
      e.actor === 'system' ? '系统' : dom.text(e.actor);
    if (e.from === null && e.to) change = '→ ' + V.stateName(e.to);
    return [{ text: S.when(e.at), className: 'nowrap' }, V.zh('events', e.kind),
      { text: change, className: 'state-change' }, actor, e.note, e.public === '1' ? '公开' : '内部'];
  }));
  var trs = table.querySelectorAll('tbody tr');
  list.forEach(function (e, i) { if (e.public !== '1') trs[i].classList.add('event-internal'); });
  box.appendChild(table);
}

// ---- actions ------------------------------------------------------------------------------------

var decisionHint = null;   // the live hint of the decision form (rejected materials)

function rejectedNames(o) {
  return latestMaterials(o).filter(function (m) { return m.state === 'rejected'; }).map(function (m) { return m.name; });
}

function updateDecisionHint() {
  if (!decisionHint || !order) return;
  var names = rejectedNames(order);
  dom.clear(decisionHint);
  decisionHint.hidden = !names.length;
  // No approval while a material stands rejected (issue 17): the choice is not offered.
  var approve = decisionHint.parentNode && decisionHint.parentNode.querySelector('input[name="decision"][value="approve"]');
  if (approve) {
    approve.disabled = names.length > 0;
    if (approve.disabled && approve.checked) {
      approve.checked = false;
      approve.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
  if (names.length) {
    decisionHint.appendChild(el('p', null, '已驳回的材料：' + names.join('、') + '。'));
    decisionHint.appendChild(el('p', null, '退回补正时这些材料将由申请人重新上传；有驳回的材料时不能审核通过。'));
  }
}

function actionBlock(title, lead) {
  var b = el('div', 'action-block');
  b.appendChild(el('h3', null, title));
  if (lead) {
    if (Array.isArray(lead)) lead.forEach(function (l) { b.appendChild(el('p', 'hint', l)); });
    else b.appendChild(el('p', 'hint', lead));
  }
  return b;
}

function radio(name, value, label, hint, checked) {
  var l = el('label', 'choice-item');
  var i = el('input');
  i.type = 'radio';
  i.name = name;
  i.value = value;
  i.checked = !!checked;
  l.appendChild(i);
  var t = el('span', null, label);
  if (hint) {
    t.appendChild(el('br'));
    t.appendChild(el('span', 'hint', hint));
  }
  l.appendChild(t);
  return l;
}

function decisionForm(o) {
  // Before the review proper (the paper not in yet) an order can only be stopped; a
  // pre-review's pass is its own move; the paper's review follows its arrival.
  var onlyReject = !may(o, 'approve') && !may(o, 'return');
  var pre = V.moves({ from: o.state, event: 'pre_review_passed' }).length > 0;
  var paper = V.moves({ to: o.state, event: 'paper_received' }).length > 0;
  var needsFee = pre && (o.amount_fen === null || o.amount_fen < 0);
  var paid = (o.payments || []).some(function (p) { return p.state === 'paid'; });
  var block = actionBlock(onlyReject ? '驳回订单' : pre ? '预审结论' : paper ? '纸质材料审核结论' : '审核结论',
    onlyReject ? '纸质材料尚未签收。如申请不符合办理条件，可在此驳回并终止办理。' : null);
  var form = el('form', 'decision-form');
  form.noValidate = true;

  var fs = el('fieldset', 'choice');
  fs.appendChild(el('legend', null, '结论'));
  if (!onlyReject) {
    fs.appendChild(radio('decision', 'approve', pre ? '预审通过' : '审核通过',
      pre ? (o.amount_fen > 0 || needsFee ? '申请人将收到短信，支付后寄送纸质材料。' : '申请人将收到短信，寄送纸质材料。')
        : V.shipsKey(o.business, o.mail_in) ? '订单将进入制证发货。' : '无需寄送介质的业务将直接办结。'));
    fs.appendChild(radio('decision', 'return', '退回补正', '申请人修改或重新上传后再次提交，本订单继续办理。'));
  }
  fs.appendChild(radio('decision', 'reject', '驳回，终止办理',
    paid ? '订单终止，已支付的费用转入财务退款。' : '订单终止，申请人需重新申请。', onlyReject));
  form.appendChild(fs);

  decisionHint = el('div', 'note-warn');
  form.appendChild(decisionHint);
  updateDecisionHint();

  var feeField = null;
  if (needsFee) {
    feeField = el('div', 'field');
    var fl = el('label', null, '费用（元）');
    fl.htmlFor = 'd-amount';
    var fi = el('input');
    fi.type = 'text';
    fi.id = 'd-amount';
    fi.name = 'amount';
    fi.inputMode = 'decimal';
    fi.autocomplete = 'off';
    fi.maxLength = 12;
    fi.placeholder = '如 260 或 260.00';
    feeField.appendChild(fl);
    feeField.appendChild(fi);
    feeField.appendChild(el('p', 'hint', '该业务的费用由预审确定：请填写认证机构确认的金额，申请人按此金额支付；0 表示免费。'));
    form.appendChild(feeField);
  }

  var reasonField = el('div', 'field');
  var rl = el('label', null, '原因');
  rl.htmlFor = 'd-reason';
  reasonField.appendChild(rl);
  reasonField.appendChild(reasonSelect('reason_code', ['order', 'material', 'any'], 'd-reason'));
  reasonField.appendChild(el('p', 'hint', '原因和说明会通过短信告知申请人。'));
  form.appendChild(reasonField);

  var stepsField = el('fieldset', 'choice field');
  stepsField.appendChild(el('legend', null, '需申请人修改的信息'));
  var present = EDIT_STEPS.filter(function (s) { return o.steps && o.steps[s]; });
  (present.length ? present : EDIT_STEPS).forEach(function (s) {
    var l = el('label', 'check');
    var i = el('input');
    i.type = 'checkbox';
    i.name = 'steps';
    i.value = s;
    l.appendChild(i);
    l.appendChild(el('span', null, STEP_TITLES[s]));
    stepsField.appendChild(l);
  });
  stepsField.appendChild(el('p', 'hint', '已驳回的材料会自动退回重新上传；只需勾选需要修改的填写信息。'));
  form.appendChild(stepsField);

  form.appendChild(noteField('d-note', '审核说明（选填，申请人可见）', 3));

  var actions = el('div', 'actions');
  var submit = el('button', null, '提交');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  var out = el('div', 'form-result');
  form.appendChild(out);

  function decision() {
    var c = form.querySelector('input[name="decision"]:checked');
    return c ? c.value : '';
  }
  function sync() {
    var d = decision();
    reasonField.hidden = d === 'approve' || !d;
    stepsField.hidden = d !== 'return';
    if (feeField) feeField.hidden = d !== 'approve';
    submit.className = d === 'reject' ? 'btn-danger' : '';
    // No decision is made for the reviewer (issue 17): the button names the one chosen.
    submit.textContent = d === 'approve' ? (pre ? '提交预审通过' : '提交审核通过') :
      d === 'return' ? '退回申请人补正' : d === 'reject' ? '驳回并终止办理' : '提交审核结论';
  }
  Array.prototype.forEach.call(form.querySelectorAll('input[name="decision"]'), function (i) {
    i.addEventListener('change', sync);
  });
  sync();

  var armed = false;   // a final rejection asks twice
  form.addEventListener('change', function () { armed = false; });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var d = decision();
    if (!d) return dom.formError(form, out, { message: '请选择审核结论：审核通过、退回补正或驳回。' });
    var payload = { version: o.version, decision: d };
    var note = form.elements.namedItem('note').value.trim();
    var bad = checkNote(note);
    if (bad) return dom.formError(form, out, { field: 'note', message: bad });
    if (note) payload.note = note;
    if (d === 'approve') {
      var rejected = rejectedNames(order);
      if (rejected.length) {
        return dom.formError(form, out, { message: '以下材料已被驳回：' + rejected.join('、') + '。请退回申请人补正，或先将这些材料改为通过。' });
      }
      if (needsFee) {
        var amount = form.elements.namedItem('amount').value.trim();
        if (!amount) return dom.formError(form, out, { field: 'amount', message: '请填写认证机构确认的费用（元）。' });
        if (!/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/.test(amount)) {
          return dom.formError(form, out, { field: 'amount', message: '费用应为以元为单位的金额，如 260 或 260.00。' });
        }
        payload.amount = amount;
      }
    } else {
      var code = form.elements.namedItem('reason_code').value;
      if (!code) return dom.formError(form, out, { field: 'reason_code', message: '请选择退回或驳回的原因。' });
      payload.reason_code = code;
    }
    if (d === 'return') {
      var steps = Array.prototype.filter.call(form.querySelectorAll('input[name="steps"]'), function (i) {
        return i.checked;
      }).map(function (i) { return i.value; });
      if (!steps.length && !rejectedNames(order).length) {
        return dom.formError(form, out, { field: 'steps', message: '退回补正时，请至少驳回一项材料，或勾选需要申请人修改的信息。' });
      }
      if (steps.length) payload.steps = steps;
    }
    if (d === 'reject' && !armed) {
      armed = true;
      out.appendChild(dom.alert('驳回将终止办理，不可撤销' + (paid ? '；已支付的费用将转入退款' : '') + '。确认无误请再次点击“驳回并终止办理”。', 'warn'));
      return;
    }
    armed = false;
    post(submit, 'decision', payload, function (b) {
      var st = V.stateName(b.state);
      if (d === 'approve') return (pre ? '预审通过' : '审核通过') + '，订单状态：' + st + '。';
      if (d === 'return') return '已退回申请人补正，订单状态：' + st + '。';
      return '已驳回，订单状态：' + st + '。';
    }, form, out);
  });
  block.appendChild(form);
  return block;
}

function stageButton(o, title, lead, label, question, action, success, danger) {
  var block = actionBlock(title, lead);
  block.appendChild(confirmButton(label, question, function (button, out) {
    post(button, action, { version: o.version }, success, null, out);
  }, danger));
  return block;
}

// A labelled field of monospaced text that the browser neither completes nor spell-checks
// (waybill numbers, certificate requests, serials), added to form; the control.
function monoField(form, tag, id, name, label) {
  var f = el('div', 'field');
  var l = el('label', null, label);
  l.htmlFor = id;
  var c = el(tag, 'mono');
  c.id = id;
  c.name = name;
  c.autocomplete = 'off';
  c.spellcheck = false;
  f.appendChild(l);
  f.appendChild(c);
  form.appendChild(f);
  return c;
}

// A stage form's submit button and the place its answer is said.
function formEnd(form, label) {
  var actions = el('div', 'actions');
  var submit = el('button', null, label);
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  var out = el('div', 'form-result');
  form.appendChild(out);
  return { submit: submit, out: out };
}

function shipForm(o) {
  var block = actionBlock('登记寄出', '证书介质寄出后，填写快递公司和运单号；申请人将收到短信，并可凭运单号查询物流。');
  var form = el('form', 'stage-form');
  form.noValidate = true;
  var cf = el('div', 'field');
  var cl = el('label', null, '快递公司');
  cl.htmlFor = 's-carrier';
  var sel = el('select');
  sel.id = 's-carrier';
  sel.name = 'carrier';
  V.carriers.forEach(function (c) { sel.appendChild(dom.option(c.code, c.zh)); });
  cf.appendChild(cl);
  cf.appendChild(sel);
  form.appendChild(cf);
  var num = monoField(form, 'input', 's-number', 'number', '运单号');
  num.type = 'text';
  num.maxLength = 64;
  num.setAttribute('autocapitalize', 'characters');
  var hint = el('p', 'hint');
  num.parentNode.appendChild(hint);
  var HINTS = {
    sf: 'SF 加 12 或 13 位数字，如 SF1402345678901', ems: '如 EA123456785CN，或以 1、5、8、9 开头的 13 位数字',
    zto: '12 至 15 位数字', yto: 'YT 加 13 位数字', sto: '12 至 15 位数字，或 STO 加 10 位数字',
    yunda: '13 位或 15 位数字', jd: 'JD 开头的 15 位，如 JDVA11408814483', deppon: 'DPK 加 12 位数字，或 8 至 10 位数字'
  };
  function syncHint() { hint.textContent = '格式：' + (HINTS[sel.value] || '') + '。空格会自动去除。'; }
  sel.addEventListener('change', syncHint);
  syncHint();
  var end = formEnd(form, '登记寄出');
  var submit = end.submit;
  var out = end.out;
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var n = num.value.trim();
    if (!n) return dom.formError(form, out, { field: 'number', message: '请填写运单号。' });
    if (dom.hasControl(n) || n.length > 64) return dom.formError(form, out, { field: 'number', message: '运单号格式不正确，请核对后重新输入。' });
    post(submit, 'shipped', { version: o.version, carrier: sel.value, number: n }, function () {
      return '已登记寄出：' + V.zh('carriers', sel.value) + ' ' + n.replace(/\s+/g, '').toUpperCase() + '。';
    }, form, out);
  });
  block.appendChild(form);
  return block;
}

// 002 损坏补办: the old key's inspection. The product step's claim is shown beside it; the
// inspection decides (free within the warranty, else the media fee).
function inspectForm(o, inbound) {
  var product = (o.steps || {}).product || {};
  var sign = product.defect === '1' ? V.row('defect_signs', product.defect_sign) : null;
  var block = actionBlock('登记介质检测结论', [
    inbound ? '申请人寄回原介质的运单：' + inbound + '。' : '申请人尚未填写寄回原介质的运单号。',
    '申请人申报：' + (product.defect === '1' ? '属于介质质量问题' + (sign ? '（' + sign.zh + '）' : '') : '未申报质量问题') + '。',
    '质保期自证书初次发放日起一年，按订单提交日判断；经检测属于质量问题且在质保期内的免费办理，否则申请人需支付证书介质费。']);
  var form = el('form', 'stage-form');
  form.noValidate = true;
  var fs = el('fieldset', 'choice');
  fs.appendChild(el('legend', null, '检测结论'));
  [['defect', '属于介质质量问题'], ['no_defect', '不属于介质质量问题']].forEach(function (c) {
    var lab = el('label', 'choice-item');
    var r = el('input');
    r.type = 'radio';
    r.name = 'result';
    r.value = c[0];
    lab.appendChild(r);
    lab.appendChild(document.createTextNode(' ' + c[1]));
    fs.appendChild(lab);
  });
  form.appendChild(fs);
  var note = monoField(form, 'input', 'i-note', 'note', '检测说明（可选，最多 200 字）');
  note.type = 'text';
  note.maxLength = 200;
  var end = formEnd(form, '登记检测结论');
  var submit = end.submit;
  var out = end.out;
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var picked = form.querySelector('input[name="result"]:checked');
    if (!picked) return dom.formError(form, out, { field: 'result', message: '请选择检测结论。' });
    var text = note.value.trim();
    if (dom.hasControl(text) || text.length > 200) return dom.formError(form, out, { field: 'note', message: '检测说明最多 200 字，且不能含有控制字符。' });
    var body = { version: o.version, result: picked.value };
    if (text) body.note = text;
    post(submit, 'inspection', body, function (b) {
      return '已登记检测结论：' + (b.key_inspection && b.key_inspection.free ? '免费办理' : '需支付证书介质费 ' + dom.text(b.amount) + ' 元') +
        '，订单状态：' + V.stateName(b.state) + '。';
    }, form, out);
  });
  block.appendChild(form);
  return block;
}

// 001 金融认证: the approval's 0.01 transfer on its way to the basic account; made once it is
// credited. Dev and test stacks only: the sandbox bank's buttons decide it (a production hall
// has no /sandbox/ and says so).
function finBlock(o) {
  var block = actionBlock('金融认证（0.01 元打款）', ['审核已通过，正在向单位基本户打款 0.01 元，证书PIN码随转账附言下发。' +
    '银行入账后订单显示“成功受理”，方可登记制证；被收款行退回则订单转为“金融认证失败”，由申请人重新填写基本户信息。']);
  var out = el('div', 'form-result');
  var actions = el('div', 'actions');
  [['credited', '沙箱银行：已入账（开发环境）'], ['failed', '沙箱银行：退回（开发环境）']].forEach(function (b) {
    var btn = el('button', 'btn-secondary', b[1]);
    btn.type = 'button';
    btn.disabled = !o.fin_check.ref || o.fin_check.state !== 'sent';
    btn.addEventListener('click', function () {
      dom.clear(out);
      S.busy(btn, S.api('POST', '/sandbox/verify/transfers/' + encodeURIComponent(o.fin_check.ref) + '/complete',
        { outcome: b[0] })).then(function (r) {
        if (!r.ok) return dom.formError(block, out, r.error);
        out.appendChild(el('p', 'muted', '沙箱银行已记录，正在刷新……'));
        setTimeout(load, 1500);
        return null;
      });
    });
    actions.appendChild(btn);
  });
  var refresh = el('button', null, '刷新');
  refresh.type = 'button';
  refresh.addEventListener('click', function () { load(); });
  actions.appendChild(refresh);
  block.appendChild(actions);
  block.appendChild(out);
  return block;
}

// The made step: the token's PKCS#10 request and hardware serial, as the CA's token tool
// shows them; the CA issues the certificate for the request (POST .../made).
function madeForm(o) {
  var names = o.made_names || {};
  var block = actionBlock('登记制证', ['在介质（USB Key）上生成密钥后，粘贴制证工具给出的证书请求（PKCS#10）和介质序列号；CA 签发证书后，订单进入“证书制作中”。',
    '证书请求须为：CN=' + dom.text(names.cn) + (names.o ? '，O=' + dom.text(names.o) : '') + '。已签发过证书的密钥不能再用。']);
  var form = el('form', 'stage-form');
  form.noValidate = true;
  var csr = monoField(form, 'textarea', 'm-csr', 'csr', '证书请求（PKCS#10，PEM）');
  csr.rows = 8;
  var token = monoField(form, 'input', 'm-token', 'token_serial', '介质序列号');
  token.type = 'text';
  token.maxLength = 64;
  // The PIN the token tool set: sent to its holder by SMS (001/002), never shown again. At a
  // 001 order checked by the 0.01 transfer after approval, the PIN is the one its memo
  // carried to the basic account: the form neither asks for it nor sends one.
  var memo = o.pin_source === 'transfer_memo';
  var pin = memo ? { value: '' } : monoField(form, 'input', 'm-pin', 'pin', 'PIN码（制证工具设置，6 至 8 位数字）');
  if (memo) {
    form.appendChild(el('p', 'note-info', 'PIN码已由金融认证的 0.01 元转账附言发送至单位基本户（' +
      dom.text(o.fin_check && o.fin_check.state_name) + '），制证时在介质上设置该PIN码，本表无需填写。'));
    // The PIN to set on the token: the one the memo carried (each read is audited).
    var show = el('button', 'secondary', '查看制证PIN码');
    show.type = 'button';
    var shown = el('p', 'mono');
    show.addEventListener('click', function () {
      S.busy(show, S.api('GET', path('fin-check/pin'))).then(function (r) {
        shown.textContent = r.ok ? '制证PIN码：' + r.body.pin : (r.error && r.error.message) || '无法读取PIN码。';
        return null;
      });
    });
    form.appendChild(show);
    form.appendChild(shown);
  } else {
    pin.type = 'password';
    pin.maxLength = 8;
    pin.setAttribute('inputmode', 'numeric');
    pin.autocomplete = 'new-password';
  }
  var actions = el('div', 'actions');
  // Dev and test stacks only: the sandbox token (fcgi-apps/sandbox/token.c) stands in for
  // the token tool; a production hall has no /sandbox/ and the button says so.
  var kind = el('select');
  kind.appendChild(dom.option('rsa', 'RSA-2048'));
  kind.appendChild(dom.option('sm2', 'SM2'));
  kind.setAttribute('aria-label', '沙箱介质密钥类型');
  var sandbox = el('button', 'btn-secondary', '沙箱介质生成（开发环境）');
  sandbox.type = 'button';
  var submit = el('button', null, '登记已制作');
  submit.type = 'submit';
  actions.appendChild(kind);
  actions.appendChild(sandbox);
  actions.appendChild(submit);
  form.appendChild(actions);
  var out = el('div', 'form-result');
  form.appendChild(out);
  sandbox.addEventListener('click', function () {
    dom.clear(out);
    // A memo's PIN is the one the token tool sets (read as the button above reads it).
    var memoPin = memo ? S.api('GET', path('fin-check/pin'))
      : Promise.resolve(null);
    S.busy(sandbox, memoPin.then(function (p) {
      var body = { kind: kind.value, cn: names.cn || '', o: names.o || '' };
      if (p && p.ok) body.pin = p.body.pin;
      return S.api('POST', '/sandbox/token', body);
    })).then(function (r) {
      if (!r.ok) return dom.formError(form, out, r.error);
      csr.value = r.body.csr;
      token.value = r.body.token_serial;
      if (!memo) pin.value = r.body.pin || '';
      return null;
    });
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var c = csr.value.trim(), t = token.value.trim();
    if (!c) return dom.formError(form, out, { field: 'csr', message: '请粘贴介质生成的证书请求。' });
    if (!t) return dom.formError(form, out, { field: 'token_serial', message: '请填写介质序列号。' });
    var payload = { version: o.version, csr: c + '\n', token_serial: t };
    if (!memo && pin.value) payload.pin = pin.value;
    post(submit, 'made', payload, function (b) {
      pin.value = '';
      return 'CA 已签发证书，序列号 ' + dom.text(b.certificate && b.certificate.serial) + '；订单状态：' + V.stateName(b.state) + '。';
    }, form, out);
  });
  block.appendChild(form);
  return block;
}

function renderActions(o) {
  var box = document.getElementById('actions');
  dom.clear(box);
  decisionHint = null;
  var blocks = [];

  // The order's waybills of one direction ('in': the paper, 'out': the key), "" when none.
  function waybills(direction) {
    return (o.waybills || []).filter(function (w) { return w.direction === direction; })
      .map(function (w) { return V.zh('carriers', w.carrier) + ' ' + w.number; }).join('；');
  }

  if (may(o, 'paper_received')) {
    var inbound = waybills('in');
    blocks.push(stageButton(o, '登记纸质材料签收',
      inbound ? '申请人寄来的运单：' + inbound + '。收到纸质材料后登记签收，订单进入纸质材料审核。'
        : '申请人尚未填写寄送纸质材料的运单号。收到纸质材料后登记签收，订单进入纸质材料审核。',
      '登记签收', '确认已收到该订单的纸质材料？申请人将收到签收短信。', 'paper-received',
      function () { return '已登记纸质材料签收，订单进入纸质材料审核。'; }));
  }
  if (may(o, 'inspection')) blocks.push(inspectForm(o, waybills('in')));
  if (may(o, 'approve') || may(o, 'return') || may(o, 'reject')) {
    if (!reasons) blocks.push(dom.alert('审核原因列表未能载入，请刷新页面后再作出结论。', 'warn'));
    else blocks.push(decisionForm(o));
  }

  if (may(o, 'payment_confirm')) {
    var waiting = (o.payments || []).filter(function (p) { return p.state === 'awaiting_finance'; });
    var p = waiting[waiting.length - 1] || {};
    var lead = ['付款方式：' + V.zh('pay_methods', p.method) + '，金额 ' + S.yuan(p.amount_fen) + ' 元，付款编号 ' + dom.text(p.pay_no) + '。',
      '请核对银行入账或柜台收款记录（金额、付款单位、附言中的付款编号）后确认。'];
    // Arrived after the order went on without it: confirmed, it is paid back.
    if (!V.movedBy(o.state, 'payment')) lead.push('订单已不再等待这笔付款：确认收款后，款项转入退款。');
    blocks.push(stageButton(o, '确认收款', lead,
      '确认收款', '确认已收到 ' + S.yuan(p.amount_fen) + ' 元（' + V.zh('pay_methods', p.method) + '，付款编号 ' + dom.text(p.pay_no) + '）？',
      'payment/confirm', function (b) {
        return '已确认收款 ' + dom.text(b.amount) + ' 元，订单状态：' + V.stateName(b.state) + '。';
      }));
  } else if (S.isRole('finance') && V.movedBy(o.state, 'payment')) {
    blocks.push(actionBlock('确认收款', '申请人尚未登记对公转账或现场缴费，暂无需确认的付款。'));
  }
  if (may(o, 'refund')) {
    var total = refundingPayments(o).reduce(function (sum, x) { return sum + (parseInt(x.amount_fen, 10) || 0); }, 0);
    blocks.push(stageButton(o, '确认退款',
      [refundMoves(o) ? '订单已终止或申请人已申请退款，需原路退回已支付的费用。'
        : '该订单有一笔多付或在取消后到账的款项需要退回；订单状态不变。',
        '待退款金额：' + S.yuan(total) + ' 元。请先完成退款操作，再在此登记。'],
      '确认退款', '确认已原路退回 ' + S.yuan(total) + ' 元？申请人将收到退款短信。', 'refund',
      function (b) { return '已确认退款 ' + dom.text(b.amount) + ' 元，订单状态：' + V.stateName(b.state) + '。'; }, true));
  }

  if (o.fin_check && (o.fin_check.state === 'queued' || o.fin_check.state === 'sent')) blocks.push(finBlock(o));
  if (may(o, 'made')) blocks.push(madeForm(o));
  if (may(o, 'shipped')) blocks.push(shipForm(o));
  if (may(o, 'delivered')) {
    var outbound = waybills('out');
    blocks.push(stageButton(o, '登记签收',
      outbound ? '寄出运单：' + outbound + '。申请人签收后登记，订单办理完成。'
        : '申请人签收后登记，订单办理完成。',
      '登记签收', '确认申请人已签收证书介质？订单将办理完成。', 'delivered',
      function () { return '已登记签收，订单办理完成。'; }));
  }

  if (!blocks.length) {
    box.appendChild(el('p', 'muted', '订单当前状态为“' + (o.state_name || V.stateName(o.state)) + '”，' +
      S.name(S.ROLE_NAMES, S.me.role) + '岗位暂无需要办理的操作。'));
    return;
  }
  blocks.forEach(function (b) {
    if (b.classList && b.classList.contains('alert')) {
      var wrap = el('div', 'action-block');
      wrap.appendChild(b);
      box.appendChild(wrap);
    } else box.appendChild(b);
  });
}

// ---- the page --------------------------------------------------------------------------------------

function render(o) {
  renderHead(o);
  renderSummary(o);
  renderActions(o);
  renderMaterials(o);
  renderSteps(o);
  renderVerifications(o);
  renderPayments(o);
  renderWaybills(o);
  renderCerts(o);
  renderEvents(o);
}

function lookup(message) {
  var section = document.getElementById('lookup-section');
  var form = document.getElementById('lookup-form');
  var out = document.getElementById('lookup-result');
  section.hidden = false;
  if (no) form.elements.namedItem('no').value = no;
  if (message) dom.formError(form, out, { field: 'no', message: message });
  else form.elements.namedItem('no').focus();
}

function setup() {
  var back = null;
  try { back = sessionStorage.getItem('certhall.staff.queue'); } catch (e) { back = null; }
  if (back && /^staff\.html(\?[^#]*)?$/.test(back)) {
    document.getElementById('back-link').href = back;
    document.getElementById('queue-link').href = back;
  }
  setupViewer();
  var form = document.getElementById('lookup-form');
  form.addEventListener('submit', function (ev) {
    var v = form.elements.namedItem('no').value.replace(/\s+/g, '');
    form.elements.namedItem('no').value = v;
    if (!/^\d{18}$/.test(v)) {
      ev.preventDefault();
      dom.formError(form, document.getElementById('lookup-result'), { field: 'no', message: '订单号应为 18 位数字，请核对后重新输入。' });
    }
  });
  var toggle = document.getElementById('pii-toggle');
  toggle.addEventListener('click', function () {
    showPii = !showPii;
    toggle.textContent = showPii ? '隐藏个人信息' : '显示完整个人信息';
    toggle.setAttribute('aria-pressed', showPii ? 'true' : 'false');
    if (order) {
      renderSummary(order);
      renderSteps(order);
    }
  });
  document.getElementById('order-refresh').addEventListener('click', function () {
    S.notice(null);
    load();
  });
}

setup();
S.start(function () {
  no = new URLSearchParams(location.search).get('no');
  if (!no) return lookup(null);
  if (!/^\d{18}$/.test(no)) return lookup('订单号应为 18 位数字，请核对后重新输入。');
  load();
});
