/* certhall staff console: the queue page (staff.html): each role's queue with its filters in the
 * address, paging, and the admin's audit export. */
import * as dom from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';

// ---- the queue page (staff.html) -------------------------------------------------------------

// The states each queue's filter offers, read off the state machine (schema/0008_review.sql
// says what waits where): the reviewer's, the states a reviewer moves on; shipping's, those
// shipping moves on before the key has left (delivery ends the order); finance's, every
// state after submission (money to give back waits there in any), finance's own first.
function afterSubmission() {
  var seen = {}, todo = V.moves({ event: 'submitted' }).map(function (t) { return t.to; });
  while (todo.length) {
    var s = todo.pop();
    if (seen[s]) continue;
    seen[s] = true;
    V.moves({ from: s }).forEach(function (t) { todo.push(t.to); });
  }
  return seen;
}
var QUEUE_STATES = {
  review: function () {
    return V.stateNames(function (s) { return V.movedBy(s.name, 'reviewer'); });
  },
  finance: function () {
    var after = afterSubmission();
    var own = function (s) { return V.movedBy(s.name, 'finance') || V.movedBy(s.name, 'payment'); };
    return V.stateNames(function (s) { return after[s.name] && own(s); })
      .concat(V.stateNames(function (s) { return after[s.name] && !own(s); }));
  },
  ship: function () {
    return V.stateNames(function (s) {
      return V.moves({ from: s.name, by: 'shipping' }).some(function (t) { return !V.is(t.to, 'final'); });
    });
  },
  // One state: the list offers no state filter (fillStates hides it).
  returned: function () { return []; }
};
var QUEUE_LEADS = {
  review: '待预审、审核中、纸质材料审核中的订单，以及已填写纸质材料寄送运单号、待签收的订单。按提交时间从早到晚排列；红色为已超过渠道承诺的办理时限（工作日）。',
  finance: '以对公转账或现场缴费方式付款、待确认收款的订单，以及待退款的订单。按提交时间从早到晚排列。',
  ship: '审核通过、需要制作并寄出证书介质（USB Key）的订单。按提交时间从早到晚排列。',
  returned: '审核退回、等待申请人补正的订单，不在任何待办队列中。按提交时间从早到晚排列，每条注明退回原因和退回时间；' +
    '申请人重新提交后，订单回到审核队列。'
};
var ROLE_QUEUE = { reviewer: 'review', finance: 'finance', shipping: 'ship' };
// The lists each role may pick (the server's table in fcgi-apps/review/queue.c): a role with one
// list is shown no choice.
var ROLE_LISTS = { admin: ['review', 'finance', 'ship', 'returned'], reviewer: ['review', 'returned'] };
var FILTERS = ['queue', 'state', 'channel', 'business', 'kind', 'from', 'to', 'order_no', 'subject', 'per_page'];

function queuePage(me) {
  var queue = {
    me: me, isAdmin: me.role === 'admin', lists: ROLE_LISTS[me.role] || [], page: 1, loading: 0, channelsLoaded: false,
    form: document.getElementById('filter-form'), out: document.getElementById('filter-result'),
    result: document.getElementById('queue-result'), pager: document.getElementById('pager')
  };
  showFilters(queue);
  wire(queue);
  loadChannels(queue).then(function () {
    fromAddress(queue);
    load(queue, false);
  });
}

// ---- the queue page's parts: QUEUE is {me, isAdmin, lists (the lists the role picks from,
// none: its own only), page (the page number shown), loading (numbers the loads: an older
// answer is dropped), channelsLoaded, form, out, result, pager} ---

// The sections the role sees, and the filters' choices from the vocabulary.
function showFilters(queue) {
  document.getElementById('queue-section').hidden = false;
  document.getElementById('queue-field').hidden = !queue.lists.length;
  var fQueue = queue.form.elements.namedItem('queue');
  Array.prototype.slice.call(fQueue.options).forEach(function (o) {
    if (queue.lists.indexOf(o.value) < 0) fQueue.removeChild(o);
  });
  document.getElementById('halls-link').hidden = !queue.isAdmin;
  if (queue.isAdmin) auditForm();

  var fBusiness = queue.form.elements.namedItem('business');
  fBusiness.appendChild(dom.option('', '全部业务'));
  V.businesses.forEach(function (b) { fBusiness.appendChild(dom.option(b.code, b.zh)); });
  var fKind = queue.form.elements.namedItem('kind');
  fKind.appendChild(dom.option('', '全部证书类型'));
  V.kinds.forEach(function (k) { fKind.appendChild(dom.option(k.code, k.zh)); });
}

