/* certhall staff console, one order: each role's stage actions (paper received, inspection,
 * shipping, finance, the key made) and the actions panel that offers what the order's
 * `actions` list. */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';
import { confirmButton, load, may, path, post, reasons, refundMoves, refundingPayments } from './staff-order-core.js';
import { actionBlock, decisionForm, forgetDecisionHint } from './staff-order-decision.js';

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

export function renderActions(o) {
  var box = document.getElementById('actions');
  dom.clear(box);
  forgetDecisionHint();
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
