/* certhall: apply.html ("在线办理"). Without ?order=: the start (apply-start.js). With
 * ?order=<no> (&step=<step>): the wizard of that order, resumed where it stands: the step bar
 * from the order's "steps", the step's pane (wizard-steps.js, wizard-verify.js,
 * wizard-final.js), and the order's status once submitted. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';
import V from './vocab.js';
import { startPage } from './apply-start.js';
import { formLinks, formStep, materialsStep, payStep, signStep } from './wizard-final.js';
import { dataStep, isDataStep } from './wizard-steps.js';

var params = dom.params();
var me = null;
var catalog = null;

function show(id) {
  ['loading', 'start', 'wizard'].forEach(function (x) {
    document.getElementById(x).hidden = x !== id;
  });
}

function failPage(err) {
  var box = document.getElementById('loading');
  dom.clear(box);
  box.appendChild(dom.alert(err.message, 'bad', err.request_id));
  box.appendChild(dom.link('返回我的订单', 'orders.html'));
  show('loading');
}

function channelOf(code) {
  var list = catalog && Array.isArray(catalog.channels) ? catalog.channels : [];
  for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
  return null;
}

// ==== the wizard ===============================================================================

// reloads: how many ctx.reload has sent; shown: the newest of them whose answer is drawn.
var st = { token: 0, current: null, opts: {}, timers: [], reloads: 0, shown: 0 };

var ctx = {
  no: null,
  order: null,
  me: null,
  catalog: null,
  channel: null,
  token: function () { return st.token; },
  current: function () { return st.current; },
  opts: function () { return st.opts; },
  step: function (name) {
    var list = ctx.order && Array.isArray(ctx.order.steps) ? ctx.order.steps : [];
    for (var i = 0; i < list.length; i++) if (list[i].step === name) return list[i];
    return null;
  },
  has: function (name) { return name === 'status' || !!ctx.step(name); },
  names: function () { return (ctx.order.steps || []).map(function (s) { return s.step; }); },
  // The step after name, unless a data step up to it is still to do (金融认证信息 with its
  // transfer not yet confirmed): then that one, never past it.
  next: function (name) {
    var n = ctx.names();
    var i = n.indexOf(name);
    for (var k = 0; k < i; k++) {
      if (isDataStep(n[k]) && !stepDone(ctx.step(n[k]))) return n[k];
    }
    return i >= 0 && i + 1 < n.length ? n[i + 1] : 'status';
  },
  // Saved, and its check passed where the step holds one.
  done: function (name) {
    var s = ctx.step(name);
    return !!s && stepDone(s);
  },
  prev: function (name) {
    var n = ctx.names();
    var i = n.indexOf(name);
    return i > 0 ? n[i - 1] : null;
  },
  // Where a subject's check lives: the transfer method checks on the financial step.
  verifyStep: function (subject) {
    if (subject !== 'enterprise') return 'handler';
    return ctx.order.verify_method === 'transfer' && ctx.has('financial') ? 'financial' : 'enterprise';
  },
  after: function (fn, ms) { st.timers.push(setTimeout(fn, ms)); },
  stopTimers: function () {
    st.timers.forEach(clearTimeout);
    st.timers = [];
  },
  // Two reloads in flight (two scans uploaded quickly) may answer out of order: an answer older
  // than the one drawn is dropped, or it would bring back "还需上传" for the scan just taken.
  reload: function () {
    var seq = ++st.reloads;
    return api.request('GET', '/api/wizard/orders/' + encodeURIComponent(ctx.no)).then(function (r) {
      if (!r.ok || seq < st.shown) return;
      st.shown = seq;
      ctx.order = r.body;
      drawHead();
      drawSteps();
      drawNotice();
    });
  },
  // On from where the order stands now.
  resume: function () { ctx.go(chooseStep(null)); },
  go: function (name, opts) {
    ctx.stopTimers();
    st.token++;
    st.current = ctx.has(name) ? name : 'status';
    st.opts = opts || {};
    if (window.history && history.replaceState) {
      history.replaceState(null, '', 'apply.html?order=' + encodeURIComponent(ctx.no) +
        (st.current === 'status' ? '&step=status' : '&step=' + encodeURIComponent(st.current)));
    }
    drawSteps();
    drawPane();
  }
};

function latest(subject) {
  var list = Array.isArray(ctx.order.verifications) ? ctx.order.verifications : [];
  for (var i = 0; i < list.length; i++) if (list[i].subject === subject) return list[i];
  return null;
}

// The subjects whose check the order needs (fcgi-apps/wizard/verify_subject.c wizard_verified).
function needsCheck(subject) {
  if (subject === 'enterprise') return ctx.has('enterprise') && !ctx.order.mail_in;
  return ctx.has('handler');
}

// A step is done once saved (or marked by the server) and its check, if it holds one, has
// passed: the handler step is not ticked while its face check is pending.
function stepDone(s) {
  if (!s.done) return false;
  return ['enterprise', 'handler'].every(function (x) {
    if (!needsCheck(x) || ctx.verifyStep(x) !== s.step) return true;
    var v = latest(x);
    return !!v && v.state === 'passed';
  });
}

// The first step still to do.
function firstOpen() {
  var steps = ctx.order.steps || [];
  for (var i = 0; i < steps.length; i++) if (!stepDone(steps[i])) return steps[i].step;
  return 'status';
}

function failedCheck() {
  var subjects = ['enterprise', 'handler'];
  for (var i = 0; i < subjects.length; i++) {
    var v = latest(subjects[i]);
    if (needsCheck(subjects[i]) && v && v.state === 'failed') return ctx.verifyStep(subjects[i]);
  }
  return null;
}

function chooseStep(hint) {
  var o = ctx.order;
  if (hint === 'verify') return failedCheck() || firstOpen();
  if (hint && ctx.has(hint)) return hint;
  switch (o.state) {
    case 'draft': return firstOpen();
    // 001 金融认证失败 after approval: the account is entered again on the status page.
    case 'verify_failed': return o.fin_check && o.fin_check.state === 'failed' ? 'status' : failedCheck() || firstOpen();
    case 'returned': {
      var editable = (o.steps || []).filter(function (s) { return s.editable && isDataStep(s.step); })[0];
      if (editable) return editable.step;
      return ctx.has('materials') ? 'materials' : 'sign';
    }
    case 'pending_payment': return ctx.has('pay') ? 'pay' : 'status';
    default: return 'status';
  }
}

// ---- the parts of the page -------------------------------------------------------------------

function drawHead() {
  var o = ctx.order;
  var head = dom.clear(document.getElementById('order-head'));
  var top = dom.el('div', 'result-head');
  var h1 = dom.el('h1', null, (o.business_name || o.business) + ' · 订单 ');
  h1.id = 'order-title';
  h1.appendChild(dom.el('span', 'mono', o.order_no));
  top.appendChild(h1);
  top.appendChild(dom.badge(o.state_name || o.state, P.stateTone(o.state)));
  head.appendChild(top);
  var meta = dom.el('p', 'order-meta');
  [o.kind_name || o.kind, o.subject_name, o.channel_name || o.channel,
    o.amount !== null && o.amount !== undefined ? '金额 ¥' + o.amount : '',
    '创建于 ' + dom.when(o.created_at)].forEach(function (t) {
    if (t) meta.appendChild(dom.el('span', null, t));
  });
  head.appendChild(meta);
  var bar = dom.el('div', 'toolbar');
  bar.appendChild(dom.button('订单状态与进度', 'btn-small btn-secondary', function () { ctx.go('status'); }));
  bar.appendChild(dom.link('我的订单', 'orders.html', 'btn btn-small btn-secondary'));
  head.appendChild(bar);
}

function drawSteps() {
  var ol = dom.clear(document.getElementById('stepbar'));
  (ctx.order.steps || []).forEach(function (s, i) {
    var done = stepDone(s);
    var li = dom.el('li', 'step' + (done ? ' done' : '') + (s.step === st.current ? ' current' : ''));
    var b = dom.button('', null, function () { ctx.go(s.step); });
    b.appendChild(dom.el('span', 'step-no', done ? '✓' : String(i + 1)));
    b.appendChild(dom.el('span', 'step-name', s.name));
    b.setAttribute('aria-label', '第 ' + (i + 1) + ' 步：' + s.name + (done ? '（已完成）' : ''));
    if (s.step === st.current) b.setAttribute('aria-current', 'step');
    li.appendChild(b);
    ol.appendChild(li);
  });
  // On a narrow screen the bar scrolls sideways: keep the current step in sight.
  var cur = ol.querySelector('.current');
  var bar = ol.parentNode;
  if (cur && bar.scrollWidth > bar.clientWidth) {
    bar.scrollLeft += cur.getBoundingClientRect().left - bar.getBoundingClientRect().left -
      (bar.clientWidth - cur.offsetWidth) / 2;
  }
}

// What the applicant must know first: why it came back, why a check failed, what mail-in is.
function drawNotice() {
  var o = ctx.order;
  var box = dom.clear(document.getElementById('notice'));
  if (o.state === 'returned') {
    var ev = (o.events || []).filter(function (e) { return e.kind === 'returned'; }).pop();
    var a = dom.alert('审核未通过，订单已退回修改' + (ev && ev.note ? '：' + ev.note : '。'), 'warn');
    var items = Array.isArray(o.editable) ? o.editable : [];
    if (items.length) {
      var names = items.map(function (code) {
        var s = ctx.step(code);
        return s ? s.name : code;
      });
      var p = dom.el('p', null, '需要修改或重新上传：' + names.join('、') + '。修改后在“' +
        ((ctx.step('sign') || {}).name || '签名') + '”一步重新提交。');
      a.appendChild(p);
      labelMaterials(p, items);
    }
    box.appendChild(a);
  } else if (o.state === 'verify_failed' && o.fin_check && o.fin_check.state === 'failed') {
    var fa = dom.alert('金融认证失败' + (o.fin_check.message ? '：' + dom.text(o.fin_check.message) : '') + '。', 'warn');
    box.appendChild(fa);
    if ((o.actions || []).indexOf('fin_check') >= 0) box.appendChild(P.finCheckForm(o, function () { location.reload(); }));
  } else if (o.state === 'verify_failed') {
    var v = (o.verifications || []).filter(function (x) { return x.state === 'failed'; })[0];
    var f = dom.alert('身份核验未通过' + (v ? '（' + dom.text(v.method_name || v.method) + '）' +
      (v.message ? '：' + v.message.replace(/[。.]$/, '') : '') : '') + '。请修改信息后重新核验' +
      ((o.actions || []).indexOf('mail_in') >= 0 ? '，或改为线下邮寄办理' : '') + '。', 'warn');
    box.appendChild(f);
  } else if (o.state === 'cancelled' || o.state === 'expired' || o.state === 'refunded') {
    var c = dom.alert('订单' + (o.state_name || o.state) + '，不能继续办理。如需办理，请重新申请。', 'info');
    c.appendChild(dom.link('重新申请', 'apply.html', 'btn btn-small'));
    box.appendChild(c);
  }
  if (o.mail_in && o.state !== 'cancelled') {
    box.appendChild(dom.alert('本订单已改为线下邮寄办理：单位身份以寄送的盖章纸质材料核实。', 'info'));
  }
}

// Material codes in a return's list get their names from the upload program, and a material
// uploaded again since the return leaves the list (issue 17: the banner kept asking for it).
function labelMaterials(p, items) {
  if (!items.some(function (c) { return !ctx.step(c); })) return;
  api.request('GET', '/api/upload/orders/' + encodeURIComponent(ctx.no) + '/materials').then(function (r) {
    if (!r.ok) return;
    var names = {}, redone = {};
    (r.body.materials || []).forEach(function (m) {
      names[m.kind] = m.name;
      // As the server counts it: page 1 there and no page of it refused.
      var pages = Array.isArray(m.uploads) ? m.uploads : (m.latest ? [m.latest] : []);
      redone[m.kind] = !!m.latest && !pages.some(function (p) { return p.state === 'rejected'; });
    });
    var sign = '“' + ((ctx.step('sign') || {}).name || '签名') + '”';
    var name = function (code) { var s = ctx.step(code); return s ? s.name : names[code] || code; };
    var todo = items.filter(function (code) { return ctx.step(code) || !redone[code]; });
    var done = items.filter(function (code) { return !ctx.step(code) && redone[code]; });
    p.textContent = (todo.length ? '需要修改或重新上传：' + todo.map(name).join('、') + '。' : '') +
      (done.length ? '已重新上传：' + done.map(name).join('、') + '。' : '') +
      (todo.length ? '修改后在' + sign + '一步重新提交。' : '请在' + sign + '一步重新提交。');
  });
}

function statusView(pane) {
  var o = ctx.order;
  pane.appendChild(dom.el('h2', null, '订单状态与进度'));
  var top = dom.el('p');
  top.appendChild(dom.badge(o.state_name || o.state, P.stateTone(o.state)));
  pane.appendChild(top);
  pane.appendChild(dom.details([
    ['订单号', o.order_no, 'mono'],
    ['业务类型', o.business_name || o.business],
    ['证书类型', o.kind_name || o.kind],
    ['办理渠道', o.channel_name || o.channel],
    ['主题', o.subject_name],
    ['证书年限', o.years ? o.years + ' 年' : null, null, true],
    ['订单金额', o.amount !== null && o.amount !== undefined ? '¥' + o.amount : null, null, true],
    ['支付方式', o.pay_method_name, null, true],
    ['更新后有效期', o.renew_not_before ? o.renew_not_before + ' 至 ' + dom.text(o.renew_not_after) : null,
      null, true],
    ['证书 PIN 码', o.pin_delivery_text, null, true],
    ['提交时间', dom.when(o.submitted_at), null, true],
    ['支付时间', dom.when(o.paid_at), null, true]
  ]));
  var next = dom.el('div', 'actions');
  if (o.state === 'draft' || o.state === 'verify_failed' || o.state === 'returned') {
    next.appendChild(dom.button(o.state === 'returned' ? '修改并重新提交' : '继续办理', null, function () {
      ctx.go(chooseStep(null));
    }));
  } else if (o.state === 'pending_payment' && ctx.has('pay')) {
    next.appendChild(dom.button('去支付', null, function () { ctx.go('pay'); }));
  }
  P.orderActions(o, pane, function () {
    ctx.reload().then(function () { ctx.go('status'); });
  }).forEach(function (b) { next.appendChild(b); });
  if (next.firstChild) pane.appendChild(next);
  if (o.state === 'awaiting_paper') {
    pane.appendChild(dom.el('h3', null, '寄送纸质材料'));
    pane.appendChild(dom.el('p', null, '请打印申请表等纸质材料，经办人签字并加盖单位公章后寄至受理点，并在下方登记快递运单号。'));
    // Where to: without it the order would wait for a parcel the applicant cannot address.
    var to = P.paperTo(o.paper_to);
    if (to) pane.appendChild(to);
    pane.appendChild(formLinks(ctx));
    pane.appendChild(P.waybillForm(ctx.no, function () { ctx.reload(); }));
  } else if (o.state === 'awaiting_key') {
    pane.appendChild(P.keyParcel(o, function () { ctx.reload(); }));
  } else if (o.state === 'pre_review' || o.state === 'reviewing' || o.state === 'paper_review') {
    var ch = ctx.channel;
    pane.appendChild(dom.el('p', 'note-info', '申请正在审核' + (ch && ch.review_days_min != null ? '，一般需要 ' + ch.review_days_min +
      (ch.review_days_max !== ch.review_days_min ? '–' + ch.review_days_max : '') + ' 个工作日' : '') +
      '。审核结果将以短信通知经办人。'));
  }
  pane.appendChild(dom.el('h3', null, '办理进度'));
  pane.appendChild(P.timeline(o.events));
}

function drawPane() {
  var pane = dom.clear(document.getElementById('pane'));
  var s = st.current;
  if (s === 'status') statusView(pane);
  else if (isDataStep(s)) dataStep(ctx, s, pane);
  else if (s === 'form') formStep(ctx, pane);
  else if (s === 'materials') materialsStep(ctx, pane);
  else if (s === 'sign') signStep(ctx, pane);
  else if (s === 'pay') payStep(ctx, pane);
  else statusView(pane);
  var bar = document.querySelector('.stepbar');
  if (bar && bar.getBoundingClientRect().top < 0) bar.scrollIntoView({ block: 'start' });
  pane.focus({ preventScroll: true });
}

function openOrder(no, hint) {
  if (!/^\d{18}$/.test(no || '')) {
    failPage({ message: '订单号应为 18 位数字，请从“我的订单”进入。' });
    return;
  }
  ctx.no = no;
  api.request('GET', '/api/wizard/orders/' + encodeURIComponent(no)).then(function (r) {
    if (!r.ok) {
      failPage(r.error);
      return;
    }
    ctx.order = r.body;
    ctx.channel = channelOf(r.body.channel);
    drawHead();
    drawNotice();
    show('wizard');
    ctx.go(chooseStep(hint));
  });
}

// ==== start ====================================================================================

// The vocabulary names the order's state and gives its badge a tone (vocab.js).
Promise.all([P.me(true), V.load()]).then(function (both) {
  var account = both[0];
  if (!account) return;
  me = account;
  ctx.me = account;
  api.request('GET', '/api/wizard/catalog').then(function (r) {
    if (!r.ok) {
      failPage(r.error);
      return;
    }
    catalog = r.body;
    ctx.catalog = catalog;
    if (params.order) {
      openOrder(params.order, params.step || null);
      return;
    }
    api.request('GET', '/api/wizard/certs').then(function (c) {
      startPage(document.getElementById('start-form'), me, catalog,
        c.ok && Array.isArray(c.body.certificates) ? c.body.certificates : [],
        { channel: params.channel || '', business: params.business || '', serial: params.serial || '' },
        function (no) { openOrder(no, null); });
      show('start');
    });
  });
});
