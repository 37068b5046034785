/* certhall: apply.html, identity verification under a saved step (enterprise, financial for
 * the transfer method, handler): start a check of the saved data, and its outcomes: passed;
 * pending face check (the server's QR code and link, polled); pending transfer (the 6-digit
 * memo off the bank statement); failed (edit, or switch to mail-in when offered). */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';


var POLL_MS = 3000;
var POLL_LIMIT = 200; // ten minutes of polling, then a button asks again
var FACE = { lr_face: true, face: true };
var NAMES = { enterprise: '企业认证', handler: '经办人身份核验' };

function url(ctx, subject, tail) {
  return '/api/wizard/orders/' + encodeURIComponent(ctx.no) + '/verify/' + subject + (tail || '');
}

// The saved method of the subject's step, read from the form above the panel.
function method(form) {
  return form ? P.value(form, 'method') : '';
}

/*
 * The panel. FORM is the step's form (a failed check's "edit" goes back to it; an error
 * naming one of its fields is shown there). EDITABLE: the step may still change.
 * SAVED_METHOD: the method saved with the step (the check runs on saved data).
 */
export function verifyPanel(ctx, subject, box, form, editable, savedMethod) {
  load({ ctx: ctx, subject: subject, box: box, form: form, editable: editable,
    savedMethod: savedMethod, token: ctx.token(), polls: 0 });
}

// ---- the panel's parts: PANEL is {ctx, subject, box, form, editable, savedMethod, token (the
// page's when the panel was drawn: a later page ignores the answers), polls} --------------------


function alive(panel) {
  return panel.ctx.token() === panel.token;
}

function head(panel, title) {
  dom.clear(panel.box);
  panel.box.appendChild(dom.el('h3', null, title || NAMES[panel.subject]));
}

function fault(panel, err) {
  // A missing or malformed element of this step: beside its field; of another step: a way
  // there.
  var d = err.detail || {};
  var el = d.element || err.field;
  if (d.step && d.step !== panel.ctx.current() && panel.ctx.has(d.step)) {
    var a = dom.alert(err.message);
    a.appendChild(dom.button('前往修改', 'btn-small', function () { panel.ctx.go(d.step); }));
    panel.box.appendChild(a);
    return;
  }
  if (panel.form && el && panel.form.querySelector('[data-field="' + el + '"]')) {
    dom.showError(panel.form, { field: el, message: err.message });
    panel.box.appendChild(dom.alert(err.message));
    return;
  }
  panel.box.appendChild(dom.alert(err.message, 'bad', err.status >= 500 ? err.request_id : null));
}

function startButtons(panel, label) {
  if (!panel.editable) {
    panel.box.appendChild(dom.el('p', 'muted', '订单当前状态不能发起核验。'));
    return;
  }
  var bar = dom.el('div', 'actions');
  var m = panel.savedMethod || method(panel.form);
  if (FACE[m]) {
    bar.appendChild(dom.button('现场扫码刷脸', null, function (ev) {
      start(panel, ev.currentTarget, 'qr');
    }));
    bar.appendChild(dom.button('发送刷脸链接到手机', 'btn-secondary', function (ev) {
      start(panel, ev.currentTarget, 'sms');
    }));
  } else {
    bar.appendChild(dom.button(label || '开始核验', null, function (ev) {
      start(panel, ev.currentTarget, null);
    }));
  }
  panel.box.appendChild(bar);
}

function start(panel, button, via) {
  dom.busy(button, '正在核验…', function () {
    return api.request('POST', url(panel.ctx, panel.subject), via ? { via: via } : undefined);
  }).then(function (r) {
    if (!r || !alive(panel)) return;
    if (!r.ok) {
      var old = panel.box.querySelector('.alert');
      if (old) old.parentNode.removeChild(old);
      fault(panel, r.error);
      return;
    }
    after(panel, r.body);
  });
}

// The order's state may have moved (draft <-> verify_failed): the header follows.
function after(panel, answer) {
  var moved = answer.order_state && answer.order_state !== panel.ctx.order.state;
  var v = answer.verification;
  render(panel, answer);
  if (moved || (v && v.state !== 'pending')) panel.ctx.reload();
}

