/* certhall staff console: the halls' own data (staff-hall.html, admin only): each hall's
 * offers, review promise, bank desk and paper address, its fee rows, and the agreements; each
 * edited through /api/review/admin/halls. Every value from the server reaches the page through
 * textContent, a form control's value or an attribute set by the DOM, never innerHTML. The
 * names of the codes come with the answer (choices), not from a copy here.
 */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';

var API = '/api/review/admin/halls';

// [member, label, may be empty]
var LISTS = [
  ['businesses', '办理的业务'], ['kinds', '签发的证书类型'], ['verify_methods', '企业认证方式'],
  ['handler_methods', '经办人认证方式'], ['pay_methods', '支付方式'],
  ['paper_businesses', '在线提交后须寄送纸质材料、寄达后办理的业务', true],
  ['counter_businesses', '只在前台现场办理的业务', true],
  ['desk_only_businesses', '只收对公转账或现场缴费（不收微信、支付宝扫码）的业务', true],
  ['four_eyes_businesses', '须经第二位审核人员复核通过的业务（四眼原则：第一位通过后，须另一位审核人员再次通过）', true],
  ['change_items', '信息变更可变更的事项']
];
var FLAGS = [['mail_in', '企业认证失败时可转为线下邮寄纸质材料'], ['renew_expired_online', '已过期的证书可在线更新'],
  ['seal_change_online', '可在线变更签章（否：变更签章须邮寄介质）'],
  ['unlock_auto', '经办人与上笔业务的经办人一致时，解锁自动审核'],
  ['uploads_after_verify', '企业（法定代表人）核验“认证成功”后才能上传资料'],
  ['form_lr_clause', '申请表内含法定代表人授权委托及单位声明（不另交授权书）'],
  ['letter_face_qr', '授权委托书印有与订单绑定的法人刷脸核验二维码（法定代表人扫码刷脸）'],
  ['fin_after_approval', '审核通过后进行金融认证：微信/支付宝付款的订单，向单位基本户打款 0.01 元，证书PIN码随转账附言下发'],
  ['review_days_public', '向申请人告知审核时限（办理指南未载明时限的不勾选）'],
  ['seal_sheet_lr', '电子印章采样表含法定代表人章方框'],
  ['person_self', '个人证书由申请人本人办理（经办人须为证书持有人本人）'],
  ['invoice_title_edit', '申请人填写发票抬头（否则为申请单位或持有人名称，不可修改）']];
var CHOICES = [['invoice_when', '开具电子发票的时点'], ['invoice_via', '电子发票发送至']];
var INVOICE = [['invoice_promise', '发票送达时限（如“24小时内”）', 60], ['invoice_purpose', '发票用途（如“介质服务费”）', 30],
  ['sla_mail', '订单超过审核时限时通知的管理员邮箱（至多 5 个，英文逗号分隔；不通知则留空）', 300]];
// [member, label, max characters]: the columns' bounds (schema/0014_hall.sql).
var DESK = [
  ['desk_payee', '收款单位（开户名）', 100], ['desk_bank', '开户行', 100], ['desk_account', '收款账号', 40],
  ['desk_memo', '汇款备注须注明的文字（订单号之前）', 60], ['desk_address', '现场缴费地址', 200],
  ['desk_hours', '营业时间', 100], ['desk_phone', '客服电话', 60]
];
var PAPER = [
  ['paper_org', '收件单位', 100], ['paper_recipient', '收件人', 100], ['paper_address', '收件地址', 200],
  ['paper_phone', '联系电话', 60], ['paper_note', '邮寄须知（如“不接收挂号信”）', 200],
  ['paper_renew_items', '已过期证书线下更新须邮寄的材料（如“三、申请材料”，含证书介质、汇款凭证）', 500]
];
var BASES = { priced: '按标准收费', free: '免费', quoted: '预审时报价' };
var FLOWS = { pay_first: '先付款后审核', two_stage: '预审通过后付款' };
var BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
var MONEY = /^\d{1,8}(\.\d{1,2})?$/;

var data = null;

function nameOf(list, code) {
  var found = (data && data.choices && data.choices[list] || []).filter(function (c) { return c.code === code; })[0];
  return found && found.name ? found.name : code;
}

