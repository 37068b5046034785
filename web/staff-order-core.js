/* certhall staff console, one order (staff-order.html): what its panels share: the order as last
 * loaded and its number, the names of codes, loading, posting an action (a 409 reloads and says
 * so), the button that asks once more. */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';

export var NOTE_MAX = 200;

export var STEP_ORDER = ['agreements', 'enterprise', 'handler', 'applicant', 'financial', 'change', 'product'];
export var STEP_TITLES = {
  agreements: '阅读并同意协议', enterprise: '单位信息与企业认证', handler: '经办人信息与认证',
  applicant: '申请人信息', financial: '对公账户信息', change: '变更内容', product: '确认产品与邮寄信息'
};
// The steps a reviewer may send back for editing (fcgi-apps/review/decide.c edit_steps).
export var EDIT_STEPS = ['enterprise', 'handler', 'applicant', 'financial', 'change', 'product'];
// Field labels per step (fcgi-apps/wizard/step_fields.c).
export var FIELD_LABELS = {
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
export var PII_FIELDS = {
  id_number: 'id', lr_id_number: 'id', mobile: 'mobile', lr_mobile: 'mobile', mail_mobile: 'mobile',
  bank_card: 'number', lr_bank_card: 'number', account_no: 'number'
};
export var CHANGE_ITEMS = { name: '单位名称', address: '单位地址', seal: '电子印章', handler: '经办人' };
export var PIN_NAMES = {
  transfer_memo: '对公打款交易附言', sms_legal_rep: '短信发送至法定代表人', sms_handler: '短信发送至经办人',
  sms_applicant: '短信发送至申请人（证书持有人）'
};
export var MATERIAL_STATES = { pending: ['待审核', 'info'], accepted: ['已通过', 'ok'], rejected: ['已驳回', 'bad'] };
export var VERIFY_STATES = { pending: ['核验中', 'info'], passed: ['通过', 'ok'], failed: ['未通过', 'bad'] };
// The tone of a payment's state (its name is the vocabulary's).
export var PAY_TONES = {
  pending: 'info', awaiting_finance: 'warn', paid: 'ok', closed: 'muted', refunding: 'warn', refunded: 'muted'
};
export var CERT_STATES = { valid: ['有效', 'ok'], revoked: ['已吊销', 'bad'], expired: ['已过期', 'muted'] };
export var COURIER_STATES = {
  unknown: '暂无物流信息', collected: '已揽收', in_transit: '运输中', delivering: '派送中', delivered: '已签收'
};
export var QUEUE_NAMES = { review: '审核队列', finance: '财务队列', ship: '制证发货队列' };

export let no = null;          // the order number in the address
export let order = null;       // the order as last loaded
export let reasons = null;     // [{code, scope, text}] once loaded
export let showPii = false;
var loading = 0;

export function has(list, v) { return list.indexOf(v) >= 0; }
// Whether the order's actions list a (fcgi-apps/review/actions.c).
export function may(o, a) { return Array.isArray(o.actions) && has(o.actions, a); }
export function path(action) { return '/api/review/orders/' + encodeURIComponent(no) + '/' + action; }

export function pair(table, code) {
  var p = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : [dom.text(code), 'muted'];
  return dom.badge(p[0], p[1]);
}

export function canSeeScans() {
  return S.me && has(['reviewer', 'finance', 'admin'], S.me.role);
}

export function pii(kind, value) {
  if (showPii || value === undefined || value === null || value === '') return value;
  if (kind === 'mobile') return S.maskMobile(value);
  if (kind === 'id') return S.maskId(value);
  return S.maskNumber(value);
}

// What the page module draws with: {render(order), lookup(message)}.
let drawer = null;

export function setDrawer(v) {
  drawer = v;
}

export function setOrderNo(v) {
  no = v;
}

export function togglePii() {
  showPii = !showPii;
  return showPii;
}

// ---- loading -----------------------------------------------------------------------------------

export function load() {
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
        drawer.lookup(r.error.message || '未找到该订单，请核对订单号。');
        return;
      }
      S.notice(dom.errorAlert(r.error));
      return;
    }
    order = r.body;
    drawer.render(order);
    view.hidden = false;
  });
}

// A 409: someone else decided first, or the order moved on. Said loudly, then the order as it is.
export function conflict(err) {
  S.notice(dom.alert([err.message || '该订单的状态已经变化，您的操作未生效。',
    '订单已重新载入：下面显示的是最新状态，请核对后再操作。'], 'conflict'));
  return load();
}

/*
 * POST an action. On success: the notice says what happened and the order is reloaded. A 409
 * without a field is a conflict (above); any other error goes to the form's result area (out),
 * marking the field it names.
 */
export function post(button, action, payload, success, form, out) {
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
export function confirmButton(label, question, run, danger) {
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

export function latestMaterials(o) {
  return (o.materials || []).filter(function (m) { return m.latest; });
}

// Whether the order's state is one a refund moves on (refunding): finance also confirms
// payments, so "finance moves it" alone would say so of pending_payment too.
export function refundMoves(o) {
  return V.moves({ from: o.state, event: 'refunded' }).length > 0;
}

export function refundingPayments(o) {
  return (o.payments || []).filter(function (p) { return p.state === 'refunding'; });
}