function poll(panel) {
  if (!alive(panel)) return;
  panel.polls++;
  if (panel.polls > POLL_LIMIT) {
    panel.box.appendChild(dom.button('刷新核验结果', 'btn-secondary', function () {
      panel.polls = 0;
      load(panel);
    }));
    return;
  }
  panel.ctx.after(function () {
    api.request('GET', url(panel.ctx, panel.subject)).then(function (r) {
      if (!alive(panel)) return;
      if (!r.ok) {
        poll(panel); // a passing gateway hiccup: ask again
        return;
      }
      var v = r.body.verification;
      if (v && v.state === 'pending') poll(panel);
      else after(panel, r.body);
    });
  }, POLL_MS);
}

function passed(panel, v) {
  head(panel);
  var ok = dom.alert('核验通过' + (v.method_name ? '（' + v.method_name + '）' : '') + '。', 'ok');
  panel.box.appendChild(ok);
  var bar = dom.el('div', 'actions');
  bar.appendChild(dom.button('下一步', null, function () { panel.ctx.go(panel.ctx.next(panel.ctx.current())); }));
  panel.box.appendChild(bar);
}

function memoForm(panel, v) {
  var f = dom.el('form', 'form form-inline');
  f.noValidate = true;
  f.appendChild(P.field({ name: 'memo', label: '打款备注中的 6 位数字', max: 6, mono: true,
    inputmode: 'numeric', short: true, idPrefix: 'verify-',
    hint: typeof v.tries_left === 'number' ? '还可以填写 ' + v.tries_left + ' 次。' : null }));
  var actions = dom.el('div', 'actions');
  var b = dom.el('button', null, '提交备注码');
  b.type = 'submit';
  actions.appendChild(b);
  f.appendChild(actions);
  f.appendChild(dom.el('div', 'form-result'));
  dom.liveClear(f);
  f.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(f);
    var memo = P.value(f, 'memo');
    if (!/^\d{6}$/.test(memo)) {
      dom.showError(f, { field: 'memo', message: '请填写对公账户入账备注中的 6 位数字备注码。' });
      return;
    }
    dom.busy(b, '提交中…', function () {
      return api.request('POST', url(panel.ctx, panel.subject, '/confirm'), { memo: memo });
    }).then(function (r) {
      if (!r || !alive(panel)) return;
      if (r.ok) {
        after(panel, r.body);
        return;
      }
      dom.showError(f, r.error);
      var d = r.error.detail || {};
      var hint = f.querySelector('.hint');
      if (hint && typeof d.tries_left === 'number') hint.textContent = '还可以填写 ' + d.tries_left + ' 次。';
      if (d.tries_left === 0) {
        // The check failed for good: the offers come with the error.
        panel.ctx.reload().then(function () {
          failed(panel, { state: 'failed', message: r.error.message }, d.offers || ['edit']);
        });
      }
    });
  });
  return f;
}

function pending(panel, v, answer) {
  head(panel, NAMES[panel.subject] + '：等待完成');
  panel.box.appendChild(dom.el('p', null, v.message || '核验进行中。'));
  if (v.method === 'transfer') {
    panel.box.appendChild(memoForm(panel, v));
    panel.box.appendChild(dom.el('p', 'hint', '如长时间未收到 0.01 元打款，请核对对公账户信息，修改保存后重新发起核验。'));
    return;
  }
  if (answer.sms_sent) panel.box.appendChild(dom.alert('刷脸链接已通过短信发送，请在手机上打开。', 'info'));
  if (v.qr_svg) {
    var svg = dom.svg(v.qr_svg);
    if (svg) {
      var qr = dom.el('figure', 'qr-box');
      qr.appendChild(svg);
      qr.appendChild(dom.el('figcaption', null, '请' + (panel.subject === 'enterprise' ? '法定代表人' : '经办人') +
        '用手机扫描二维码，按提示完成刷脸及活体验证'));
      panel.box.appendChild(qr);
    }
  }
  if (typeof v.link === 'string' && /^https?:\/\//.test(v.link)) {
    var p = dom.el('p', 'muted');
    p.appendChild(document.createTextNode('无法扫码时，可在手机浏览器中打开：'));
    p.appendChild(dom.newTab(v.link, v.link, 'break'));
    panel.box.appendChild(p);
  }
  var wait = dom.el('p', 'waiting', '正在等待核验结果，完成后本页自动更新…');
  wait.setAttribute('role', 'status');
  panel.box.appendChild(wait);
  poll(panel);
}

