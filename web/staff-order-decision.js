/* certhall staff console, one order: the reviewer's decision on the order: no default choice;
 * approval disabled while a material stands rejected; a return names what goes back. */
import * as dom from './dom.js';
import { el } from './dom.js';
import V from './vocab.js';
import { EDIT_STEPS, STEP_TITLES, latestMaterials, may, order, post } from './staff-order-core.js';
import { checkNote, noteField, reasonSelect } from './staff-order-materials.js';

// ---- actions ------------------------------------------------------------------------------------

var decisionHint = null;   // the live hint of the decision form (rejected materials)

// The actions are drawn again: no decision form until decisionForm makes one.
export function forgetDecisionHint() {
  decisionHint = null;
}

function rejectedNames(o) {
  return latestMaterials(o).filter(function (m) { return m.state === 'rejected'; }).map(function (m) { return m.name; });
}

export function updateDecisionHint() {
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

export function actionBlock(title, lead) {
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

export function decisionForm(o) {
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

  var feeField = needsFee ? form.appendChild(feeInput()) : null;
  var reasonField = form.appendChild(reasonInput());
  var stepsField = form.appendChild(stepsInput(o));
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
    var payload = decisionPayload(o, d, form, out, needsFee);
    if (!payload) return;
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

// The fee a pre-review sets, where the hall prices the business at its review.
function feeInput() {
  var feeField = el('div', 'field');
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
  return feeField;
}

// The reason a return or a rejection names (the hall's list).
function reasonInput() {
  var reasonField = el('div', 'field');
  var rl = el('label', null, '原因');
  rl.htmlFor = 'd-reason';
  reasonField.appendChild(rl);
  reasonField.appendChild(reasonSelect('reason_code', ['order', 'material', 'any'], 'd-reason'));
  reasonField.appendChild(el('p', 'hint', '原因和说明会通过短信告知申请人。'));
  return reasonField;
}

// The steps a return sends back for editing.
function stepsInput(o) {
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
  return stepsField;
}

// The decision as the form says, or null with the fault shown (what the server checks too).
function decisionPayload(o, d, form, out, needsFee) {
  var payload = { version: o.version, decision: d };
  var note = form.elements.namedItem('note').value.trim();
  var bad = checkNote(note);
  if (bad) return refuse(form, out, { field: 'note', message: bad });
  if (note) payload.note = note;
  if (d === 'approve') {
    var rejected = rejectedNames(order);
    if (rejected.length) {
      return refuse(form, out, { message: '以下材料已被驳回：' + rejected.join('、') + '。请退回申请人补正，或先将这些材料改为通过。' });
    }
    if (needsFee) {
      var amount = form.elements.namedItem('amount').value.trim();
      if (!amount) return refuse(form, out, { field: 'amount', message: '请填写认证机构确认的费用（元）。' });
      if (!/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/.test(amount)) {
        return refuse(form, out, { field: 'amount', message: '费用应为以元为单位的金额，如 260 或 260.00。' });
      }
      payload.amount = amount;
    }
  } else {
    var code = form.elements.namedItem('reason_code').value;
    if (!code) return refuse(form, out, { field: 'reason_code', message: '请选择退回或驳回的原因。' });
    payload.reason_code = code;
  }
  if (d === 'return') {
    var steps = Array.prototype.filter.call(form.querySelectorAll('input[name="steps"]'), function (i) {
      return i.checked;
    }).map(function (i) { return i.value; });
    if (!steps.length && !rejectedNames(order).length) {
      return refuse(form, out, { field: 'steps', message: '退回补正时，请至少驳回一项材料，或勾选需要申请人修改的信息。' });
    }
    if (steps.length) payload.steps = steps;
  }
  return payload;
}

function refuse(form, out, err) {
  dom.formError(form, out, err);
  return null;
}
