/* certhall: certs.html's 证书绑定 (002 【证书绑定】): the account's bound tokens
 * (GET /api/wizard/bindings), a new binding by the token's hardware serial, and unbinding. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';

var form = document.getElementById('bind-form');
var box = document.getElementById('bindings');
var STATE = { valid: '有效', expired: '已过期', revoked: '已吊销' };

function row(b) {
  var art = dom.el('article', 'card-result');
  var head = dom.el('div', 'result-head');
  head.appendChild(dom.el('h3', null, '介质 ' + dom.text(b.token_serial)));
  head.appendChild(dom.badge(STATE[b.state] || '无证书', b.state === 'valid' ? 'ok' : 'bad'));
  art.appendChild(head);
  art.appendChild(dom.details([
    ['证书序列号', b.serial],
    ['持有人', b.holder_name, null, true],
    ['有效期至', b.not_after],
    ['绑定时间', b.bound_at]
  ]));
  art.appendChild(dom.button('解除绑定', 'btn-secondary btn-small', function () {
    api.request('POST', '/api/wizard/bindings/' + encodeURIComponent(b.token_serial) + '/unbind', {})
      .then(function (r) {
        if (!r.ok) dom.clear(box).appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
        load();
      });
  }));
  return art;
}

function load() {
  return api.request('GET', '/api/wizard/bindings').then(function (r) {
    dom.clear(box);
    if (!r.ok) {
      box.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    var list = Array.isArray(r.body.bindings) ? r.body.bindings : [];
    if (!list.length) box.appendChild(dom.el('p', 'muted', '本账号尚未绑定证书介质。'));
    list.forEach(function (b) { box.appendChild(row(b)); });
  });
}

dom.liveClear(form);
form.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(form);
  var token = P.value(form, 'token_serial').replace(/\s+/g, '');
  if (!token) {
    dom.showError(form, { field: 'token_serial', message: '请输入介质序列号。' });
    return;
  }
  dom.busy(form.querySelector('button[type="submit"]'), '绑定中…', function () {
    return api.request('POST', '/api/wizard/bindings', { token_serial: token });
  }).then(function (r) {
    if (!r) return;
    if (!r.ok) {
      dom.showError(form, r.error);
      return;
    }
    form.reset();
    dom.say(form.querySelector('.form-result'), '绑定成功：现在可以使用“证书登录”。', 'ok');
    load();
  });
});

P.me(true).then(function (me) {
  if (me) load();
});