// The filter form, its reset, paging, the refresh button and the browser's back and forward.
function wire(queue) {
  queue.form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    queue.page = 1;
    load(queue, true);
  });
  if (queue.lists.length) {
    queue.form.elements.namedItem('queue').addEventListener('change', function () {
      fillStates(queue, '');
      queue.page = 1;
      load(queue, true);
    });
  }
  document.getElementById('filter-reset').addEventListener('click', function () {
    var q = queue.lists.length ? queue.form.elements.namedItem('queue').value : '';
    queue.form.reset();
    if (queue.lists.length) queue.form.elements.namedItem('queue').value = q;
    fillStates(queue, '');
    queue.page = 1;
    load(queue, true);
  });
  document.getElementById('queue-refresh').addEventListener('click', function () { load(queue, false); });
  document.getElementById('page-prev').addEventListener('click', function () {
    if (queue.page > 1) { queue.page--; load(queue, true); }
  });
  document.getElementById('page-next').addEventListener('click', function () {
    queue.page++;
    load(queue, true);
  });
  window.addEventListener('popstate', function () {
    fromAddress(queue);
    load(queue, false);
  });
}

function queueName(queue) {
  return queue.lists.length ? queue.form.elements.namedItem('queue').value : ROLE_QUEUE[queue.me.role] || 'review';
}

// The state filter, offered where the list holds more than one state.
function fillStates(queue, keep) {
  var sel = queue.form.elements.namedItem('state');
  document.getElementById('state-field').hidden = queueName(queue) === 'returned';
  dom.clear(sel);
  sel.appendChild(dom.option('', '全部状态'));
  var states = QUEUE_STATES[queueName(queue)];
  (states ? states() : []).forEach(function (s) {
    sel.appendChild(dom.option(s, V.stateName(s), s === keep));
  });
}

function setSelect(queue, name, value) {
  var sel = queue.form.elements.namedItem(name);
  if (!value) { sel.value = ''; return; }
  var found = Array.prototype.some.call(sel.options, function (o) { return o.value === value; });
  if (!found) sel.appendChild(dom.option(value, value));
  sel.value = value;
}

// The filters from the address (a reload or a shared link shows the same page).
function fromAddress(queue) {
  var q = new URLSearchParams(location.search);
  if (queue.lists.length) queue.form.elements.namedItem('queue').value = queue.lists.indexOf(q.get('queue')) >= 0 ? q.get('queue') : 'review';
  fillStates(queue, q.get('state') || '');
  setSelect(queue, 'state', q.get('state') || '');
  setSelect(queue, 'channel', q.get('channel') || '');
  setSelect(queue, 'business', q.get('business') || '');
  setSelect(queue, 'kind', q.get('kind') || '');
  ['from', 'to', 'order_no', 'subject'].forEach(function (n) { queue.form.elements.namedItem(n).value = q.get(n) || ''; });
  queue.form.elements.namedItem('per_page').value = q.get('per_page') === '50' ? '50' : '20';
  var p = parseInt(q.get('page') || '1', 10);
  queue.page = p >= 1 && p <= 2000 ? p : 1;
  document.getElementById('queue-lead').textContent = QUEUE_LEADS[queueName(queue)];
}

// The filters as query parameters, or an error naming the field.
function collect(queue) {
  var params = new URLSearchParams(), v;
  for (var i = 0; i < FILTERS.length; i++) {
    var n = FILTERS[i];
    if (n === 'queue' && !queue.lists.length) continue;
    if (n === 'state' && queueName(queue) === 'returned') continue;
    v = queue.form.elements.namedItem(n).value.trim();
    if (n === 'per_page' && v === '20') continue;
    if (v) params.set(n, v);
  }
  var no = params.get('order_no'), subj = params.get('subject');
  var from = params.get('from'), to = params.get('to');
  if (no && !/^\d{18}$/.test(no)) return { error: { field: 'order_no', message: '订单号应为 18 位数字，请核对后重新输入。' } };
  if (subj && (dom.chars(subj) > 50 || dom.hasControl(subj)))
    return { error: { field: 'subject', message: '申请单位或申请人名称应为 1 至 50 个字，且不能含有控制字符。' } };
  if (from && !/^\d{4}-\d{2}-\d{2}$/.test(from)) return { error: { field: 'from', message: '起始日期应为 YYYY-MM-DD 格式的日期。' } };
  if (to && !/^\d{4}-\d{2}-\d{2}$/.test(to)) return { error: { field: 'to', message: '截止日期应为 YYYY-MM-DD 格式的日期。' } };
  if (from && to && to < from) return { error: { field: 'to', message: '截止日期不能早于起始日期。' } };
  return { params: params };
}