// A text a person typed, as the server will take it: length, no control or direction characters.
function textError(value, max, label) {
  if (dom.chars(value) > max) return label + '最多 ' + max + ' 个字。';
  if (dom.hasControl(value) || BIDI.test(value)) return label + '不能含有控制字符或文字方向控制符。';
  return null;
}

function field(form, id, label, control, wide) {
  var f = el('div', 'field' + (wide ? ' field-wide' : ''));
  var l = el('label', null, label);
  l.htmlFor = id;
  control.id = id;
  f.appendChild(l);
  f.appendChild(control);
  form.appendChild(f);
  return control;
}

function input(name, value, max) {
  var i = el('input');
  i.type = 'text';
  i.name = name;
  i.value = value === undefined || value === null ? '' : String(value);
  if (max) i.maxLength = max;
  i.autocomplete = 'off';
  return i;
}

function checkbox(parent, name, value, label, checked) {
  var l = el('label', 'check');
  var i = el('input');
  i.type = 'checkbox';
  i.name = name;
  i.value = value;
  i.checked = !!checked;
  l.appendChild(i);
  l.appendChild(el('span', null, label));
  parent.appendChild(l);
  return i;
}

function result(form) {
  var out = el('div', 'form-result');
  out.setAttribute('aria-live', 'polite');
  form.appendChild(out);
  return out;
}

function submitButton(form, label) {
  var actions = el('div', 'actions');
  var b = el('button', null, label);
  b.type = 'submit';
  actions.appendChild(b);
  form.appendChild(actions);
  return b;
}

// ---- one hall's settings ---------------------------------------------------------------------

function settingsForm(hall, done) {
  var form = el('form', 'form');
  form.noValidate = true;
  LISTS.forEach(function (l) {
    var box = el('fieldset', 'field field-wide');
    box.appendChild(el('legend', null, l[1]));
    (data.choices[l[0].indexOf('_businesses') > 0 ? 'businesses' : l[0]] || []).forEach(function (c) {
      checkbox(box, l[0], c.code, c.name || c.code, (hall[l[0]] || []).indexOf(c.code) >= 0);
    });
    form.appendChild(box);
  });
  ['review_days_min', 'review_days_max'].forEach(function (n, i) {
    var d = el('input');
    d.type = 'number';
    d.name = n;
    d.min = '1';
    d.max = '30';
    d.value = String(hall[n]);
    var f = field(form, 'h-' + hall.code + '-' + n, i ? '审核时限上限（工作日）' : '审核时限下限（工作日）', d);
    f.parentNode.classList.add('field-short');
  });
  var flags = el('fieldset', 'field field-wide');
  flags.appendChild(el('legend', null, '办理方式'));
  FLAGS.forEach(function (f) { checkbox(flags, f[0], '1', f[1], hall[f[0]]); });
  form.appendChild(flags);
  form.appendChild(el('h4', 'field-wide', '收款账户与现场缴费（对公转账、现场缴费时向申请人显示）'));
  DESK.forEach(function (d) { field(form, 'h-' + hall.code + '-' + d[0], d[1], input(d[0], hall[d[0]], d[2]), d[2] >= 200); });
  form.appendChild(el('h4', 'field-wide', '纸质材料收件信息（邮寄纸质材料时向申请人显示）'));
  PAPER.forEach(function (d) { field(form, 'h-' + hall.code + '-' + d[0], d[1], input(d[0], hall[d[0]], d[2]), d[2] >= 200); });
  form.appendChild(el('h4', 'field-wide', '电子发票（申请人选择开具时）'));
  CHOICES.forEach(function (c) {
    var sel = el('select');
    sel.name = c[0];
    (data.choices[c[0]] || []).forEach(function (o) {
      var opt = el('option', null, o.name || o.code);
      opt.value = o.code;
      opt.selected = o.code === hall[c[0]];
      sel.appendChild(opt);
    });
    field(form, 'h-' + hall.code + '-' + c[0], c[1], sel);
  });
  INVOICE.forEach(function (d) { field(form, 'h-' + hall.code + '-' + d[0], d[1], input(d[0], hall[d[0]], d[2])); });
  var submit = submitButton(form, '保存营业厅设置');
  var out = result(form);

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var body = { updated_at: hall.updated_at === undefined ? null : hall.updated_at };
    var err = null;
    LISTS.forEach(function (l) {
      body[l[0]] = Array.prototype.filter.call(form.querySelectorAll('input[name="' + l[0] + '"]'), function (i) {
        return i.checked;
      }).map(function (i) { return i.value; });
      if (!err && !l[2] && !body[l[0]].length) err = { field: l[0], message: l[1] + '至少选择一项。' };
    });
    ['review_days_min', 'review_days_max'].forEach(function (n) {
      var v = form.elements.namedItem(n).value.trim();
      body[n] = /^\d{1,2}$/.test(v) ? parseInt(v, 10) : NaN;
      if (!err && !(body[n] >= 1 && body[n] <= 30)) err = { field: n, message: '审核时限应为 1 至 30 个工作日。' };
    });
    if (!err && body.review_days_min > body.review_days_max) {
      err = { field: 'review_days_min', message: '审核时限下限不能大于上限。' };
    }
    FLAGS.forEach(function (f) { body[f[0]] = form.querySelector('input[name="' + f[0] + '"]').checked; });
    CHOICES.forEach(function (c) { body[c[0]] = form.elements.namedItem(c[0]).value; });
    DESK.concat(PAPER, INVOICE).forEach(function (d) {
      var v = form.elements.namedItem(d[0]).value.trim();
      body[d[0]] = v;
      var e = textError(v, d[2], d[1]);
      if (!err && e) err = { field: d[0], message: e };
    });
    if (err) return dom.formError(form, out, err);
    S.busy(submit, S.api('PUT', API + '/' + encodeURIComponent(hall.code), body)).then(function (r) {
      if (!r.ok) {
        if (r.error.code === 'conflict') {
          dom.clear(out);
          out.appendChild(dom.alert([r.error.message, '点击页面上方的“刷新”查看最新设置。'], 'conflict'));
          return;
        }
        return dom.formError(form, out, r.error);
      }
      done(r.body.hall, r.body.changed ? '已保存 ' + r.body.changed + ' 项修改。' : '没有需要保存的修改。');
    });
  });
  return form;
}

