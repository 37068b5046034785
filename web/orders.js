/* certhall: orders.html ("我的订单"): unfinished orders first, then every order with the
 * filters of GET /api/wizard/orders (order number, business, subject, state, date range) and
 * paging; per row the actions the API lists (continue, edit and resubmit, redo verification,
 * mail-in, pay, send the paper, refund, cancel, view). States and payment states are named
 * by the vocabulary (vocab.js). */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';
import V from './vocab.js';

var PER_PAGE = 20;

var form = document.getElementById('filter-form');
var allList = document.getElementById('all-list');
var openList = document.getElementById('open-list');
var openSection = document.getElementById('open-section');
var summary = document.getElementById('list-summary');
var pager = document.getElementById('pager');
var page = 1;
var filters = {};

function applyUrl(no, step) {
  return 'apply.html?order=' + encodeURIComponent(no) + (step ? '&step=' + step : '');
}

// ---- actions ------------------------------------------------------------------------------

function may(o, action) {
  return Array.isArray(o.actions) && o.actions.indexOf(action) >= 0;
}

function actionBar(o, row) {
  var bar = dom.el('div', 'toolbar');
  var no = o.order_no;
  (Array.isArray(o.actions) ? o.actions : []).forEach(function (a) {
    switch (a) {
      case 'continue':
        bar.appendChild(dom.link('继续办理', applyUrl(no), 'btn btn-small'));
        break;
      case 'edit_resubmit':
        bar.appendChild(dom.link('修改并重新提交', applyUrl(no), 'btn btn-small'));
        break;
      case 'redo_verification':
        bar.appendChild(dom.link('重新核验', applyUrl(no, 'verify'), 'btn btn-small'));
        break;
      case 'mail_in':
        bar.appendChild(dom.link('改为线下邮寄', applyUrl(no, 'verify'), 'btn btn-small btn-secondary'));
        break;
      case 'fin_check':
        bar.appendChild(dom.button('金融认证', 'btn-small', function (ev) {
          toggleDetail(row, no, ev.currentTarget, false, true);
        }));
        break;
      case 'pay':
        bar.appendChild(dom.link('去支付', applyUrl(no, 'pay'), 'btn btn-small'));
        break;
      case 'refund':
      case 'cancel':
      case 'send_paper':
      case 'send_key':
        break; // P.orderActions and the waybill below
      case 'view':
        bar.appendChild(dom.button('查看详情', 'btn-small btn-secondary', function (ev) {
          toggleDetail(row, no, ev.currentTarget);
        }));
        break;
      default:
        break;
    }
  });
  P.orderActions(o, row, reload).forEach(function (b) { bar.appendChild(b); });
  if (may(o, 'send_paper') || may(o, 'send_key')) {
    bar.appendChild(dom.button('填写寄件运单号', 'btn-small', function (ev) {
      toggleDetail(row, no, ev.currentTarget, true);
    }));
  }
  return bar;
}

// ---- one order in full --------------------------------------------------------------------

function verificationRows(list) {
  var ul = dom.el('ul', 'plain-list');
  list.forEach(function (v) {
    var li = dom.el('li');
    li.appendChild(dom.el('span', null, (v.subject === 'enterprise' ? '企业认证' : '经办人认证') +
      '（' + dom.text(v.method_name || v.method) + '）：'));
    var tone = v.state === 'passed' ? 'ok' : v.state === 'failed' ? 'bad' : 'muted';
    var names = { passed: '通过', failed: '未通过', pending: '进行中', 'void': '已失效' };
    li.appendChild(dom.badge(names[v.state] || v.state, tone));
    if (v.message) li.appendChild(dom.el('span', 'muted', ' ' + v.message));
    ul.appendChild(li);
  });
  return ul;
}

function paymentRows(list) {
  var ul = dom.el('ul', 'plain-list');
  list.forEach(function (p) {
    ul.appendChild(dom.el('li', null, dom.text(p.method_name || p.method) + ' ¥' + dom.text(p.amount) +
      ' · ' + V.zh('payment_states', p.state) + ' · ' + dom.when(p.paid_at || p.created_at)));
  });
  return ul;
}