function waitedCell(queue, item) {
  var span = dom.el('span', 'waited');
  var max = parseInt(String(item.promise_days || '').split(/[–-]/).pop(), 10);
  if (item.waited_days === null || item.waited_days === undefined) {
    span.textContent = '—';
  } else {
    span.textContent = item.waited_days + ' 个工作日';
    if (item.overdue) span.classList.add('waited-overdue');
    else if (!isNaN(max) && item.waited_days >= max) span.classList.add('waited-due');
  }
  var wrap = dom.el('div');
  wrap.appendChild(span);
  wrap.appendChild(dom.el('span', 'sub', '承诺 ' + dom.text(item.promise_days) + ' 个工作日'));
  if (item.overdue) wrap.appendChild(dom.badge('已超期', 'bad'));
  return wrap;
}

function claimCell(queue, c, first) {
  var wrap = dom.el('div');
  if (!c) wrap.appendChild(dom.el('span', 'muted', '未领取'));
  else {
    wrap.appendChild(dom.el('span', c.me ? 'claim-mine' : null, dom.text(c.name) + (c.me ? '（我）' : '')));
    wrap.appendChild(dom.el('span', 'sub', '领取于 ' + S.when(c.claimed_at)));
  }
  // Four-eyes: the first approval, awaiting another reviewer's.
  if (first) wrap.appendChild(dom.el('span', 'sub', dom.text(first.name) + ' 已第一次审核通过，待复核'));
  return wrap;
}

// The returned list's column: why the order was sent back (the reviewer's reason in words), and when.
function returnedCell(it) {
  var why = it.returned || {};
  var wrap = dom.el('div');
  wrap.appendChild(dom.el('span', 'returned-why', dom.text(why.reason)));
  wrap.appendChild(dom.el('span', 'sub', '退回于 ' + dom.text(S.when(why.at))));
  return wrap;
}

// No orders: a word for it, and the order asked for by its number, which may wait elsewhere.
function emptyState(queue, params, returnedList) {
  var empty = dom.el('div', 'empty-state');
  empty.appendChild(dom.el('p', null, queue.page > 1 ? '这一页没有订单了。'
    : returnedList ? '没有符合条件的已退回、待申请人补正的订单。' : '没有符合条件的待办订单。'));
  var no = params.get('order_no');
  if (no) {
    var p = dom.el('p');
    p.appendChild(dom.link('查看订单 ' + no + ' 的详情', 'staff-order.html?no=' + encodeURIComponent(no)));
    empty.appendChild(p);
  }
  return empty;
}

// One order's cells; the returned list shows why and when in place of the days waited.
function queueRow(queue, it, returnedList) {
  var noCell = dom.el('div');
  noCell.appendChild(dom.link(it.order_no, 'staff-order.html?no=' + encodeURIComponent(it.order_no), 'order-link'));
  noCell.appendChild(dom.el('span', 'sub', '提交于 ' + S.when(it.submitted_at)));
  var what = dom.el('div');
  what.appendChild(dom.el('span', null, dom.text(it.business_name || V.zh('businesses', it.business))));
  what.appendChild(dom.el('span', 'sub', dom.text(it.kind_name || V.zh('kinds', it.kind))));
  var stateCell = dom.el('div');
  stateCell.appendChild(S.stateBadge(it.state, it.state_name));
  if (it.pay_method) stateCell.appendChild(dom.el('span', 'sub', V.zh('pay_methods', it.pay_method)));
  // Sent back before and resubmitted: why it was returned (the reviewer's reason).
  if (!returnedList && it.returned && it.returned.reason) {
    stateCell.appendChild(dom.el('span', 'sub returned-reason', '上次退回：' + it.returned.reason));
  }
  var ch = dom.el('div');
  ch.appendChild(dom.el('span', null, dom.text(it.channel_name)));
  ch.appendChild(dom.el('span', 'sub', dom.text(it.channel)));
  return [noCell, { text: it.subject_name }, what, ch, stateCell,
    returnedList ? returnedCell(it) : waitedCell(queue, it), claimCell(queue, it.claimed_by, it.first_approved_by)];
}

