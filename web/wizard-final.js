/* certhall: apply.html, the wizard's last steps: the printable forms (server pages, opened in
 * a new tab), the materials (upload per kind and page with progress, thumbnails, the server's
 * limits and refusals), signing with an SMS code to the handler (or resubmitting a returned
 * order), and payment (a QR code polled until paid, or transfer / counter instructions). */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';
import { isDataStep } from './wizard-steps.js';


var PAY_POLL_MS = 3000;
var PAY_POLL_LIMIT = 300;

// A phone cannot scan its own screen: there the provider's H5 page is opened instead.
function onPhone() {
  return /Mobile|Android|iPhone/.test(navigator.userAgent) ||
    (window.matchMedia && window.matchMedia('(max-width: 640px)').matches);
}

function orderUrl(ctx, tail) {
  return '/api/wizard/orders/' + encodeURIComponent(ctx.no) + tail;
}

function navBar(ctx, step, nextLabel) {
  var bar = dom.el('div', 'actions');
  var prev = ctx.prev(step);
  if (prev) bar.appendChild(dom.button('上一步', 'btn-secondary', function () { ctx.go(prev); }));
  bar.appendChild(dom.button(nextLabel || '下一步', null, function () { ctx.go(ctx.next(step)); }));
  return bar;
}

// ---- printable forms ------------------------------------------------------------------------

export function formLinks(ctx) {
  var bar = dom.el('div', 'toolbar');
  bar.appendChild(dom.newTab('打开并打印《数字证书申请表》', orderUrl(ctx, '/forms/application'), 'btn'));
  if (ctx.order.kind !== 'person') {
    bar.appendChild(dom.newTab('打开并打印《法定代表人授权委托书》', orderUrl(ctx, '/forms/authorisation'),
      'btn btn-secondary'));
  }
  return bar;
}

export function formStep(ctx, pane) {
  pane.appendChild(dom.el('h2', null, '打印申请表'));
  pane.appendChild(dom.el('p', null, '申请表由系统按本订单填写的信息生成，印有订单号和防伪二维码，只对本订单有效。请打印后由经办人签字、加盖单位公章，扫描后在下一步上传。'));
  // The steps before this one (the form itself is done only once its scan is uploaded).
  var before = ctx.names().slice(0, ctx.names().indexOf('form'));
  if (before.some(function (s) { return isDataStep(s) && !ctx.done(s); })) {
    pane.appendChild(dom.alert('前面的填写步骤尚未全部完成，申请表中的部分信息可能为空；建议完成前面各步后再打印。', 'info'));
  }
  pane.appendChild(formLinks(ctx));
  pane.appendChild(dom.el('p', 'hint', '表格在新窗口中打开，请使用浏览器的打印功能（Ctrl+P）以 A4 纸打印。'));
  pane.appendChild(navBar(ctx, 'form'));
}

// ---- materials ------------------------------------------------------------------------------

var ACCEPT = { jpeg: 'image/jpeg,.jpg,.jpeg', png: 'image/png,.png', gif: 'image/gif,.gif',
  bmp: 'image/bmp,.bmp' };
var MATERIAL_STATES = { pending: ['待审核', 'progress'], accepted: ['审核通过', 'ok'],
  rejected: ['未通过', 'bad'], replaced: ['已替换', 'muted'] };

function size(bytes) {
  var n = Number(bytes);
  if (!isFinite(n) || n <= 0) return '';
  return n >= 1048576 ? (Math.round(n / 104857.6) / 10) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB';
}

// The card's head: the name, required or not, the hint, where to print our form, the limits.
function cardHead(ctx, m, card) {
  var head = dom.el('div', 'result-head');
  head.appendChild(dom.el('h3', null, m.name || m.kind));
  // An unlock approved by the hall's rule (003) asks for nothing.
  var required = m.required && !ctx.order.unlock_auto;
  head.appendChild(dom.badge(required ? '必传' : '选传', required ? 'warn' : 'muted'));
  card.appendChild(head);
  if (m.hint) card.appendChild(dom.el('p', 'hint', m.hint));
  // A printed form of ours (its QR is read back at upload): where to print it.
  if (m.form === 'seal') {
    var print = dom.el('p', 'toolbar');
    print.appendChild(dom.newTab('打开并打印《' + (m.name || '采样表') + '》', orderUrl(ctx, '/forms/seal'),
      'btn btn-small btn-secondary'));
    card.appendChild(print);
  }
  var lim = m.limits || {};
  var formats = String(lim.formats || '').split(',').filter(Boolean);
  card.appendChild(dom.el('p', 'hint', '格式：' + (formats.join('、') || '图片') +
    (lim.max_bytes ? '；单个文件不超过 ' + size(lim.max_bytes) : '') + '。'));
  return formats;
}