function detail(o) {
  var box = dom.el('div', 'order-detail');
  var rows = [
    ['订单号', o.order_no, 'mono'],
    ['业务类型', o.business_name || o.business],
    ['证书类型', o.kind_name || o.kind],
    ['办理渠道', o.channel_name || o.channel],
    ['主题', o.subject_name],
    ['证书年限', o.years ? o.years + ' 年' : null, null, true],
    ['订单金额', o.amount !== null && o.amount !== undefined ? '¥' + o.amount : null, null, true],
    ['企业认证方式', o.verify_method_name, null, true],
    ['经办人认证方式', o.handler_method_name, null, true],
    ['支付方式', o.pay_method_name, null, true],
    ['更新后有效期', o.renew_not_before ? o.renew_not_before + ' 至 ' + dom.text(o.renew_not_after) : null,
      null, true],
    ['证书 PIN 码', o.pin_delivery_text, null, true],
    ['下单时间', dom.when(o.created_at)],
    ['提交时间', dom.when(o.submitted_at), null, true],
    ['支付时间', dom.when(o.paid_at), null, true]
  ];
  box.appendChild(dom.details(rows));
  if (o.mail_in) box.appendChild(dom.el('p', 'note-info', '本订单已改为线下邮寄纸质材料办理。'));
  if (Array.isArray(o.verifications) && o.verifications.length) {
    box.appendChild(dom.el('h3', null, '身份核验'));
    box.appendChild(verificationRows(o.verifications));
  }
  if (Array.isArray(o.payments) && o.payments.length) {
    box.appendChild(dom.el('h3', null, '支付记录'));
    box.appendChild(paymentRows(o.payments));
  }
  if (o.fin_check && o.fin_check.state_name) {
    box.appendChild(dom.el('h3', null, '金融认证'));
    box.appendChild(dom.el('p', o.fin_check.state === 'failed' ? 'note-warn' : 'muted',
      dom.text(o.fin_check.state_name) + (o.fin_check.message ? '：' + dom.text(o.fin_check.message) : '')));
  }
  if (may(o, 'fin_check')) box.appendChild(P.finCheckForm(o, reload));
  if (o.key_inspection) {
    box.appendChild(dom.el('h3', null, '原介质检测结果'));
    box.appendChild(dom.el('p', 'muted', (o.key_inspection.defect ? '属于介质质量问题' : '不属于介质质量问题') +
      (o.key_inspection.in_warranty ? '（在介质质保期内）' : '（不在介质质保期内）') + ' · ' +
      dom.when(o.key_inspection.at)));
  }
  if (may(o, 'send_key')) box.appendChild(P.keyParcel(o, reload));
  if (may(o, 'send_paper')) {
    box.appendChild(dom.el('h3', null, '寄送纸质材料'));
    box.appendChild(dom.el('p', 'muted', '请将签字盖章的申请表等纸质材料寄至受理点，并登记快递运单号。'));
    var to = P.paperTo(o.paper_to);
    if (to) box.appendChild(to);
    var links = dom.el('p', 'toolbar');
    links.appendChild(dom.newTab('打印申请表', '/api/wizard/orders/' + encodeURIComponent(o.order_no) +
      '/forms/application', 'btn btn-small btn-secondary'));
    if (o.kind !== 'person') {
      links.appendChild(dom.newTab('打印法定代表人授权书', '/api/wizard/orders/' +
        encodeURIComponent(o.order_no) + '/forms/authorisation', 'btn btn-small btn-secondary'));
    }
    box.appendChild(links);
    box.appendChild(P.waybillForm(o.order_no));
  }
  box.appendChild(dom.el('h3', null, '办理进度'));
  box.appendChild(P.timeline(o.events));
  box.appendChild(dom.link('在办理页面打开', applyUrl(o.order_no)));
  return box;
}

function toggleDetail(row, no, button, focusWaybill, focusFin) {
  var open = row.querySelector('.order-detail-slot');
  if (open) {
    open.parentNode.removeChild(open);
    button.setAttribute('aria-expanded', 'false');
    if (!focusWaybill) return;
  }
  var slot = dom.el('div', 'order-detail-slot');
  slot.appendChild(dom.el('p', 'muted', '正在读取订单详情…'));
  row.appendChild(slot);
  button.setAttribute('aria-expanded', 'true');
  api.request('GET', '/api/wizard/orders/' + encodeURIComponent(no)).then(function (r) {
    dom.clear(slot);
    if (!r.ok) {
      slot.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    slot.appendChild(detail(r.body));
    var wb = slot.querySelector('select[name="carrier"]');
    if (focusWaybill && wb) wb.focus();
    var bank = slot.querySelector('input[name="bank"]');
    if (focusFin && bank) bank.focus();
  });
}

// ---- rows ---------------------------------------------------------------------------------

function row(o) {
  var art = dom.el('article', 'order-row');
  var head = dom.el('div', 'result-head');
  head.appendChild(dom.el('h3', 'mono', o.order_no));
  head.appendChild(dom.badge(o.state_name || o.state, P.stateTone(o.state)));
  art.appendChild(head);
  var meta = dom.el('p', 'order-meta');
  [
    o.business_name || o.business,
    o.kind_name || o.kind,
    o.subject_name,
    o.channel_name || o.channel,
    o.amount !== null && o.amount !== undefined ? '¥' + o.amount : '',
    '下单 ' + dom.when(o.created_at),
    o.updated_at && o.updated_at !== o.created_at ? '更新 ' + dom.when(o.updated_at) : ''
  ].forEach(function (t) {
    if (t) meta.appendChild(dom.el('span', null, t));
  });
  art.appendChild(meta);
  art.appendChild(actionBar(o, art));
  return art;
}

// ---- loading ------------------------------------------------------------------------------

function query(f, pg, per) {
  var q = [];
  Object.keys(f).forEach(function (k) {
    if (f[k]) q.push(encodeURIComponent(k) + '=' + encodeURIComponent(f[k]));
  });
  q.push('page=' + pg, 'per_page=' + per);
  return '/api/wizard/orders?' + q.join('&');
}

// The "未完成订单" list (000, 002): the states where the applicant has the next move.
function loadOpen() {
  var open = V.stateNames(function (s) { return s.awaits_applicant; });
  return Promise.all(open.map(function (s) {
    return api.request('GET', query({ state: s }, 1, 50));
  })).then(function (answers) {
    var orders = [];
    answers.forEach(function (r) {
      if (r.ok && Array.isArray(r.body.orders)) orders = orders.concat(r.body.orders);
    });
    orders.sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; });
    dom.clear(openList);
    openSection.hidden = orders.length === 0;
    orders.forEach(function (o) { openList.appendChild(row(o)); });
  });
}