function failed(panel, v, offers) {
  head(panel, NAMES[panel.subject] + '未通过');
  panel.box.appendChild(dom.alert('核验未通过' + (v.message ? '：' + v.message : '。')));
  var bar = dom.el('div', 'actions');
  (offers || ['edit']).forEach(function (o) {
    if (o === 'edit' && panel.editable) {
      bar.appendChild(dom.button('修改信息后重新核验', 'btn-secondary', function () {
        if (panel.form) {
          var first = panel.form.querySelector('input:not([type="hidden"]):not([readonly])');
          panel.form.scrollIntoView({ block: 'start' });
          if (first) first.focus();
        }
      }));
    } else if (o === 'mail_in') {
      bar.appendChild(dom.button('改为线下邮寄办理', null, function () { askMailIn(panel); }));
    }
  });
  panel.box.appendChild(bar);
  if (panel.editable) {
    panel.box.appendChild(dom.el('p', 'hint', '如信息无误，也可以直接重新发起核验。'));
    startButtons(panel, '重新核验');
  }
}

function askMailIn(panel) {
  var q = dom.el('div', 'confirm-box');
  q.appendChild(dom.el('p', null, '改为线下邮寄办理后，单位身份以寄送的盖章纸质材料核实，不再进行在线企业认证；经办人仍需在线核验。确定改为线下邮寄办理吗？'));
  var bar = dom.el('div', 'actions');
  var ok = dom.button('确定改为线下邮寄', null, function () {
    dom.busy(ok, '请稍候…', function () {
      return api.request('POST', '/api/wizard/orders/' + encodeURIComponent(panel.ctx.no) + '/mail-in', {});
    }).then(function (r) {
      if (!r || !alive(panel)) return;
      if (!r.ok) {
        q.appendChild(dom.alert(r.error.message));
        return;
      }
      mailInDone(panel, r.body.mail_in_info || {});
    });
  });
  bar.appendChild(ok);
  bar.appendChild(dom.button('取消', 'btn-secondary', function () { q.parentNode.removeChild(q); }));
  q.appendChild(bar);
  panel.box.appendChild(q);
  ok.focus();
}

function mailInDone(panel, info) {
  head(panel, info.title || '线下邮寄办理');
  if (Array.isArray(info.steps)) {
    var ol = dom.el('ol', 'plain-list numbered');
    info.steps.forEach(function (s) { ol.appendChild(dom.el('li', null, s)); });
    panel.box.appendChild(ol);
  }
  if (info.review) panel.box.appendChild(dom.el('p', null, info.review));
  if (info.note) panel.box.appendChild(dom.el('p', 'note-info', info.note));
  var bar = dom.el('div', 'actions');
  var go = dom.button('继续办理', null, function () { panel.ctx.resume(); });
  go.disabled = true;
  bar.appendChild(go);
  panel.box.appendChild(bar);
  // The plan changed (no financial step, no enterprise check): resume from the new one.
  panel.ctx.reload().then(function () { go.disabled = false; });
}

function render(panel, answer) {
  if (!alive(panel)) return;
  var v = answer.verification;
  if (panel.subject === 'enterprise' && panel.ctx.order.mail_in) {
    head(panel);
    panel.box.appendChild(dom.el('p', 'note-info', '本订单已改为线下邮寄办理，无需在线企业认证。'));
    return;
  }
  if (!v) {
    head(panel);
    panel.box.appendChild(dom.el('p', null, '信息已保存。请发起核验：核验通过后才能签署提交申请。'));
    startButtons(panel);
    return;
  }
  if (v.state === 'passed' && v.current) return passed(panel, v);
  if (v.state === 'pending' && v.current) return pending(panel, v, answer);
  if (v.state === 'failed' && v.current) return failed(panel, v, answer.offers);
  head(panel);
  panel.box.appendChild(dom.alert(v.state === 'void' || !v.current
    ? '核验后信息已修改，此前的核验结果已失效，请重新核验。' : (v.message || '请发起核验。'), 'info'));
  startButtons(panel, '重新核验');
}

function load(panel) {
  head(panel);
  panel.box.appendChild(dom.el('p', 'muted', '正在读取核验状态…'));
  api.request('GET', url(panel.ctx, panel.subject)).then(function (r) {
    if (!alive(panel)) return;
    if (!r.ok) {
      head(panel);
      fault(panel, r.error);
      return;
    }
    render(panel, r.body);
    if (panel.ctx.opts().focusVerify && panel.box.scrollIntoView) panel.box.scrollIntoView({ block: 'start' });
  });
}