// The rows past or at the channel's promise, coloured.
function markDue(table, items) {
  var trs = table.querySelectorAll('tbody tr');
  items.forEach(function (it, i) {
    var max = parseInt(String(it.promise_days || '').split(/[–-]/).pop(), 10);
    if (it.overdue) trs[i].classList.add('row-overdue');
    else if (typeof it.waited_days === 'number' && !isNaN(max) && it.waited_days >= max) trs[i].classList.add('row-due');
  });
}

function render(queue, body, params) {
  dom.clear(queue.result);
  var items = Array.isArray(body.items) ? body.items : [];
  var returnedList = body.queue === 'returned';
  if (!items.length) {
    queue.result.appendChild(emptyState(queue, params, returnedList));
  } else {
    var rows = items.map(function (it) { return queueRow(queue, it, returnedList); });
    var table = dom.table(['订单号', '申请单位 / 申请人', '业务', '渠道', '状态', returnedList ? '退回原因' : '已等待', '领取人'],
      rows, 'queue-table');
    // Waiting for the applicant: no promise runs.
    if (!returnedList) markDue(table, items);
    queue.result.appendChild(table);
  }
  queue.pager.hidden = queue.page === 1 && !body.has_more;
  document.getElementById('page-prev').disabled = queue.page <= 1;
  document.getElementById('page-next').disabled = !body.has_more;
  document.getElementById('page-info').textContent = '第 ' + queue.page + ' 页' +
    (items.length ? '（本页 ' + items.length + ' 条）' : '');
}

function load(queue, push) {
  dom.unmark(queue.form);
  dom.clear(queue.out);
  var c = collect(queue);
  if (c.error) return dom.formError(queue.form, queue.out, c.error);
  var params = c.params;
  if (queue.page > 1) params.set('page', String(queue.page));
  var search = params.toString();
  var addr = 'staff.html' + (search ? '?' + search : '');
  if (push) history.pushState(null, '', addr);
  else history.replaceState(null, '', addr);
  try { sessionStorage.setItem('certhall.staff.queue', addr); } catch (e) { /* private mode */ }
  document.getElementById('queue-lead').textContent = QUEUE_LEADS[queueName(queue)];
  var query = new URLSearchParams(search);
  if (queue.isAdmin && !query.get('queue')) query.set('queue', 'review');
  var mine = ++queue.loading;
  queue.result.setAttribute('aria-busy', 'true');
  return S.api('GET', '/api/review/queue?' + query.toString()).then(function (r) {
    if (mine !== queue.loading) return;
    queue.result.removeAttribute('aria-busy');
    if (!r.ok) {
      dom.clear(queue.result);
      queue.pager.hidden = true;
      return dom.formError(queue.form, queue.out, r.error);
    }
    render(queue, r.body, params);
  });
}

function loadChannels(queue) {
  if (queue.channelsLoaded) return Promise.resolve();
  return S.api('GET', '/api/wizard/catalog').then(function (r) {
    if (!r.ok || !Array.isArray(r.body.channels)) return;
    queue.channelsLoaded = true;
    var sel = queue.form.elements.namedItem('channel');
    r.body.channels.forEach(function (c) {
      if (c && typeof c.code === 'string') sel.appendChild(dom.option(c.code, (c.name || c.code) + '（' + c.code + '）'));
    });
  });
}

// Admin: the audit export is a plain GET the browser downloads (Content-Disposition: attachment);
// the dates are checked here first so that the server's JSON error page is never what one gets.
function auditForm() {
  var section = document.getElementById('audit-section');
  var form = document.getElementById('audit-form');
  var out = document.getElementById('audit-result');
  var today = new Date();
  var iso = function (d) {
    return d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2);
  };
  form.elements.namedItem('to').value = iso(today);
  form.elements.namedItem('from').value = iso(new Date(today.getFullYear(), today.getMonth(), 1));
  section.hidden = false;
  form.addEventListener('submit', function (ev) {
    dom.unmark(form);
    dom.clear(out);
    var f = form.elements.namedItem('from').value, t = form.elements.namedItem('to').value;
    var err = null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f)) err = { field: 'from', message: '请选择起始日期（YYYY-MM-DD）。' };
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) err = { field: 'to', message: '请选择截止日期（YYYY-MM-DD）。' };
    else if (t < f) err = { field: 'to', message: '截止日期不能早于起始日期。' };
    if (err) {
      ev.preventDefault();
      dom.formError(form, out, err);
      return;
    }
    out.appendChild(dom.alert('正在生成 ' + f + ' 至 ' + t + ' 的审计记录，浏览器将开始下载 CSV 文件。', 'info'));
  });
}

if (document.body && document.body.getAttribute('data-page') === 'queue') {
  S.start(queuePage);
}