// The thumbnail's height at most (app.css .thumb img).
var THUMB_HEIGHT = 180;

// One page's latest upload: its thumbnail, state, version, the reviewer's reason, the checks.
function pageFigure(m, latest, pageWords, body) {
  var fig = dom.el('figure', 'thumb');
  if (typeof latest.thumb_url === 'string' && latest.thumb_url.indexOf('/api/upload/materials/') === 0) {
    fig.appendChild(dom.thumbImg(latest.thumb_url, (m.name || m.kind) + pageWords + '（第 ' +
      latest.version + ' 版）缩略图', latest.width, latest.height, THUMB_HEIGHT));
  }
  var cap = dom.el('figcaption');
  var st = MATERIAL_STATES[latest.state] || [latest.state, 'muted'];
  cap.appendChild(dom.badge(st[0], st[1]));
  cap.appendChild(dom.el('span', 'muted', ' 第 ' + latest.version + ' 版' +
    (latest.width ? ' · ' + latest.width + '×' + latest.height : '')));
  if (typeof latest.image_url === 'string' && latest.image_url.indexOf('/api/upload/materials/') === 0) {
    cap.appendChild(document.createTextNode(' '));
    cap.appendChild(dom.newTab('查看原图', latest.image_url));
  }
  fig.appendChild(cap);
  body.appendChild(fig);
  if (latest.state === 'rejected' && latest.reject_reason) {
    body.appendChild(dom.alert('审核意见：' + latest.reject_reason));
  }
  // The upload's scan checks: the form's QR read back, a seal not found (a warning only).
  if (latest.qr === 'verified') body.appendChild(dom.el('p', 'muted', '✓ 二维码已核验：表格与本订单绑定。'));
  if (latest.seal === 'missing') {
    body.appendChild(dom.alert(latest.warning || '未在扫描件中识别到红色公章印迹：请确认已加盖单位公章且印迹清晰。'));
  }
}

function materialUrl(ctx, m, page) {
  return '/api/upload/orders/' + encodeURIComponent(ctx.no) + '/materials/' + encodeURIComponent(m.kind) +
    (page > 1 ? '?page=' + page : '');
}

// The upload form of one page: a file chosen is sent at once, with progress; done(got) after.
function uploadForm(ctx, m, page, labelText, formats, done) {
  var lim = m.limits || {};
  var form = dom.el('form', 'form upload-form');
  form.noValidate = true;
  var box = dom.el('div', 'field field-wide');
  box.setAttribute('data-field', 'file');
  var id = 'file-' + m.kind + (page > 1 ? '-p' + page : '');
  var label = dom.el('label', null, labelText);
  label.htmlFor = id;
  box.appendChild(label);
  var input = document.createElement('input');
  input.type = 'file';
  input.id = id;
  input.name = 'file';
  input.setAttribute('data-kind', m.kind);
  input.setAttribute('data-page', String(page));
  input.accept = formats.map(function (f) { return ACCEPT[f] || ''; }).filter(Boolean).join(',');
  box.appendChild(input);
  var progress = document.createElement('progress');
  progress.max = 100;
  progress.value = 0;
  progress.hidden = true;
  box.appendChild(progress);
  form.appendChild(box);
  form.appendChild(dom.el('div', 'form-result'));

  input.addEventListener('change', function () {
    dom.clearErrors(form);
    var file = input.files && input.files[0];
    if (!file) return;
    if (lim.max_bytes && file.size > Number(lim.max_bytes)) {
      dom.showError(form, { field: 'file', message: '文件过大：' + (m.name || '') + '最大 ' +
        size(lim.max_bytes) + '，请压缩图片或将扫描分辨率调整为 300 dpi 后重新上传。' });
      input.value = '';
      return;
    }
    input.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    api.upload(materialUrl(ctx, m, page), file, function (loaded, total) {
      progress.value = Math.round(loaded * 100 / total);
    }).then(function (r) {
      input.disabled = false;
      progress.hidden = true;
      input.value = '';
      if (!r.ok) {
        // The refusals name "file", "material" or "page"; all belong to this card.
        dom.showError(form, { field: 'file', message: r.error.message,
          status: r.error.status, request_id: r.error.request_id });
        return;
      }
      done(r.body.material || {});
    });
  });
  return form;
}