// ---- one hall's fees -------------------------------------------------------------------------

function itemText(it, year) {
  if (!it) return '—';
  var s = dom.text(it.label) + '（' + dom.text(it.code) + '）' + S.yuan(it.amount_fen) + ' 元';
  if (year) s += it.from === 2 ? ' / 年（第二年起）' : ' / 年';
  return s;
}

function feePath(hall, business, kind) {
  return API + '/' + encodeURIComponent(hall.code) + '/fees/' + encodeURIComponent(business) + '/' +
    encodeURIComponent(kind);
}

function feeTable(hall, edit, reload) {
  var fees = Array.isArray(hall.fees) ? hall.fees : [];
  if (!fees.length) return el('p', 'muted', '该营业厅还没有收费设置：不向申请人提供任何业务。');
  var rows = fees.map(function (f) {
    var buttons = el('div');
    var e = el('button', 'btn-secondary btn-small', '修改');
    e.type = 'button';
    e.addEventListener('click', function () { edit(f); });
    var d = el('button', 'btn-secondary btn-small', '删除');
    d.type = 'button';
    d.addEventListener('click', function () {
      if (!window.confirm('删除后，' + hall.name + '将不再受理“' + dom.text(f.business_name) + ' · ' +
        dom.text(f.kind_name) + '”。确定删除吗？')) return;
      S.busy(d, S.api('DELETE', feePath(hall, f.business, f.kind))).then(function (r) {
        if (!r.ok) return S.notice(dom.errorAlert(r.error));
        reload('已删除“' + dom.text(f.business_name) + ' · ' + dom.text(f.kind_name) + '”的收费设置。');
      });
    });
    buttons.appendChild(e);
    buttons.appendChild(d);
    var what = el('div');
    what.appendChild(el('span', null, dom.text(f.business_name || f.business)));
    what.appendChild(el('span', 'sub', dom.text(f.kind_name || f.kind)));
    var extra = [];
    if (f.seal_fen) extra.push('电子印章 ' + S.yuan(f.seal_fen) + ' 元');
    if (f.warranty_free) extra.push('质保期内质量问题免费');
    return [what, BASES[f.basis] || f.basis, f.max_years + ' 年', itemText(f.once, false), itemText(f.year, true),
      extra.join('；') || '—', { text: f.source }, S.when(f.updated_at) + (f.updated_by ? ' ' + f.updated_by : ''), buttons];
  });
  return dom.table(['业务 / 证书类型', '计费方式', '最长年限', '一次性费用', '年费', '其他', '费用依据', '修改时间', ''], rows);
}

