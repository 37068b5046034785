/* certhall portal: what the applicant's pages share beyond dom.js and api.js (login.html,
 * apply.html, orders.html, certs.html): labelled fields, inline questions, the order's
 * actions, the SMS code button, states, the order timeline, the waybill form and the header's account line.
 * A lost session sends the browser to the login page. */
import * as dom from './dom.js';
import * as api from './api.js';
import V from './vocab.js';


// ---- the API: where a lost session sends the applicant -------------------------------------

export function loginUrl() {
  var here = window.location.pathname.replace(/^.*\//, '') + window.location.search;
  return 'login.html?next=' + encodeURIComponent(here);
}

api.onSession({
  lost: function (err) {
    if (err.code === 'not_logged_in') window.location.href = loginUrl();
  }
});

// ---- forms -------------------------------------------------------------------------------------

/*
 * One labelled field: {name, label, type, hint, max, value, placeholder, mono, options:
 * [[value, label]], inputmode, autocomplete, readonly}. Returns the wrapper (data-field).
 */
export function field(f) {
  var box = dom.el('div', 'field' + (f.short ? ' field-short' : '') + (f.wide ? ' field-wide' : ''));
  box.setAttribute('data-field', f.name);
  var id = 'f-' + (f.idPrefix || '') + f.name;
  var input;
  if (f.type === 'radios') {
    var fs = dom.el('fieldset', 'choice');
    fs.appendChild(dom.el('legend', null, f.label));
    (f.options || []).forEach(function (o) {
      var lab = dom.el('label', 'choice-item');
      var r = document.createElement('input');
      r.type = 'radio';
      r.name = f.name;
      r.value = o[0];
      if (String(f.value) === String(o[0])) r.checked = true;
      if (f.readonly) r.disabled = true;
      lab.appendChild(r);
      lab.appendChild(dom.el('span', null, o[1]));
      fs.appendChild(lab);
    });
    box.appendChild(fs);
  } else if (f.type === 'checkbox') {
    var cl = dom.el('label', 'check');
    var cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.name = f.name;
    cb.id = id;
    cb.checked = f.value === '1' || f.value === true;
    if (f.readonly) cb.disabled = true;
    cl.appendChild(cb);
    cl.appendChild(dom.el('span', null, f.label));
    box.appendChild(cl);
  } else {
    box.appendChild(dom.el('label', null, f.label)).htmlFor = id;
    if (f.type === 'select') {
      input = document.createElement('select');
      (f.options || []).forEach(function (o) {
        var opt = dom.el('option', null, o[1]);
        opt.value = o[0];
        input.appendChild(opt);
      });
      if (f.value !== undefined && f.value !== null) input.value = String(f.value);
    } else {
      input = document.createElement('input');
      input.type = f.type || 'text';
      if (f.value !== undefined && f.value !== null) input.value = String(f.value);
      if (f.max) input.maxLength = f.max;
      if (f.placeholder) input.placeholder = f.placeholder;
      if (f.inputmode) input.inputMode = f.inputmode;
      input.autocomplete = f.autocomplete || 'off';
      input.spellcheck = false;
    }
    input.id = id;
    input.name = f.name;
    if (f.mono) input.classList.add('mono');
    if (f.readonly) {
      input.readOnly = true;
      if (f.type === 'select') input.disabled = true;
    }
    box.appendChild(input);
  }
  if (f.hint) box.appendChild(dom.el('p', 'hint', f.hint));
  return box;
}

// The trimmed value of a named control (radio groups: the checked one; "" when none).
export function value(form, name) {
  var c = form.elements.namedItem(name);
  if (!c) return '';
  if (typeof RadioNodeList !== 'undefined' && c instanceof RadioNodeList) return c.value || '';
  if (c.type === 'checkbox') return c.checked ? '1' : '0';
  return typeof c.value === 'string' ? c.value.replace(/^\s+|\s+$/g, '') : '';
}

/*
 * An inline question under CONTAINER: OK runs FN(reason), which returns a promise of an api()
 * answer; a success calls DONE(body). withReason adds an optional reason field (refunds).
 */
export function ask(container, text, okLabel, withReason, fn, done) {
  var old = container.querySelector('.row-ask');
  if (old) old.parentNode.removeChild(old);
  var box = dom.el('form', 'row-ask form');
  box.noValidate = true;
  box.appendChild(dom.el('p', 'ask-text', text));
  // WITHREASON: true for a refund's reason, or the spec of the one field to ask (field).
  var spec = withReason && typeof withReason === 'object' ? withReason
    : { name: 'reason', label: '退款原因（选填）', max: 200 };
  if (withReason) {
    spec.wide = true;
    spec.idPrefix = 'ask-' + Math.random().toString(36).slice(2) + '-';
    box.appendChild(field(spec));
  }
  var actions = dom.el('div', 'actions');
  var ok = dom.el('button', 'btn-danger', okLabel);
  ok.type = 'submit';
  actions.appendChild(ok);
  actions.appendChild(dom.button('不了', 'btn-secondary', function () {
    box.parentNode.removeChild(box);
  }));
  box.appendChild(actions);
  box.appendChild(dom.el('div', 'form-result'));
  box.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(box);
    var reason = withReason ? value(box, spec.name) : null;
    dom.busy(ok, '请稍候…', function () { return fn(reason); }).then(function (r) {
      if (!r) return;
      if (!r.ok) dom.showError(box, r.error);
      else if (done) done(r.body);
    });
  });
  container.appendChild(box);
  ok.focus();
  return box;
}