// The pages a material has now (page 1 first): before pages the list gave only "latest".
function currentPages(m) {
  if (Array.isArray(m.uploads)) return m.uploads;
  return m.latest ? [Object.assign({ page: 1 }, m.latest)] : [];
}

// A page just uploaded, in the card's data.
function takePage(m, got) {
  var page = Number(got.page) || 1;
  var up = {
    page: page, id: String(got.id), version: String(got.version), state: got.state,
    width: got.width, height: got.height, bytes: got.bytes,
    image_url: got.image_url, thumb_url: got.thumb_url,
    qr: (got.checks || {}).qr, seal: (got.checks || {}).seal, warning: (got.checks || {}).warning
  };
  m.uploads = currentPages(m).filter(function (p) { return Number(p.page) !== page; }).concat([up]);
  m.uploads.sort(function (a, b) { return Number(a.page) - Number(b.page); });
  if (page === 1) m.latest = up;
}

// What page n of a material is called: the server's name of it ("背面（国徽面）"), else 第 n 页.
function pageName(m, n) {
  var names = Array.isArray(m.page_names) ? m.page_names : [];
  return typeof names[n - 1] === 'string' && names[n - 1] ? names[n - 1] : '第 ' + n + ' 页';
}

function pageOf(m, n) {
  return currentPages(m).filter(function (p) { return Number(p.page) === n; })[0] || null;
}

// A material's card: one box per page the hall takes of it (the server's "pages"), each with
// its own scan, upload and withdrawal; redrawn whole after either.
function materialCard(ctx, m, editable, onUploaded) {
  var most = Math.max(1, Number(m.pages) || 1);
  var card = dom.el('article', 'material' + (most > 1 ? ' material-multi' : ''));
  card.setAttribute('data-kind', m.kind);
  var formats = cardHead(ctx, m, card);
  // One accepted page settles the material: the server takes no new page of it.
  var locked = currentPages(m).some(function (p) { return p.state === 'accepted'; });
  function redraw(note) {
    var fresh = materialCard(ctx, m, editable, onUploaded);
    card.parentNode.replaceChild(fresh, card);
    if (note) fresh.appendChild(dom.alert(note, 'ok'));
    onUploaded();
  }
  var body = dom.el('div', most > 1 ? 'material-pages' : 'material-body');
  card.appendChild(body);
  for (var n = 1; n <= most; n++) {
    body.appendChild(pageBox(ctx, m, { n: n, multi: most > 1, open: editable && !locked, formats: formats },
      redraw));
  }
  if (locked) card.appendChild(dom.el('p', 'muted', '该材料已审核通过，不能再更换。'));
  return card;
}

// One page's box (pg: {n, multi, open, formats}): its latest scan or none yet, and while the
// material takes new pages, its upload and the withdrawal of what stands. Pages past the first
// are optional: the server counts a material complete with its page 1.
function pageBox(ctx, m, pg, redraw) {
  var box = dom.el(pg.multi ? 'section' : 'div', pg.multi ? 'material-page' : 'material-body');
  var name = pg.multi ? pageName(m, pg.n) : '';
  if (pg.multi) {
    box.setAttribute('data-page', String(pg.n));
    box.appendChild(dom.el('h4', 'page-title', name));
  }
  var up = pageOf(m, pg.n);
  if (up) pageFigure(m, up, name, box);
  else box.appendChild(dom.el('p', 'muted', pg.n > 1 ? '尚未上传（选传）。' : '尚未上传。'));
  if (!pg.open) return box;
  box.appendChild(uploadForm(ctx, m, pg.n, (up ? '重新上传' : '选择扫描件') + (name ? '：' + name : ''),
    pg.formats, function (got) {
      takePage(m, got);
      redraw('已上传：' + (got.name || m.name) + name + '（第 ' + got.version + ' 版）。');
    }));
  if (up && (up.state === 'pending' || up.state === 'rejected')) {
    box.appendChild(withdrawButton(ctx, m, pg.n, name, redraw));
  }
  return box;
}