// The inputs of item `name` (once, year): name_code, name_label, name_amount (year: year_from).
function itemFields(form, prefix, name, label, it, withFrom) {
  var box = el('fieldset', 'field field-wide');
  box.appendChild(el('legend', null, label));
  var row = el('div', 'form');
  box.appendChild(row);
  field(row, prefix + '-code', '项目代码', input(name + '_code', it ? it.code : '', 32));
  field(row, prefix + '-label', '项目名称', input(name + '_label', it ? it.label : '', 60));
  field(row, prefix + '-amount', '金额（元）', input(name + '_amount', it ? it.amount : '', 14));
  if (withFrom) {
    var sel = el('select');
    sel.name = 'year_from';
    sel.appendChild(dom.option('1', '每年收取', !it || it.from !== 2));
    sel.appendChild(dom.option('2', '第二年起每年收取', it && it.from === 2));
    field(row, prefix + '-from', '起算', sel);
  }
  form.appendChild(box);
}

// The form of one fee row: a new one (f null) or the row f.
function feeForm(hall, f, done, cancel) {
  var form = el('form', 'form stage-form');
  form.noValidate = true;
  var p = 'fee-' + hall.code;
  form.appendChild(el('h4', 'field-wide', f ? '修改收费：' + dom.text(f.business_name) + ' · ' + dom.text(f.kind_name) : '新增收费'));
  var b = el('select'), k = el('select'), basis = el('select'), years = el('select');
  b.name = 'business';
  k.name = 'kind';
  basis.name = 'basis';
  years.name = 'max_years';
  (data.choices.businesses || []).forEach(function (c) { b.appendChild(dom.option(c.code, c.name, f && f.business === c.code)); });
  (data.choices.kinds || []).forEach(function (c) { k.appendChild(dom.option(c.code, c.name, f && f.kind === c.code)); });
  Object.keys(BASES).forEach(function (c) { basis.appendChild(dom.option(c, BASES[c], f && f.basis === c)); });
  [1, 2, 3, 4, 5].forEach(function (y) { years.appendChild(dom.option(String(y), y + ' 年', f ? f.max_years === y : y === 5)); });
  b.disabled = k.disabled = !!f;
  field(form, p + '-business', '业务', b);
  field(form, p + '-kind', '证书类型', k);
  field(form, p + '-basis', '计费方式', basis);
  field(form, p + '-years', '最长办理年限', years);
  itemFields(form, p + '-once', 'once', '一次性费用（不填则无）', f && f.once, false);
  itemFields(form, p + '-year', 'year', '年费（不填则无）', f && f.year, true);
  field(form, p + '-seal', '电子印章重新制作费（元）', input('seal', f ? f.seal : '0.00', 14));
  var w = el('div', 'field');
  checkbox(w, 'warranty_free', '1', '质保期内质量问题免费更换', f && f.warranty_free);
  form.appendChild(w);
  var src = el('textarea');
  src.name = 'source';
  src.rows = 3;
  src.maxLength = 600;
  src.value = f ? f.source : '';
  field(form, p + '-source', '费用依据（办理指南原文，或借用了哪个营业厅的价格）', src, true);
  var submit = submitButton(form, '保存收费');
  var back = el('button', 'btn-secondary', '取消');
  back.type = 'button';
  back.addEventListener('click', cancel);
  submit.parentNode.appendChild(back);
  var out = result(form);

  function item(name, label) {
    var code = form.elements.namedItem(name + '_code').value.trim();
    var lab = form.elements.namedItem(name + '_label').value.trim();
    var amount = form.elements.namedItem(name + '_amount').value.trim();
    if (!code && !lab && !amount) return { value: null };
    if (!/^[a-z0-9_]{1,32}$/.test(code)) return { error: { field: name + '_code', message: label + '的项目代码应为 1 至 32 位小写字母、数字或下划线。' } };
    if (!lab || textError(lab, 60, '')) return { error: { field: name + '_label', message: label + '的名称必填，最多 60 个字，不能含有控制字符。' } };
    if (!MONEY.test(amount)) return { error: { field: name + '_amount', message: label + '的金额应为以元为单位的数字，如 260.00。' } };
    var v = { code: code, label: lab, amount: amount };
    if (name === 'year') v.from = parseInt(form.elements.namedItem('year_from').value, 10);
    return { value: v };
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    dom.clear(out);
    var once = item('once', '一次性费用'), year = item('year', '年费');
    var seal = form.elements.namedItem('seal').value.trim() || '0';
    var source = src.value.trim();
    var err = once.error || year.error;
    if (!err && !MONEY.test(seal)) err = { field: 'seal', message: '电子印章费应为以元为单位的数字，如 100.00。' };
    if (!err && !source) err = { field: 'source', message: '请写明费用依据。' };
    if (!err && textError(source, 600, '费用依据')) err = { field: 'source', message: textError(source, 600, '费用依据') };
    if (!err && basis.value === 'priced' && !once.value && !year.value) {
      err = { field: 'once_code', message: '按标准收费至少需要一个收费项目（一次性费用或年费）。' };
    }
    if (err) return dom.formError(form, out, err);
    var body = {
      basis: basis.value, max_years: parseInt(years.value, 10), once: once.value, year: year.value,
      seal: seal, warranty_free: form.querySelector('input[name="warranty_free"]').checked, source: source
    };
    S.busy(submit, S.api('PUT', feePath(hall, b.value, k.value), body)).then(function (r) {
      if (!r.ok) return dom.formError(form, out, r.error);
      done((r.body.changed ? '已保存“' : '没有需要保存的修改：“') + nameOf('businesses', b.value) + ' · ' +
        nameOf('kinds', k.value) + '”的收费设置' + (r.body.changed ? '。' : '与原来相同。'));
    });
  });
  return form;
}