// Cancel and refund, as the order's actions offer them: [button, ...] asking under CONTAINER.
export function orderActions(order, container, done) {
  var no = order.order_no;
  var out = [];
  var acts = Array.isArray(order.actions) ? order.actions : [];
  var base = '/api/wizard/orders/' + encodeURIComponent(no);
  if (acts.indexOf('refund') >= 0) {
    out.push(dom.button('申请退款', 'btn-small btn-secondary', function () {
      ask(container, '申请退款后订单将停止办理，退款经财务审核后原路退回。确定为订单 ' + no +
        ' 申请退款吗？', '申请退款', true, function (reason) {
        return api.request('POST', base + '/refund', reason ? { reason: reason } : {});
      }, done);
    }));
  }
  // 002 【更新下载证书】: the CA re-issues the renewed certificate onto the key (its request
  // kept from the first issue); the new validity runs from this day for an expired one.
  if (acts.indexOf('renew_download') >= 0) {
    out.push(dom.button('更新下载证书', 'btn-small', function () {
      ask(container, '请插入该证书的介质（USB-Key）后确认：更新后的证书将写入介质，原证书随即失效。',
        '下载证书', false, function () {
          return api.request('POST', base + '/renewal/download', {});
        }, done);
    }));
  }
  // 002 "2.4 证书下载" after a change of name: the key helper makes the request for the new
  // names with the key on the token (its PIN), the CA re-issues the certificate.
  if (acts.indexOf('change_download') >= 0 && order.download) {
    var dl = order.download;
    out.push(dom.button('下载变更后的证书', 'btn-small', function () {
      ask(container, '请插入介质 ' + (dl.token_serial || '') + ' 并输入证书 PIN 码：证书助手将以介质中的密钥生成“' +
        (dl.o || dl.cn) + '”的证书请求，变更后的证书写入介质，原证书随即注销。', '下载证书',
        { name: 'pin', label: '证书 PIN 码', type: 'password', max: 8, inputmode: 'numeric' },
        function (pin) {
          return api.request('GET', '/api/account/cert-login', undefined, { stay: true }).then(function (h) {
            if (!h.ok || !h.body.helper || !dl.token_serial) {
              return { ok: false, error: { message: '未连接到证书助手，请携带介质到业务网点办理。' } };
            }
            return api.request('POST', h.body.helper.replace(/\/+$/, '') + '/' +
              encodeURIComponent(dl.token_serial) + '/csr', { cn: dl.cn, o: dl.o, pin: pin },
            { stay: true }).then(function (c) {
              if (!c.ok) return c;
              return api.request('POST', base + '/change/download', { csr: c.body.csr });
            });
          });
        }, done);
    }));
  }
  if (acts.indexOf('cancel') >= 0) {
    out.push(dom.button('取消订单', 'btn-small btn-danger-outline', function () {
      ask(container, '确定取消订单 ' + no + ' 吗？取消后不能恢复，如需办理请重新申请。', '确定取消',
        false, function () { return api.request('POST', base + '/cancel', {}); }, done);
    }));
  }
  return out;
}

// ---- an SMS code button with its wait ------------------------------------------------------

// SEND() returns a promise of an api() answer; on success the button waits SECONDS.
export function codeButton(button, send, seconds, onAnswer) {
  var label = button.textContent;
  var timer = null;
  function tick(left) {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = '重新获取';
      timer = null;
      return;
    }
    button.disabled = true;
    button.textContent = left + ' 秒后可重新获取';
    timer = setTimeout(function () { tick(left - 1); }, 1000);
  }
  button.addEventListener('click', function () {
    if (button.disabled || timer) return;
    button.disabled = true;
    button.textContent = '发送中…';
    Promise.resolve(send()).then(function (r) {
      if (!r) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      if (onAnswer) onAnswer(r);
      if (r.ok) tick(seconds || 60);
      else {
        button.disabled = false;
        button.textContent = label;
      }
    });
  });
}