// The page's pending or rejected scan withdrawn (DELETE keeps it, marked replaced).
function withdrawButton(ctx, m, page, name, redraw) {
  var bar = dom.el('div', 'toolbar');
  var b = dom.button('撤回' + (name || '此扫描件'), 'btn-secondary btn-small', function () {
    dom.busy(b, '撤回中…', function () {
      return api.request('DELETE', materialUrl(ctx, m, page));
    }).then(function (r) {
      if (!r) return;
      if (!r.ok) {
        bar.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
        return;
      }
      m.uploads = currentPages(m).filter(function (p) { return Number(p.page) !== page; });
      if (page === 1) m.latest = null;
      redraw('已撤回：' + (m.name || m.kind) + name + '。');
    });
  });
  // Two cards have a 正面 each: the name says whose (it starts with what the button shows).
  b.setAttribute('aria-label', b.textContent + '（' + (m.name || m.kind) + '）');
  bar.appendChild(b);
  return bar;
}

function missingNote(ctx, box) {
  dom.clear(box);
  var missing = Array.isArray(ctx.order.materials_missing) ? ctx.order.materials_missing : [];
  if (missing.length) {
    box.appendChild(dom.alert('还需上传：' + missing.map(function (x) { return x.name; }).join('、') + '。', 'info'));
  } else {
    box.appendChild(dom.alert('必需的材料已全部上传。', 'ok'));
  }
}