function loadAll() {
  allList.setAttribute('aria-busy', 'true');
  return api.request('GET', query(filters, page, PER_PAGE)).then(function (r) {
    allList.removeAttribute('aria-busy');
    dom.clear(allList);
    if (!r.ok) {
      dom.showError(form, r.error);
      summary.textContent = '';
      pager.hidden = true;
      return;
    }
    var orders = Array.isArray(r.body.orders) ? r.body.orders : [];
    var total = typeof r.body.total === 'number' ? r.body.total : orders.length;
    var pages = Math.max(1, Math.ceil(total / PER_PAGE));
    summary.textContent = total ? '共 ' + total + ' 笔订单' :
      (Object.keys(filters).some(function (k) { return filters[k]; })
        ? '没有符合条件的订单。' : '您还没有订单。');
    orders.forEach(function (o) { allList.appendChild(row(o)); });
    pager.hidden = pages <= 1;
    document.getElementById('page-info').textContent = '第 ' + page + ' / ' + pages + ' 页';
    document.getElementById('prev').disabled = page <= 1;
    document.getElementById('next').disabled = page >= pages;
  });
}

function reload() {
  loadOpen();
  loadAll();
}

// ---- filters ------------------------------------------------------------------------------

function fillSelect(select, options) {
  options.forEach(function (o) {
    var opt = dom.el('option', null, o[1]);
    opt.value = o[0];
    select.appendChild(opt);
  });
}


function readFilters() {
  var no = P.value(form, 'order_no').replace(/\s+/g, '');
  if (no && !/^\d{18}$/.test(no)) {
    return { field: 'order_no', message: '订单号为 18 位数字，请核对后重新输入。' };
  }
  return {
    order_no: no,
    business: P.value(form, 'business'),
    subject: P.value(form, 'subject'),
    state: P.value(form, 'state'),
    date_from: P.value(form, 'date_from'),
    date_to: P.value(form, 'date_to')
  };
}

dom.liveClear(form);
form.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(form);
  var f = readFilters();
  if (f.field) {
    dom.showError(form, f);
    return;
  }
  filters = f;
  page = 1;
  loadAll();
});
form.addEventListener('reset', function () {
  dom.clearErrors(form);
  filters = {};
  page = 1;
  setTimeout(loadAll, 0);
});
document.getElementById('prev').addEventListener('click', function () {
  if (page > 1) {
    page--;
    loadAll();
  }
});
document.getElementById('next').addEventListener('click', function () {
  page++;
  loadAll();
});

Promise.all([P.me(true), V.load()]).then(function (both) {
  var me = both[0];
  if (!me) return;
  fillSelect(document.getElementById('flt-state'), V.states.map(function (s) { return [s.name, s.zh]; }));
  if (!both[1]) summary.parentNode.insertBefore(dom.alert('订单状态的名称未能载入，请刷新页面重试。'), summary);
  reload();
  // The business names come from the catalog: every business some channel offers.
  api.request('GET', '/api/wizard/catalog').then(function (r) {
    if (!r.ok) return;
    var seen = {};
    var options = [];
    (r.body.channels || []).forEach(function (c) {
      (c.businesses || []).forEach(function (b) {
        if (!seen[b.code]) {
          seen[b.code] = true;
          options.push([b.code, b.name]);
        }
      });
    });
    fillSelect(document.getElementById('flt-business'), options);
  });
});