// ---- the page --------------------------------------------------------------------------------

function hallSection(hall) {
  var section = el('section', 'panel');
  section.id = 'hall-' + hall.code;
  var slot = el('div');

  function render(h, message) {
    hall = h;
    dom.clear(section);
    section.appendChild(el('h2', null, hall.name + '（' + hall.code + '）'));
    section.appendChild(S.details([
      ['认证机构', hall.ca_name], ['办理流程', FLOWS[hall.flow] || hall.flow], ['办理指南', hall.guide, true],
      ['最后修改', hall.updated_at ? S.when(hall.updated_at) + ' ' + dom.text(hall.updated_by) : '未修改（初始数据）']
    ], 'details-compact'));
    if (message) section.appendChild(dom.alert(message, 'ok'));
    section.appendChild(el('h3', null, '办理设置'));
    section.appendChild(settingsForm(hall, function (nh, msg) { render(nh, msg); }));
    section.appendChild(el('h3', null, '收费标准'));
    var add = el('button', 'btn-small', '新增收费');
    add.type = 'button';
    section.appendChild(feeTable(hall, edit, reload));
    var unpriced = Array.isArray(hall.unpriced) ? hall.unpriced : [];
    if (unpriced.length) {
      section.appendChild(dom.alert(['以下业务和证书类型列在办理范围内，但没有收费设置，因此不向申请人提供：',
        unpriced.map(function (u) { return dom.text(u.business_name) + ' · ' + dom.text(u.kind_name); }).join('、')], 'warn'));
    }
    section.appendChild(add);
    slot = el('div');
    section.appendChild(slot);
    add.addEventListener('click', function () { edit(null); });
  }

  function reload(message) {
    load().then(function () {
      var h = (data.halls || []).filter(function (x) { return x.code === hall.code; })[0];
      if (h) render(h, message);
    });
  }

  function edit(f) {
    dom.clear(slot);
    slot.appendChild(feeForm(hall, f, reload, function () { dom.clear(slot); }));
    var first = slot.querySelector('select:not([disabled]), input');
    if (first) first.focus();
  }

  render(hall, null);
  return section;
}