export function materialsStep(ctx, pane) {
  pane.appendChild(dom.el('h2', null, '上传材料'));
  pane.appendChild(dom.el('p', null, '请上传清晰、真实的扫描件或照片，不得修改或拼接。此前步骤中已上传的材料会显示在这里，无需重复上传。'));
  var status = dom.el('div');
  var list = dom.el('div', 'materials');
  pane.appendChild(status);
  pane.appendChild(list);
  list.appendChild(dom.el('p', 'muted', '正在读取材料清单…'));
  var note = dom.el('div');
  pane.appendChild(note);
  pane.appendChild(navBar(ctx, 'materials'));
  return api.request('GET', '/api/upload/orders/' + encodeURIComponent(ctx.no) + '/materials').then(function (r) {
    dom.clear(list);
    if (!r.ok) {
      list.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    if (!r.body.editable) {
      status.appendChild(dom.alert('订单已提交审核，材料不能再修改。', 'info'));
    }
    if (ctx.order.unlock_auto) {
      status.appendChild(dom.alert('经办人信息与上笔业务的经办人信息相符，本次解锁自动审核，无需上传材料。', 'info'));
    }
    var mats = Array.isArray(r.body.materials) ? r.body.materials : [];
    if (!mats.length) list.appendChild(dom.el('p', 'muted', '本业务无需上传材料。'));
    mats.forEach(function (m) {
      /* Each kind says whether it takes a new version (a returned order: only what was sent back). */
      var open = r.body.editable && m.editable !== false;
      list.appendChild(materialCard(ctx, m, open, function () {
        ctx.reload().then(function () { missingNote(ctx, note); });
      }));
    });
    missingNote(ctx, note);
  });
}

// ---- signing ----------------------------------------------------------------------------------

// What blocks signing (409 step_incomplete, materials_missing, not_verified, fee_unknown):
// the message and a way to the step that needs doing.
export function blocker(ctx, err) {
  var d = err.detail || {};
  var to = null;
  if (err.code === 'step_incomplete') to = d.step || err.field;
  else if (err.code === 'materials_missing') to = 'materials';
  else if (err.code === 'not_verified') to = ctx.verifyStep(err.field === 'enterprise' ? 'enterprise' : 'handler');
  else if (err.code === 'fee_unknown') to = 'product';
  var box = dom.alert(err.message, 'bad', err.status >= 500 ? err.request_id : null);
  if (to && ctx.has(to)) {
    var name = (ctx.step(to) || {}).name || to;
    box.appendChild(dom.button('前往“' + name + '”', 'btn-small', function () { ctx.go(to); }));
  }
  return box;
}

export function signStep(ctx, pane) {
  var o = ctx.order;
  var again = o.state === 'returned';
  pane.appendChild(dom.el('h2', null, again ? '重新提交申请' : '证书申请签名'));
  if (o.state !== 'draft' && !again) {
    pane.appendChild(dom.alert(o.signed_at ? '申请已于 ' + dom.when(o.signed_at) + ' 签署提交。'
      : (o.state === 'verify_failed' ? '身份核验未通过：请修改信息后重新核验，或改为线下邮寄办理，再签署提交。'
        : '订单当前状态不能签署。'), o.signed_at ? 'ok' : 'info'));
    pane.appendChild(navBar(ctx, 'sign'));
    return;
  }
  pane.appendChild(dom.el('p', null, again
    ? '请确认已按审核意见修改完毕。获取短信验证码（发送至经办人手机），输入后即重新提交申请。'
    : '请确认前面各步填写的信息真实、准确。获取短信验证码（发送至经办人手机），输入验证码即完成签署并提交申请。'));
  var todo = ctx.order.steps.filter(function (s) {
    return !s.done && s.step !== 'sign' && s.step !== 'pay';
  });
  if (todo.length) {
    var warn = dom.alert('以下步骤尚未完成：' + todo.map(function (s) { return s.name; }).join('、') + '。', 'info');
    warn.appendChild(dom.button('前往“' + todo[0].name + '”', 'btn-small', function () { ctx.go(todo[0].step); }));
    pane.appendChild(warn);
  }
  var form = dom.el('form', 'form');
  form.noValidate = true;
  var codeBox = P.field({ name: 'code', label: '短信验证码', max: 6, mono: true, inputmode: 'numeric',
    short: true, autocomplete: 'one-time-code', idPrefix: 'sign-' });
  var send = dom.button('获取验证码', 'btn-secondary');
  var input = codeBox.querySelector('input');
  var row = dom.el('div', 'input-row');
  codeBox.insertBefore(row, input);
  row.appendChild(input);
  row.appendChild(send);
  form.appendChild(codeBox);
  var result = dom.el('div', 'form-result');
  var actions = dom.el('div', 'actions');
  var prev = ctx.prev('sign');
  if (prev) actions.appendChild(dom.button('上一步', 'btn-secondary', function () { ctx.go(prev); }));
  var submit = dom.el('button', null, again ? '重新提交' : '签署并提交');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  form.appendChild(result);
  pane.appendChild(form);
  dom.liveClear(form);

  P.codeButton(send, function () {
    dom.clearErrors(form);
    return api.request('POST', orderUrl(ctx, '/sign/code'), {});
  }, 60, function (r) {
    dom.clear(result);
    if (r.ok) result.appendChild(dom.alert(r.body.message || '验证码已发送。', 'info'));
    else result.appendChild(blocker(ctx, r.error));
  });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var code = P.value(form, 'code');
    if (!/^\d{6}$/.test(code)) {
      dom.showError(form, { field: 'code', message: '请输入经办人手机收到的 6 位短信验证码。' });
      return;
    }
    dom.busy(submit, '提交中…', function () {
      return api.request('POST', orderUrl(ctx, again ? '/resubmit' : '/sign'), { code: code });
    }).then(function (r) {
      if (!r) return;
      if (!r.ok) {
        if (r.error.field === 'code') dom.showError(form, r.error);
        else {
          dom.clear(result);
          result.appendChild(blocker(ctx, r.error));
        }
        return;
      }
      dom.clear(pane);
      pane.appendChild(dom.el('h2', null, again ? '已重新提交' : '申请已提交'));
      pane.appendChild(dom.alert('订单状态：' + (r.body.state_name || r.body.state) + '。', 'ok'));
      if (r.body.pin_delivery_text) pane.appendChild(dom.el('p', 'note-info', r.body.pin_delivery_text));
      ctx.reload().then(function () {
        var bar = dom.el('div', 'actions');
        bar.appendChild(dom.button(ctx.order.state === 'pending_payment' ? '去支付' : '查看订单状态', null,
          function () { ctx.go(ctx.order.state === 'pending_payment' && ctx.has('pay') ? 'pay' : 'status'); }));
        pane.appendChild(bar);
      });
    });
  });
}

// ---- payment ----------------------------------------------------------------------------------

function payMethodName(list, code) {
  for (var i = 0; i < list.length; i++) if (list[i].method === code) return list[i].name;
  return code;
}

