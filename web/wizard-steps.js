/* certhall: apply.html, the data steps of the wizard (agreements, enterprise, handler,
 * applicant, financial, change, product): each a form built from its saved data (GET
 * /api/wizard/orders/<no>/steps/<step>, personal values masked: sent back unchanged they keep
 * the saved value), saved with PUT, the server's message shown beside the field it names.
 * The fields are those of fcgi-apps/wizard/step_fields.c. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';
import V from './vocab.js';
import { verifyPanel } from './wizard-verify.js';


var MASK_HINT = '已保存的证件号、手机号等信息部分隐藏显示；不修改时保持原值，修改请完整重新填写。';

function methods(list) {
  return (Array.isArray(list) ? list : []).map(function (m) { return [m.code, m.name]; });
}

function is(form, name, values) {
  return values.indexOf(P.value(form, name)) >= 0;
}

// ---- each step's fields ----------------------------------------------------------------

var defs = {
  enterprise: function (ctx, data) {
    var ch = ctx.channel || {};
    return [
      { heading: '单位信息' },
      { name: 'org_name', label: '单位名称', max: 100, wide: true,
        value: data.org_name || (ctx.me && ctx.me.kind === 'org' ? ctx.me.name : ''),
        hint: '须与账号注册的单位名称完全一致；单位已更名的，请先办理信息变更。' },
      { name: 'province', label: '所在省份', max: 100, short: true, placeholder: '如 北京市' },
      { name: 'city', label: '所在城市', max: 100, short: true, placeholder: '如 北京市' },
      { name: 'district', label: '所在区县', max: 100, short: true, placeholder: '如 海淀区' },
      { name: 'address', label: '详细地址', max: 100, wide: true },
      { heading: '企业认证' },
      { name: 'method', label: '企业认证方式', type: 'radios', options: methods(ch.verify_methods),
        wide: true, hint: ctx.order.mail_in ? '本订单已改为线下邮寄办理：单位身份以寄送的盖章纸质材料核实，无需在线企业认证。' : null },
      // A hall whose application form names the legal representative (001) asks for his
      // name and ID number whatever the check.
      { name: 'lr_name', label: '法定代表人姓名', max: 30, short: true,
        when: function (f) { return P.value(f, 'method') && (ch.form_lr_clause || !is(f, 'method', ['transfer'])); } },
      { name: 'lr_id_number', label: '法定代表人身份证号码', max: 18, mono: true,
        hint: ch.form_lr_clause ? '申请表中的“法定代表人授权委托及单位声明”将列明法定代表人姓名和身份证号码。' : null,
        when: function (f) { return P.value(f, 'method') && (ch.form_lr_clause || !is(f, 'method', ['transfer'])); } },
      { name: 'lr_mobile', label: '法定代表人手机号码', type: 'tel', max: 16, mono: true, short: true,
        hint: '法定代表人本人实名登记的手机号码。',
        when: function (f) { return P.value(f, 'method') && !is(f, 'method', ['transfer']); } },
      { name: 'lr_bank_card', label: '法定代表人银行卡号', max: 19, mono: true, inputmode: 'numeric',
        hint: '法定代表人本人名下的银行卡，12 至 19 位数字。',
        when: function (f) { return is(f, 'method', ['lr_card']); } }
    ];
  },

  handler: function (ctx) {
    // 003: a person applies himself; the handler is the holder the order was opened for.
    var self = ctx.order.kind === 'person' && (ctx.channel || {}).person_self;
    return [
      { name: 'name', label: '经办人姓名', max: 30, short: true,
        hint: self ? '本渠道的个人证书须由申请人本人办理：请填写您本人的信息。' : null },
      { name: 'id_number', label: '经办人身份证号码', max: 18, mono: true,
        hint: self ? '须与创建订单时填写的证书持有人身份证号码一致。' : null },
      { name: 'mobile', label: '经办人手机号码', type: 'tel', max: 16, mono: true, short: true,
        hint: '经办人本人实名登记的手机号码：接收签署验证码和办理进度短信。' },
      { name: 'email', label: '经办人电子邮箱', type: 'email', max: 254,
        hint: invoiceVia(ctx) === 'sms' ? '接收办理通知。' : '接收电子发票和办理通知。' },
      { name: 'position', label: '经办人职务', max: 50, short: true },
      { name: 'method', label: '经办人认证方式', type: 'radios',
        options: methods((ctx.channel || {}).handler_methods), wide: true },
      { name: 'bank_card', label: '经办人银行卡号', max: 19, mono: true, inputmode: 'numeric',
        hint: '经办人本人名下的银行卡，12 至 19 位数字。',
        when: function (f) { return is(f, 'method', ['card']); } }
    ];
  },

  applicant: function (ctx) {
    return [
      { name: 'name', label: '申请人（证书持有人）姓名', max: 30, short: true },
      { name: 'id_number', label: '申请人身份证号码', max: 18, mono: true,
        hint: ctx.order.kind === 'person' ? '须与创建订单时填写的证书持有人身份证号码一致。' : null },
      { name: 'mobile', label: '申请人手机号码', type: 'tel', max: 16, mono: true, short: true },
      { name: 'email', label: '申请人电子邮箱', type: 'email', max: 254 }
    ];
  },

  financial: function (ctx, data, extra) {
    return [
      { name: 'account_name', label: '对公账户名称', max: 100, wide: true,
        value: data.account_name || extra.orgName || '',
        hint: '须与单位名称完全一致（基本户名称）。' },
      { name: 'bank', label: '开户银行', max: 100, wide: true, placeholder: '如 中国工商银行北京海淀支行' },
      { name: 'account_no', label: '对公账户账号', max: 32, mono: true, inputmode: 'numeric',
        hint: '8 至 32 位数字，不含空格；核验时将向该账户打款 0.01 元，备注中含 6 位验证数字。' }
    ];
  },

  change: function (ctx) {
    // Only what the hall's change may change (002: name and handler; the seal by mail).
    var items = String((ctx.channel || {}).change_items || 'name,address,seal,handler').split(',');
    return [
      { name: 'items', label: '变更事项', type: 'checks', wide: true,
        options: [['name', '单位名称'], ['address', '单位地址'], ['seal', '电子印章'], ['handler', '经办人']]
          .filter(function (o) { return items.indexOf(o[0]) >= 0; }),
        hint: '可多选。电子印章变更须寄回证书介质重新制作。' },
      { name: 'new_org_name', label: '变更后的单位名称', max: 100, wide: true,
        when: function (f) { return checked(f, 'items', 'name'); } },
      { name: 'new_address', label: '变更后的单位地址', max: 100, wide: true,
        when: function (f) { return checked(f, 'items', 'address'); } }
    ];
  },

  product: function (ctx, data, extra) {
    var o = ctx.order;
    var targeted = o.business !== 'new' && o.business !== 'add';
    // Only the years the hall's fee row sells (002: BJCA one year); none on a replacement,
    // which keeps the certificate's validity.
    var offered = Array.isArray(o.years_offered) ? o.years_offered : [];
    var years = offered.map(function (y) { return [String(y), y + ' 年']; });
    var chosen = data.years && offered.indexOf(Number(data.years)) >= 0 ? data.years : String(offered[0] || 1);
    var list = [
      { heading: '证书产品' },
      offered.length > 1
        ? { name: 'years', label: '证书年限', type: 'select', options: years, short: true, value: chosen }
        : offered.length === 1
          ? { name: 'years', label: '证书年限', type: 'select', options: years, short: true, value: chosen,
              hint: '本渠道此项业务只办理 ' + offered[0] + ' 年。' }
          : { display: '证书有效期', value: '沿用原证书的有效期（' + dom.text(o.business_name) + '不改变有效期）' },
      { name: 'seal', label: '需要电子印章', type: 'checkbox', readonly: targeted,
        hint: targeted ? '补办、更新、变更沿用原证书的电子印章设置。' : '一张证书含一枚电子印章。' },
      { display: '证书介质', value: 'USB Key（已默认选择）' }
    ].concat(o.key_sent_in ? defectFields(data) : []).concat([
      { heading: '发票' },
      // 001 "* 发票抬头 发票名称请完整填写": written by the applicant where the hall asks it.
      (ctx.channel || {}).invoice_title_edit
        ? { name: 'invoice_title', label: '发票抬头', max: 100,
            value: data.invoice_title || extra.invoiceTitle || o.subject_name,
            hint: '发票名称请完整填写（开具电子发票时必填）。' }
        : { display: '发票抬头', value: extra.invoiceTitle || o.subject_name,
            hint: '发票抬头默认为证书申请单位（或持有人），不可修改。' },
      { name: 'e_invoice', label: '电子发票', type: 'radios', value: data.e_invoice || '1',
        options: [['1', '开具电子发票（' + invoiceWhere(ctx) + '）'], ['0', '不开具']], wide: true },
      { name: 'taxpayer_no', label: '纳税人识别号', max: 18, mono: true,
        hint: '18 位统一社会信用代码；个人和政府机关可不填。' }
    ]);
    if (shipsKey(o)) {
      list = list.concat([
        { heading: '邮寄信息' },
        { name: 'mail_recipient', label: '收件人', max: 30, short: true, hint: '默认为经办人，可修改。' },
        { name: 'mail_mobile', label: '收件人手机号码', type: 'tel', max: 16, mono: true, short: true,
          hint: '默认为经办人手机号码。' },
        { name: 'mail_province', label: '省份', max: 100, short: true },
        { name: 'mail_city', label: '城市', max: 100, short: true },
        { name: 'mail_county', label: '区县', max: 100, short: true },
        { name: 'mail_address', label: '详细地址', max: 100, wide: true },
        { name: 'mail_postcode', label: '邮政编码', max: 6, mono: true, short: true, inputmode: 'numeric' }
      ]);
    }
    return list;
  }
};

// 002 七.损坏补办, where the hall inspects the key sent in (the order's key_sent_in): whether
// it is a quality defect, its three signs as the checklist (the vocabulary's defect_signs).
// The claim counts within the media warranty only; the key is inspected either way.
function defectFields(data) {
  var signs = (V.defect_signs || []).map(function (s) { return [s.code, s.zh]; });
  return [
    { heading: '介质损坏情况' },
    { name: 'defect', label: '是否属于介质质量问题', type: 'radios', value: data.defect || '0', wide: true,
      options: [['0', '否，或不确定'], ['1', '是，属于下列情况之一']],
      hint: '原介质须寄回检测。证书介质质保期为一年，自证书初次发放日起计算：经检测属于介质质量问题且在质保期内的' +
        '免费办理；非质量问题或已超过质保期的，需支付证书介质费。' },
    { name: 'defect_sign', label: '介质质量问题的表现', type: 'radios', value: data.defect_sign, wide: true,
      options: signs, when: function (f) { return checked(f, 'defect', '1'); } }
  ];
}

// A new key is mailed (fcgi-apps/wizard/plan.c wizard_ships_key).
export function shipsKey(o) {
  var b = o.business;
  return b === 'new' || b === 'add' || b === 'lost' || b === 'damaged' || (b === 'change' && o.mail_in);
}

function checked(form, name, value) {
  return Array.prototype.some.call(form.querySelectorAll('input[name="' + name + '"]'), function (c) {
    return c.checked && c.value === value;
  });
}

// ---- building and reading a form ----------------------------------------------------------

function checks(def, value, readonly) {
  var box = dom.el('div', 'field field-wide');
  box.setAttribute('data-field', def.name);
  var fs = dom.el('fieldset', 'choice');
  fs.appendChild(dom.el('legend', null, def.label));
  var on = String(value || '').split(',');
  def.options.forEach(function (o) {
    var lab = dom.el('label', 'choice-item');
    var c = document.createElement('input');
    c.type = 'checkbox';
    c.name = def.name;
    c.value = o[0];
    c.checked = on.indexOf(o[0]) >= 0;
    c.disabled = !!readonly;
    lab.appendChild(c);
    lab.appendChild(dom.el('span', null, o[1]));
    fs.appendChild(lab);
  });
  box.appendChild(fs);
  if (def.hint) box.appendChild(dom.el('p', 'hint', def.hint));
  return box;
}

// The form of a step: defs with the saved values; readonly when the step is locked.
export function buildForm(list, data, readonly, prefix) {
  var form = dom.el('form', 'form');
  form.noValidate = true;
  form.autocomplete = 'off';
  var conditional = [];
  list.forEach(function (d) {
    if (d.heading) {
      form.appendChild(dom.el('h3', 'form-heading', d.heading));
      return;
    }
    if (d.display) {
      var show = dom.el('div', 'field');
      show.appendChild(dom.el('span', 'label', d.display));
      show.appendChild(dom.el('p', 'static-value', dom.text(d.value)));
      if (d.hint) show.appendChild(dom.el('p', 'hint', d.hint));
      form.appendChild(show);
      return;
    }
    var value = d.value !== undefined ? d.value : data[d.name];
    var box = d.type === 'checks' ? checks(d, value, readonly) : P.field({
      name: d.name, label: d.label, type: d.type, options: d.options, max: d.max,
      value: d.type === 'checkbox' ? (value === '1' ? '1' : '0') : value,
      hint: d.hint, mono: d.mono, short: d.short, wide: d.wide, inputmode: d.inputmode,
      placeholder: d.placeholder, readonly: readonly || d.readonly, idPrefix: prefix
    });
    if (d.when) conditional.push([box, d.when]);
    form.appendChild(box);
  });
  function update() {
    conditional.forEach(function (c) { c[0].hidden = !c[1](form); });
  }
  form.addEventListener('change', update);
  update();
  dom.liveClear(form);
  return form;
}

// The values to save: visible named fields, non-empty, as strings.
export function readForm(form, list) {
  var out = {};
  list.forEach(function (d) {
    if (!d.name || d.readonly) return;
    var box = form.querySelector('[data-field="' + d.name + '"]');
    if (!box || box.hidden) return;
    var v;
    if (d.type === 'checks') {
      v = Array.prototype.filter.call(form.querySelectorAll('input[name="' + d.name + '"]'),
        function (c) { return c.checked; }).map(function (c) { return c.value; }).join(',');
    } else {
      v = P.value(form, d.name);
    }
    if (d.type === 'tel' || d.mono) v = v.replace(/\s+/g, '');
    if (v !== '') out[d.name] = v;
  });
  return out;
}

// Where and when the hall sends its invoice (channels.invoice_*: 002 "24小时内发送至指定（默认为
// 经办人）邮箱", 003 "电子发票1~2个工作日发送到经办人手机", 001 "发送至经办人手机或电子邮箱").
function invoiceVia(ctx) {
  return ((ctx.channel || {}).invoice || {}).via || 'email';
}

function invoiceWhere(ctx) {
  var inv = (ctx.channel || {}).invoice || {};
  var to = { sms: '经办人手机', both: '经办人手机和邮箱' }[inv.via] || '经办人邮箱';
  return (inv.promise ? inv.promise : '') + '发送至' + to;
}

function stepUrl(ctx, step) {
  return '/api/wizard/orders/' + encodeURIComponent(ctx.no) + '/steps/' + step;
}

// ---- the agreements ----------------------------------------------------------------------

function agreements(ctx, pane, saved) {
  var order = { service: 0, privacy: 1 };
  // Each hall has its own texts: the order's hall's versions.
  var ch = ctx.channel || {};
  var list = (Array.isArray(ch.agreements) ? ch.agreements : [])
    .slice().sort(function (a, b) {
      var x = a.code in order ? order[a.code] : 9;
      var y = b.code in order ? order[b.code] : 9;
      return x - y;
    });
  var form = dom.el('form', 'form form-stack');
  form.noValidate = true;
  var editable = saved.editable;
  pane.appendChild(form);
  return Promise.all(list.map(function (a) {
    return api.request('GET', '/api/wizard/agreements/' + encodeURIComponent(a.code) +
      '?channel=' + encodeURIComponent(ch.code || ''));
  })).then(function (answers) {
    answers.forEach(function (r, i) {
      var a = r.ok ? r.body : list[i];
      var box = dom.el('div', 'field field-wide agreement');
      box.setAttribute('data-field', a.code);
      box.appendChild(dom.el('h3', null, '《' + a.title + '》'));
      box.appendChild(dom.el('p', 'muted', '版本 ' + a.version +
        (a.published_at ? ' · 发布于 ' + dom.when(a.published_at).slice(0, 10) : '')));
      var text = dom.el('div', 'agreement-text', r.ok ? a.body : '协议正文暂时无法读取，请稍后刷新页面。');
      text.tabIndex = 0;
      text.setAttribute('role', 'region');
      text.setAttribute('aria-label', a.title);
      box.appendChild(text);
      var lab = dom.el('label', 'check');
      var c = document.createElement('input');
      c.type = 'checkbox';
      c.name = a.code;
      c.value = a.version;
      c.checked = saved.data && saved.data[a.code] === a.version;
      c.disabled = !editable || !r.ok;
      lab.appendChild(c);
      lab.appendChild(dom.el('span', null, '我已阅读并同意《' + a.title + '》'));
      box.appendChild(lab);
      form.appendChild(box);
    });
    form.appendChild(dom.el('div', 'form-result'));
    var actions = dom.el('div', 'actions');
    var save = dom.el('button', null, '同意并继续');
    save.type = 'submit';
    save.disabled = !editable;
    actions.appendChild(save);
    form.appendChild(actions);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      dom.clearErrors(form);
      var body = {};
      for (var i = 0; i < list.length; i++) {
        var c = form.elements.namedItem(list[i].code);
        if (!c || !c.checked) {
          dom.showError(form, { field: list[i].code, message: '请阅读并勾选同意《' + list[i].title + '》。' });
          return;
        }
        body[list[i].code] = c.value;
      }
      dom.busy(save, '保存中…', function () {
        return api.request('PUT', stepUrl(ctx, 'agreements'), body);
      }).then(function (r) {
        if (!r) return;
        if (!r.ok) {
          dom.showError(form, r.error);
          return;
        }
        ctx.reload().then(function () { ctx.go(ctx.next('agreements')); });
      });
    });
  });
}

// ---- the product step's quote and confirmation ---------------------------------------------

function quoteTable(items, totalFen, note) {
  var box = dom.el('div', 'quote');
  var table = dom.el('table', 'table');
  var head = dom.el('tr');
  ['费用项目', '单价（元）', '数量', '金额（元）'].forEach(function (h) {
    var th = dom.el('th', null, h);
    th.scope = 'col';
    head.appendChild(th);
  });
  var thead = dom.el('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  var body = dom.el('tbody');
  (items || []).forEach(function (it) {
    var tr = dom.el('tr');
    tr.appendChild(dom.el('td', null, it.label || it.code));
    tr.appendChild(dom.el('td', 'num', dom.yuan(it.unit_fen)));
    tr.appendChild(dom.el('td', 'num', it.qty));
    tr.appendChild(dom.el('td', 'num', dom.yuan(typeof it.fen === 'number' ? it.fen : it.amount_fen)));
    body.appendChild(tr);
  });
  table.appendChild(body);
  if (typeof totalFen === 'number') {
    var foot = dom.el('tfoot');
    var tr = dom.el('tr');
    var th = dom.el('th', null, '合计');
    th.colSpan = 3;
    th.scope = 'row';
    tr.appendChild(th);
    tr.appendChild(dom.el('td', 'num total', '¥' + dom.yuan(totalFen)));
    foot.appendChild(tr);
    table.appendChild(foot);
  }
  if ((items || []).length || typeof totalFen === 'number') box.appendChild(table);
  if (note) box.appendChild(dom.el('p', 'note-warn', note));
  return box;
}
export { quoteTable };

// A stored quote {items, total_fen, complete} as a table.
export function storedQuote(q) {
  if (!q || typeof q !== 'object') return dom.el('p', 'muted', '费用将在确认产品后计算。');
  return quoteTable(q.items, q.complete ? q.total_fen : null,
    q.complete ? null : '费用由认证机构工作人员在预审通过时确认，确认后再支付。');
}

// The live quote under the product form (GET /api/wizard/quote).
function liveQuote(ctx, form, box) {
  var o = ctx.order;
  var seq = 0;
  function update() {
    var n = ++seq;
    var seal = form.elements.namedItem('seal');
    var url = '/api/wizard/quote?channel=' + encodeURIComponent(o.channel) + '&business=' +
      encodeURIComponent(o.business) + '&kind=' + encodeURIComponent(o.kind) + '&years=' +
      encodeURIComponent(P.value(form, 'years') || '1') + '&seal=' + (seal && seal.checked ? '1' : '0');
    api.request('GET', url).then(function (r) {
      if (n !== seq) return;
      dom.clear(box);
      box.appendChild(dom.el('h3', null, '费用明细'));
      if (!r.ok) {
        box.appendChild(dom.el('p', 'muted', r.error.message));
        return;
      }
      box.appendChild(quoteTable(r.body.items, r.body.total_fen, r.body.note));
    });
  }
  form.addEventListener('change', update);
  update();
}

// The read-only confirmation of a saved product step (000: "确认证书产品", back edits).
function confirmation(ctx, pane, saved, onEdit) {
  var o = ctx.order;
  var d = saved.data || {};
  // "返回修改" is named only where it is shown: a step that can no longer change has none.
  pane.appendChild(dom.el('p', 'lead', saved.editable
    ? '请核对以下证书产品、发票和邮寄信息。确认无误后进入下一步；如需修改，请点击“返回修改”。'
    : '以下为已确认的证书产品、发票和邮寄信息。'));
  var rows = [
    ['业务类型', o.business_name || o.business],
    ['证书类型', o.kind_name || o.kind],
    ['办理渠道', o.channel_name || o.channel],
    d.years ? ['证书年限', d.years + ' 年'] : ['证书有效期', '沿用原证书的有效期'],
    ['电子印章', d.seal === '1' ? '需要' : '不需要'],
    ['证书介质', 'USB Key'],
    ['发票抬头', saved.invoice_title],
    ['电子发票', d.e_invoice === '1' ? '开具' : '不开具'],
    ['纳税人识别号', d.taxpayer_no, 'mono', true]
  ];
  if (o.key_sent_in) {
    var sign = d.defect === '1' ? V.row('defect_signs', d.defect_sign) : null;
    rows.push(['介质质量问题', d.defect === '1' ? '是' + (sign ? '：' + sign.zh : '') : '否（质保期外或未申报，按检测结论计费）']);
  }
  if (o.renew_not_before) {
    rows.push(['更新后有效期', o.renew_not_before + ' 至 ' + dom.text(o.renew_not_after), 'strong']);
  }
  if (shipsKey(o)) {
    rows.push(['收件人', dom.text(d.mail_recipient) + '  ' + dom.text(d.mail_mobile)]);
    rows.push(['收件地址', [d.mail_province, d.mail_city, d.mail_county, d.mail_address]
      .filter(Boolean).join(' ') + (d.mail_postcode ? '（' + d.mail_postcode + '）' : '')]);
  }
  pane.appendChild(dom.details(rows));
  pane.appendChild(dom.el('h3', null, '费用明细'));
  pane.appendChild(storedQuote(saved.quote));
  var bar = dom.el('div', 'actions');
  if (saved.editable) bar.appendChild(dom.button('返回修改', 'btn-secondary', onEdit));
  bar.appendChild(dom.button('确认无误，下一步', null, function () { ctx.go(ctx.next('product')); }));
  pane.appendChild(bar);
}

// ---- one data step -------------------------------------------------------------------------

var TITLES = {
  agreements: '阅读并同意协议', enterprise: '单位信息与企业认证', handler: '经办人信息与认证',
  applicant: '申请人信息', financial: '对公账户信息（对公打款认证）', change: '变更事项',
  product: '确认证书产品'
};

export function isDataStep(step) {
  return Object.prototype.hasOwnProperty.call(TITLES, step);
}

// Which subject the step verifies, once saved: enterprise (on its own step, or on the
// financial step for the transfer method), handler; null for none.
function verifies(ctx, step, data) {
  if (step === 'handler') return 'handler';
  if (step === 'financial') return 'enterprise';
  if (step === 'enterprise' && !ctx.order.mail_in && data.method && data.method !== 'transfer') {
    return 'enterprise';
  }
  return null;
}

export function dataStep(ctx, step, pane) {
  pane.appendChild(dom.el('h2', null, TITLES[step]));
  var status = dom.el('div');
  pane.appendChild(status);
  status.appendChild(dom.el('p', 'muted', '正在读取已保存的内容…'));
  var extra = {};
  var before = step === 'financial'
    ? api.request('GET', stepUrl(ctx, 'enterprise')).then(function (r) {
      if (r.ok && r.body.data) extra.orgName = r.body.data.org_name;
    }) : Promise.resolve();
  return before.then(function () {
    return api.request('GET', stepUrl(ctx, step));
  }).then(function (r) {
    dom.clear(status);
    if (!r.ok) {
      status.appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      return;
    }
    var saved = r.body;
    var data = saved.data || {};
    if (!saved.editable) {
      status.appendChild(dom.alert('订单当前状态不能修改这一步的内容，以下为已保存的信息。', 'info'));
    }
    if (step === 'agreements') return agreements(ctx, pane, saved);
    extra.invoiceTitle = saved.invoice_title;
    var list = defs[step](ctx, data, extra);
    var holder = dom.el('div');
    pane.appendChild(holder);

    function showForm() {
      dom.clear(holder);
      var form = buildForm(list, data, !saved.editable, step + '-');
      if (saved.saved && Object.keys(data).some(function (k) {
        return /id_number|mobile|card|account_no|email/.test(k);
      })) {
        form.insertBefore(dom.el('p', 'hint hint-block', MASK_HINT), form.firstChild);
      }
      var quoteBox = null;
      if (step === 'product') {
        quoteBox = dom.el('div', 'field field-wide live-quote');
        form.appendChild(quoteBox);
        liveQuote(ctx, form, quoteBox);
      }
      form.appendChild(dom.el('div', 'form-result'));
      var actions = dom.el('div', 'actions');
      var prev = ctx.prev(step);
      if (prev) actions.appendChild(dom.button('上一步', 'btn-secondary', function () { ctx.go(prev); }));
      var save = dom.el('button', null, saved.saved ? '保存修改' : '保存');
      save.type = 'submit';
      save.hidden = !saved.editable;
      actions.appendChild(save);
      if (!saved.editable || saved.saved) {
        actions.appendChild(dom.button('下一步', 'btn-secondary', function () { ctx.go(ctx.next(step)); }));
      }
      form.appendChild(actions);
      holder.appendChild(form);

      var subject = saved.saved ? verifies(ctx, step, data) : null;
      var vbox = dom.el('div', 'verify-box');
      holder.appendChild(vbox);
      if (subject && verifyPanel) {
        verifyPanel(ctx, subject, vbox, form, saved.editable,
          step === 'financial' ? 'transfer' : data.method);
      }

      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        dom.clearErrors(form);
        var body = readForm(form, list);
        dom.busy(save, '保存中…', function () {
          return api.request('PUT', stepUrl(ctx, step), body);
        }).then(function (res) {
          if (!res) return;
          if (!res.ok) {
            dom.showError(form, res.error);
            return;
          }
          saved = res.body;
          data = saved.data || {};
          ctx.reload().then(function () {
            var then = verifies(ctx, step, data);
            if (step === 'enterprise' && data.method === 'transfer' && ctx.has('financial')) {
              ctx.go('financial');
            } else if (then) {
              ctx.go(step, { focusVerify: true });
            } else {
              ctx.go(step === 'product' ? 'product' : ctx.next(step));
            }
          });
        });
      });
    }

    if (step === 'product' && saved.saved) confirmation(ctx, holder, saved, showForm);
    else showForm();
  });
}
