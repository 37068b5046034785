/* certhall staff console, one order: what the order shows: the head with its claim, the summary,
 * the step data, verifications, payments, waybills, certificates and events. */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';
import { CERT_STATES, CHANGE_ITEMS, COURIER_STATES, FIELD_LABELS, PAY_TONES, PII_FIELDS, PIN_NAMES, QUEUE_NAMES, STEP_ORDER, STEP_TITLES, VERIFY_STATES, has, may, pair, pii, post, refundMoves, refundingPayments, showPii } from './staff-order-core.js';

// ---- the head: title, badges, claim ------------------------------------------------------------

export function renderHead(o) {
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

export function renderSummary(o) {
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

export function renderSteps(o) {
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

export function renderVerifications(o) {
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

export function renderPayments(o) {
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

export function renderWaybills(o) {
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

export function renderCerts(o) {
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

export function renderEvents(o) {
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