// ---- states ------------------------------------------------------------------------------

// The badge tone of an order's state, from what it means (vocab.js, loaded by the pages that
// show states: apply.html, orders.html).
export function stateTone(state) {
  return V ? V.tone(state, false) : 'progress';
}

// Newest first, the latest marked.
export function timeline(events) {
  // An event the server has no name for is an internal one: its code is not for people.
  var list = Array.isArray(events) ? events.filter(function (ev) {
    return ev.name || ev.text;
  }).reverse() : [];
  if (!list.length) return dom.el('p', 'muted', '暂无进度记录。');
  var ol = dom.el('ol', 'timeline');
  list.forEach(function (ev, i) {
    var li = dom.el('li', i === 0 ? 'current' : null);
    var t = dom.el('time', null, dom.when(ev.at));
    t.setAttribute('datetime', typeof ev.at === 'string' ? ev.at : '');
    li.appendChild(t);
    li.appendChild(dom.el('p', 'tl-text', ev.name || ev.text || ev.kind || ev.event));
    if (ev.note) li.appendChild(dom.el('p', 'tl-note', ev.note));
    ol.appendChild(li);
  });
  return ol;
}

// The carriers the waybill entry accepts (shared/ext/waybill.c).
export const carriers = [
  ['sf', '顺丰速运'], ['ems', 'EMS（中国邮政）'], ['zto', '中通快递'], ['yto', '圆通速递'],
  ['sto', '申通快递'], ['yunda', '韵达快递'], ['jd', '京东物流'], ['deppon', '德邦快递']
];

// The form for the waybill of the paper mailed in (awaiting_paper), or of a damaged key sent
// in for inspection (awaiting_key, key true); onSaved(answer body).
export function waybillForm(orderNo, onSaved, key) {
  var form = dom.el('form', 'form form-inline');
  form.noValidate = true;
  form.appendChild(field({ name: 'carrier', label: '快递公司', type: 'select', short: true,
    idPrefix: 'wb-' + orderNo + '-',
    options: [['', '请选择']].concat(carriers) }));
  form.appendChild(field({ name: 'number', label: '快递运单号', max: 64, mono: true,
    idPrefix: 'wb-' + orderNo + '-',
    hint: (key ? '寄出原证书介质后' : '寄出纸质材料后') + '，填写快递面单上的运单号，便于受理点跟踪签收。' }));
  var actions = dom.el('div', 'actions');
  var submit = dom.el('button', null, '提交运单号');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  form.appendChild(dom.el('div', 'form-result'));
  dom.liveClear(form);
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var body = { carrier: value(form, 'carrier'), number: value(form, 'number') };
    if (!body.carrier) {
      dom.showError(form, { field: 'carrier', message: '请选择快递公司。' });
      return;
    }
    if (!body.number) {
      dom.showError(form, { field: 'number', message: '请填写快递运单号。' });
      return;
    }
    dom.busy(submit, '提交中…', function () {
      return api.request('POST', '/api/track/orders/' + encodeURIComponent(orderNo) + '/waybill', body);
    }).then(function (r) {
      if (!r) return;
      if (!r.ok) {
        dom.showError(form, r.error);
        return;
      }
      var w = r.body.waybill || {};
      dom.say(form.querySelector('.form-result'), '已登记运单：' + dom.text(w.note), 'ok');
      if (onSaved) onSaved(r.body);
    });
  });
  return form;
}

// The hall's own address for the paper or an old key, as its guide prints it (003 蔡先生, 002
// 王明明), with its note and what an offline renewal mails (003: the key and the voucher among
// them); null where the hall published none.
export function paperTo(to) {
  if (!to || !to.address) return null;
  var f = document.createDocumentFragment();
  f.appendChild(dom.details([
    ['收件单位', to.org], ['收件人', to.recipient], ['收件地址', to.address], ['联系电话', to.phone]
  ].filter(function (row) { return row[1]; })));
  if (to.note) f.appendChild(dom.el('p', 'note-info', to.note));
  if (to.items) f.appendChild(dom.el('p', 'note-info', to.items));
  return f;
}

