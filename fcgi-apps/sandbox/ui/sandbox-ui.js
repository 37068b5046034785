/* certhall sandbox pages (dev and test only, served by the dev/test nginx at /sandbox/ui/): the
 * face check's "camera", the payer's "phone" and the bank statement, so that a person in
 * `make run` (and the browser tests) finish every flow by clicking. They call the sandbox's
 * unsigned endpoints, the ones the API tests drive. */
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var info = document.getElementById('info');
  var result = document.getElementById('result');
  var buttons = document.getElementById('buttons');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function say(text, kind) {
    result.textContent = '';
    var p = el('p', 'alert alert-' + (kind || 'info'), text);
    result.appendChild(p);
  }

  function call(method, url, body) {
    return fetch(url, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function errText(r) {
    return (r.body && r.body.error && r.body.error.message) || ('请求失败（HTTP ' + r.status + '）');
  }

  function kv(rows) {
    info.textContent = '';
    rows.forEach(function (row) {
      info.appendChild(el('dt', null, row[0]));
      info.appendChild(el('dd', row[2] || null, row[1]));
    });
  }

  var STATES = { pending: '待完成', passed: '已通过', failed: '未通过', paid: '已支付', closed: '已关闭',
    sent: '已汇出', credited: '已入账' };
  var METHODS = { wechat: '微信支付', alipay: '支付宝', lr_face: '法定代表人刷脸认证', face: '刷脸认证' };

  function yuan(fen) { return '¥' + (Number(fen || 0) / 100).toFixed(2); }

  // Pass/fail or pay/cancel: one POST, then the page shows what it now stands at.
  function wire(url, load, done) {
    Array.prototype.forEach.call(buttons.querySelectorAll('button'), function (b) {
      b.addEventListener('click', function () {
        var all = buttons.querySelectorAll('button');
        Array.prototype.forEach.call(all, function (x) { x.disabled = true; });
        call('POST', url, { outcome: b.getAttribute('data-outcome') }).then(function (r) {
          if (r.status !== 200) {
            say(errText(r), 'warn');
            Array.prototype.forEach.call(all, function (x) { x.disabled = false; });
            return;
          }
          load().then(function () { say(done(b.getAttribute('data-outcome')), 'ok'); });
        });
      });
    });
  }

  function face() {
    var ref = params.get('ref') || '';
    var url = '/sandbox/verify/face/' + encodeURIComponent(ref);
    function load() {
      return call('GET', url + '/info').then(function (r) {
        if (r.status !== 200) { say(errText(r), 'warn'); return; }
        kv([['核验编号', r.body.ref, 'mono'], ['核验方式', METHODS[r.body.method] || r.body.method],
          ['状态', STATES[r.body.state] || r.body.state]]);
        buttons.hidden = r.body.state !== 'pending';
      });
    }
    wire('/sandbox/verify/checks/' + encodeURIComponent(ref) + '/complete', load, function (o) {
      return o === 'pass' ? '认证已通过，请回到办理页面继续。' : '已模拟认证不通过，请回到办理页面查看。';
    });
    load();
  }

  function phone() {
    var no = params.get('pay_no') || '';
    var url = '/sandbox/pay/orders/' + encodeURIComponent(no);
    function load() {
      return call('GET', url + '/payer').then(function (r) {
        if (r.status !== 200) { say(errText(r), 'warn'); return; }
        kv([['支付流水号', r.body.pay_no, 'mono'], ['支付方式', METHODS[r.body.method] || r.body.method],
          ['金额', yuan(r.body.amount_fen)], ['状态', STATES[r.body.state] || r.body.state]]);
        buttons.hidden = r.body.state !== 'pending';
        // An H5 payment's page leads back to the merchant, as WeChat H5's redirect_url does.
        var back = document.getElementById('back');
        var to = String(r.body.return_url || '');
        if (back && /^https?:\/\//.test(to) && r.body.state !== 'pending') {
          back.querySelector('a').href = to;
          back.hidden = false;
        }
      });
    }
    wire(url + '/complete', load, function (o) {
      return o === 'paid' ? '支付成功，请回到办理页面查看订单。' : '已取消支付。';
    });
    load();
  }

  function bank() {
    var form = document.getElementById('account-form');
    var input = document.getElementById('account-no');
    function load(account) {
      return call('GET', '/sandbox/verify/transfers?account_no=' + encodeURIComponent(account)).then(function (r) {
        info.textContent = '';
        if (r.status !== 200) { say(errText(r), 'warn'); return; }
        result.textContent = '';
        var list = r.body.transfers || [];
        if (!list.length) { say('该账户没有收款记录。', 'info'); return; }
        var table = el('table', 'table');
        var cap = el('caption', null, '账户 ' + account + ' 的收款记录（最新在前）');
        table.appendChild(cap);
        var head = el('tr');
        ['时间', '开户银行', '金额', '附言', '状态'].forEach(function (h) {
          var th = el('th', null, h);
          th.scope = 'col';
          head.appendChild(th);
        });
        var thead = el('thead');
        thead.appendChild(head);
        table.appendChild(thead);
        var tbody = el('tbody');
        list.forEach(function (t) {
          var tr = el('tr');
          [String(t.created_at || '').replace('T', ' '), t.bank || '', yuan(t.amount_fen), t.memo,
            STATES[t.state] || t.state].forEach(function (v, i) {
            tr.appendChild(el('td', i === 3 ? 'mono memo' : null, v));
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        info.appendChild(table);
      });
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      history.replaceState(null, '', '?account_no=' + encodeURIComponent(input.value));
      load(input.value.trim());
    });
    if (params.get('account_no')) {
      input.value = params.get('account_no');
      load(input.value);
    }
  }

  var page = document.body.getAttribute('data-page');
  if (page === 'face') face();
  else if (page === 'phone') phone();
  else if (page === 'bank') bank();
})();