function instructions(p) {
  if (p.transfer) {
    var t = p.transfer;
    var box = dom.el('div', 'pay-info');
    box.appendChild(dom.el('h3', null, '对公转账信息'));
    box.appendChild(dom.details([
      ['收款单位', t.payee], ['开户银行', t.bank], ['收款账号', t.account, 'mono'],
      ['转账金额', '¥' + dom.text(p.amount), 'strong'], ['转账备注', t.memo, 'mono strong']
    ]));
    if (t.note) box.appendChild(dom.el('p', 'note-info', t.note));
    return box;
  }
  if (p.counter) {
    var c = p.counter;
    var cb = dom.el('div', 'pay-info');
    cb.appendChild(dom.el('h3', null, '现场缴费'));
    cb.appendChild(dom.details([
      ['收款单位', c.payee], ['缴费地点', c.address], ['办公时间', c.hours], ['咨询电话', c.phone],
      ['缴费金额', '¥' + dom.text(p.amount), 'strong']
    ]));
    if (c.note) cb.appendChild(dom.el('p', 'note-info', c.note));
    return cb;
  }
  return null;
}

export function payStep(ctx, pane) {
  pane.appendChild(dom.el('h2', null, '支付订单'));
  var body = dom.el('div');
  pane.appendChild(body);
  return loadPay({ ctx: ctx, body: body, token: ctx.token(), polls: 0 });
}

// ---- the payment step's parts: STEP is {ctx, body (the step's box), token (the page's when
// the step was drawn: a later page ignores the answers), polls} --------------------------------

function payAlive(step) {
  return step.ctx.token() === step.token;
}

function paidView(step, st) {
  dom.clear(step.body);
  step.body.appendChild(dom.alert('支付成功，订单状态：' + dom.text(st.order.state_name || st.order.state) + '。', 'ok'));
  if (st.order.pin_delivery_text) step.body.appendChild(dom.el('p', 'note-info', st.order.pin_delivery_text));
  var bar = dom.el('div', 'actions');
  bar.appendChild(dom.button('查看订单状态', null, function () { step.ctx.go('status'); }));
  step.body.appendChild(bar);
  step.ctx.reload();
}

function pollPay(step) {
  if (!payAlive(step)) return;
  if (++step.polls > PAY_POLL_LIMIT) {
    step.body.appendChild(dom.button('刷新支付结果', 'btn-secondary', function () {
      step.polls = 0;
      loadPay(step);
    }));
    return;
  }
  step.ctx.after(function () {
    api.request('GET', orderUrl(step.ctx, '/pay')).then(function (r) {
      if (!payAlive(step)) return;
      if (!r.ok) {
        pollPay(step);
        return;
      }
      var st = r.body;
      if (st.order && st.order.state !== 'pending_payment') {
        paidView(step, st);
        return;
      }
      var open = (st.payments || []).filter(function (p) { return p.state === 'pending'; });
      if (open.length) pollPay(step);
      else drawPay(step, st, '该笔扫码支付已关闭，请重新选择支付方式。');
    });
  }, PAY_POLL_MS);
}

function showPayment(step, slot, p, methods) {
  dom.clear(slot);
  if (p.state === 'pending' && p.qr_svg) {
    var name = payMethodName(methods, p.method);
    if (p.h5_url) {
      var h5 = dom.el('div', 'h5-pay');
      h5.appendChild(dom.el('p', null, '请点击下方按钮，在' + name + '中支付 ¥' + dom.text(p.amount) + '，完成后返回本页。'));
      h5.appendChild(dom.link('打开' + name + '付款', p.h5_url, 'btn h5-pay-link'));
      slot.appendChild(h5);
    } else if (onPhone()) {
      // Opened on a computer first: this phone gets its own H5 payment instead.
      slot.appendChild(dom.button('在本手机上用' + name + '付款', 'btn-secondary', function () {
        startPay(step, slot, p.method, methods);
      }));
    }
    var svg = dom.svg(p.qr_svg);
    var fig = dom.el('figure', 'qr-box');
    if (svg) fig.appendChild(svg);
    else fig.appendChild(dom.el('p', 'muted', '二维码无法显示，请刷新页面或改用其他支付方式。'));
    fig.appendChild(dom.el('figcaption', null, (p.h5_url ? '或用另一台手机的' : '请使用') + name +
      '扫描二维码，支付 ¥' + dom.text(p.amount)));
    slot.appendChild(fig);
    slot.appendChild(dom.el('p', 'muted mono', '支付流水号：' + dom.text(p.pay_no)));
    var wait = dom.el('p', 'waiting', '支付完成后本页将自动更新…');
    wait.setAttribute('role', 'status');
    slot.appendChild(wait);
    step.polls = 0;
    pollPay(step);
    return;
  }
  var info = instructions(p);
  if (info) slot.appendChild(info);
  if (p.state === 'awaiting_finance') {
    slot.appendChild(dom.el('p', 'muted', '财务确认到账后订单自动进入下一步，结果将以短信通知。'));
    slot.appendChild(dom.button('刷新状态', 'btn-secondary', function () { loadPay(step); }));
  }
}