// 002 损坏补办 "用户损坏补办时需携带原有数字证书介质USBkey进行检测鉴定": where the old key goes,
// the inspection's rule, and the form for its waybill (awaiting_key).
export function keyParcel(o, onSaved) {
  var box = dom.el('div');
  box.appendChild(dom.el('h3', null, '寄回原证书介质检测'));
  box.appendChild(dom.el('p', null, '请将原证书介质（USB Key）寄至受理点检测，并在下方登记快递运单号。' +
    '证书介质质保期为一年，自证书初次发放日起计算：经检测属于介质质量问题且在质保期内的免费办理；' +
    '非质量问题或已超过质保期的，需支付证书介质费后继续办理。检测结果将以短信通知。'));
  box.appendChild(paperTo(o.paper_to) ||
    dom.el('p', 'note-warn', '该营业厅未公布介质寄送地址，请先联系营业厅确认收件地址。'));
  box.appendChild(waybillForm(o.order_no, onSaved, true));
  return box;
}

// 001 金融认证: "点击“金融认证”按钮，重新填写正确的单位基本账户信息后点击“提交”即可" (POST
// .../fin-check); a new 0.01 transfer goes to the account, its memo carrying the PIN.
export function finCheckForm(o, onSaved) {
  var no = o.order_no;
  var form = dom.el('form', 'form');
  form.noValidate = true;
  form.appendChild(dom.el('p', 'note-info', '向单位基本户打款 0.01 元未能入账。请核对后重新填写单位基本账户信息并提交，' +
    '入账后证书PIN码将以转账交易附言方式发送至该账户，请向贵单位财务人员获取。'));
  form.appendChild(field({ name: 'account_name', label: '基本户名称', max: 100, idPrefix: 'fc-' + no + '-',
    value: o.subject_name || '', hint: '须与单位名称一致。' }));
  form.appendChild(field({ name: 'bank', label: '基本户开户行', max: 100, idPrefix: 'fc-' + no + '-' }));
  form.appendChild(field({ name: 'account_no', label: '基本户账号', max: 32, mono: true, idPrefix: 'fc-' + no + '-' }));
  var actions = dom.el('div', 'actions');
  var submit = dom.el('button', null, '提交');
  submit.type = 'submit';
  actions.appendChild(submit);
  form.appendChild(actions);
  form.appendChild(dom.el('div', 'form-result'));
  dom.liveClear(form);
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.clearErrors(form);
    var body = { account_name: value(form, 'account_name'), bank: value(form, 'bank'),
      account_no: value(form, 'account_no').replace(/\s+/g, '') };
    var missing = ['account_name', 'bank', 'account_no'].filter(function (k) { return !body[k]; })[0];
    if (missing) {
      dom.showError(form, { field: missing, message: '请填写完整的单位基本账户信息。' });
      return;
    }
    dom.busy(submit, '提交中…', function () {
      return api.request('POST', '/api/wizard/orders/' + encodeURIComponent(no) + '/fin-check', body);
    }).then(function (r) {
      if (!r) return;
      if (!r.ok) {
        dom.showError(form, r.error);
        return;
      }
      dom.say(form.querySelector('.form-result'), dom.text(r.body.fin_check && r.body.fin_check.state_name), 'ok');
      if (onSaved) onSaved(r.body);
    });
  });
  return form;
}

// ---- the header: who is logged in, and logging out --------------------------------------------

// Resolves to the account (GET /api/account/me) or null; a page that needs a login
// (required) is sent to the login page instead.
export function me(required) {
  return api.request('GET', '/api/account/me', undefined, { stay: !required }).then(function (r) {
    var line = document.getElementById('site-user');
    if (!r.ok) {
      if (r.error.status === 403 && required) {
        var main = document.querySelector('main');
        if (main) {
          dom.clear(main);
          main.appendChild(dom.alert('当前登录的是工作人员账号，请退出后使用申请人账号登录。'));
        }
      }
      if (line) {
        var login = document.getElementById('site-login');
        if (login) login.hidden = false;
      }
      return null;
    }
    var me = r.body;
    if (line) {
      var name = document.getElementById('user-name');
      if (name) name.textContent = me.name || me.login_name || '';
      line.hidden = false;
      var login2 = document.getElementById('site-login');
      if (login2) login2.hidden = true;
    }
    return me;
  });
}

function wireLogout() {
  var b = document.getElementById('logout');
  if (!b) return;
  b.addEventListener('click', function () {
    dom.busy(b, '退出中…', function () {
      return api.request('POST', '/api/account/logout', undefined, { stay: true });
    }).then(function () {
      window.location.href = 'login.html';
    });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wireLogout);
else wireLogout();