// Each hall has its own agreements: the list shows the versions of the hall chosen in the form,
// and a new version is published at that hall only.
function agreements() {
  var section = document.getElementById('agreements-section');
  var list = document.getElementById('agreements-list');
  var form = document.getElementById('agreement-form');
  var out = form.querySelector('.form-result');
  section.hidden = false;
  var code = form.elements.namedItem('code'), hall = form.elements.namedItem('hall');
  function drawList() {
    dom.clear(list);
    list.appendChild(dom.table(['协议', '版本', '标题', '发布时间', ''], (data.agreements || []).filter(function (a) {
      return a.channel === hall.value;
    }).map(function (a) {
      return [a.code, a.version, { text: a.title }, S.when(a.published_at), a.current ? dom.badge('当前版本', 'ok') : '—'];
    })));
  }
  if (!code.options.length) {
    var seen = {};
    (data.agreements || []).forEach(function (a) {
      if (!seen[a.code]) code.appendChild(dom.option(a.code, a.code + ' ' + a.title));
      seen[a.code] = true;
    });
    (data.halls || []).forEach(function (h) { hall.appendChild(dom.option(h.code, h.name)); });
    hall.addEventListener('change', drawList);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      dom.unmark(form);
      dom.clear(out);
      var body = {
        code: code.value, version: form.elements.namedItem('version').value.trim(),
        title: form.elements.namedItem('title').value.trim(), body: form.elements.namedItem('body').value
      };
      var err = null;
      if (!/^[0-9A-Za-z._-]{1,16}$/.test(body.version)) err = { field: 'version', message: '版本号应为 1 至 16 位字母、数字、点、下划线或连字符。' };
      else if (!body.title || textError(body.title, 100, '标题')) err = { field: 'title', message: '标题必填，最多 100 个字，不能含有控制字符。' };
      else if (!body.body.trim() || dom.chars(body.body) > 20000 || BIDI.test(body.body) ||
               /[\u0000-\u0009\u000b-\u001f\u007f]/.test(body.body)) err = { field: 'body', message: '正文必填，最多 20000 字，可换行，不能含有其他控制字符。' };
      if (err) return dom.formError(form, out, err);
      var name = hall.options[hall.selectedIndex] ? hall.options[hall.selectedIndex].text : hall.value;
      if (!window.confirm('发布后，仅「' + name + '」的申请人将阅读并同意新版本，其他营业厅的协议不变。确定发布吗？')) return;
      var submit = form.querySelector('button[type="submit"]');
      S.busy(submit, S.api('POST', API + '/' + encodeURIComponent(hall.value) + '/agreements', body)).then(function (r) {
        if (!r.ok) return dom.formError(form, out, r.error);
        var at = hall.value;
        form.reset();
        hall.value = at;
        load().then(function () {
          agreements();
          out.appendChild(dom.alert('已在「' + name + '」发布 ' + r.body.agreement.code + ' 的新版本 ' + r.body.agreement.version + '。', 'ok'));
        });
      });
    });
  }
  drawList();
}

function load() {
  return S.api('GET', API).then(function (r) {
    if (!r.ok) {
      S.notice(dom.errorAlert(r.error));
      return false;
    }
    data = r.body;
    return true;
  });
}

function renderAll() {
  var holder = document.getElementById('halls');
  var index = document.getElementById('halls-index');
  dom.clear(holder);
  dom.clear(index);
  (data.halls || []).forEach(function (h) {
    var a = el('a', 'tag', h.name);
    a.href = '#hall-' + h.code;
    index.appendChild(a);
    index.appendChild(document.createTextNode(' '));
    holder.appendChild(hallSection(h));
  });
  agreements();
}

S.start(function (me) {
  if (me.role !== 'admin') {
    S.notice(dom.alert('营业厅设置仅限管理员查看和修改。', 'warn'));
    return;
  }
  document.getElementById('halls-intro').hidden = false;
  document.getElementById('halls-refresh').addEventListener('click', function () {
    S.notice(null);
    load().then(function (ok) { if (ok) renderAll(); });
  });
  load().then(function (ok) { if (ok) renderAll(); });
});