// This phone's own H5 payment of the method whose QR was made elsewhere.
function startPay(step, slot, method, methods) {
  step.ctx.stopTimers();
  api.request('POST', orderUrl(step.ctx, '/pay'), { method: method, scene: 'h5' }).then(function (r) {
    if (!payAlive(step)) return;
    if (!r.ok) {
      slot.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    showPayment(step, slot, r.body, methods);
  });
}

function drawPay(step, st, message) {
  dom.clear(step.body);
  var o = st.order || {};
  var payments = Array.isArray(st.payments) ? st.payments : [];
  var methods = Array.isArray(st.pay_methods) ? st.pay_methods : [];
  if (message) step.body.appendChild(dom.alert(message, 'info'));
  if (o.state !== 'pending_payment') {
    notPayable(step, o, payments);
    return;
  }
  step.body.appendChild(dom.details([
    ['订单号', step.ctx.no, 'mono'],
    ['应付金额', '¥' + dom.text(o.amount), 'strong'],
    ['证书 PIN 码', o.pin_delivery_text, null, true]
  ]));
  var form = dom.el('form', 'form');
  form.noValidate = true;
  var open = payments.filter(function (p) {
    return p.state === 'pending' || p.state === 'awaiting_finance';
  })[0];
  form.appendChild(P.field({ name: 'method', label: '支付方式', type: 'radios', wide: true,
    value: open ? open.method : (o.pay_method || ''),
    options: methods.map(function (m) { return [m.method, m.name]; }) }));
  var actions = dom.el('div', 'actions');
  var go = dom.el('button', null, open ? '更换支付方式' : '确认支付方式');
  go.type = 'submit';
  actions.appendChild(go);
  form.appendChild(actions);
  form.appendChild(dom.el('div', 'form-result'));
  step.body.appendChild(form);
  var slot = dom.el('div', 'pay-slot');
  step.body.appendChild(slot);
  if (open) showPayment(step, slot, open, methods);
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var method = P.value(form, 'method');
    if (!method) {
      dom.showError(form, { field: 'method', message: '请选择支付方式。' });
      return;
    }
    step.ctx.stopTimers();
    dom.busy(go, '请稍候…', function () {
      return api.request('POST', orderUrl(step.ctx, '/pay'), { method: method, scene: onPhone() ? 'h5' : 'qr' });
    }).then(function (r) {
      if (!r || !payAlive(step)) return;
      if (!r.ok) {
        dom.showError(form, r.error);
        if (open && open.state === 'pending') pollPay(step);
        return;
      }
      open = r.body;
      go.textContent = '更换支付方式';
      showPayment(step, slot, r.body, methods);
      if (r.body.pin_delivery_text) step.ctx.reload();
    });
  });
}

// Not awaiting payment: paid, free, or not yet (or no longer) to be paid.
function notPayable(step, o, payments) {
  var paid = payments.filter(function (p) { return p.state === 'paid'; })[0];
  if (paid) {
    step.body.appendChild(dom.alert('已支付 ¥' + dom.text(paid.amount) + '（' + dom.text(paid.method_name) +
      '，' + dom.when(paid.paid_at) + '）。', 'ok'));
  } else if (step.ctx.order.amount_fen === 0) {
    step.body.appendChild(dom.el('p', null, '本业务免费，无需支付。'));
  } else {
    step.body.appendChild(dom.alert(o.state === 'draft' || o.state === 'returned' || o.state === 'verify_failed'
      ? '请先完成签署提交，提交后即可支付。' : '订单当前状态为“' + dom.text(o.state_name) + '”，无需支付。', 'info'));
  }
  step.body.appendChild(navBar(step.ctx, 'pay', '查看订单状态'));
}

function loadPay(step) {
  dom.clear(step.body);
  step.body.appendChild(dom.el('p', 'muted', '正在读取支付信息…'));
  return api.request('GET', orderUrl(step.ctx, '/pay')).then(function (r) {
    if (!payAlive(step)) return;
    if (!r.ok) {
      dom.clear(step.body).appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    drawPay(step, r.body);
  });
}
