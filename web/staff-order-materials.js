/* certhall staff console, one order: the materials panel: thumbnails, the viewer, and each
 * material's verdict with its reason. */
import * as dom from './dom.js';
import { el } from './dom.js';
import * as S from './staff.js';
import V from './vocab.js';
import { MATERIAL_STATES, NOTE_MAX, canSeeScans, conflict, has, may, order, pair, path, reasons } from './staff-order-core.js';
import { updateDecisionHint } from './staff-order-decision.js';

// ---- materials ----------------------------------------------------------------------------------

function fileSize(bytes) {
  var n = parseInt(bytes, 10);
  if (isNaN(n)) return '';
  return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB';
}

function openViewer(title, url) {
  var dlg = document.getElementById('viewer');
  if (!dlg || typeof dlg.showModal !== 'function') {
    window.open(url, '_blank', 'noopener');
    return;
  }
  var img = document.getElementById('viewer-img');
  var body = document.getElementById('viewer-body');
  var size = document.getElementById('viewer-size');
  var oldMsg = body.querySelector('.alert');
  if (oldMsg) body.removeChild(oldMsg);
  img.hidden = false;
  document.getElementById('viewer-title').textContent = title;
  document.getElementById('viewer-open').href = url;
  body.classList.remove('viewer-actual');
  size.textContent = '原始大小';
  size.setAttribute('aria-pressed', 'false');
  img.alt = title;
  img.src = url;
  dlg.showModal();
}

export function setupViewer() {
  var dlg = document.getElementById('viewer');
  if (!dlg) return;
  var img = document.getElementById('viewer-img');
  var body = document.getElementById('viewer-body');
  var size = document.getElementById('viewer-size');
  document.getElementById('viewer-close').addEventListener('click', function () { dlg.close(); });
  dlg.addEventListener('click', function (ev) { if (ev.target === dlg) dlg.close(); });
  dlg.addEventListener('close', function () { img.removeAttribute('src'); });
  size.addEventListener('click', function () {
    var actual = body.classList.toggle('viewer-actual');
    size.textContent = actual ? '适合窗口' : '原始大小';
    size.setAttribute('aria-pressed', actual ? 'true' : 'false');
  });
  img.addEventListener('error', function () {
    if (!img.getAttribute('src')) return;
    img.hidden = true;
    body.appendChild(dom.alert('图片无法加载：可能已无查看权限或登录已过期，请刷新页面后重试。'));
  });
}

// What the page is ("背面（国徽面）", the server's name of it, else 第 N 页) when the material has
// several, else nothing.
function pageWords(m, multi) {
  if (!multi) return '';
  return ' ' + (typeof m.page_name === 'string' && m.page_name ? m.page_name : '第 ' + (m.page || 1) + ' 页');
}

function thumb(m, multi) {
  if (!canSeeScans()) return el('p', 'material-meta', '（制证发货岗位不查看材料扫描件）');
  var title = m.name + pageWords(m, multi) + ' 第 ' + m.version + ' 版';
  var b = el('button', 'thumb-button');
  b.type = 'button';
  b.setAttribute('aria-label', '查看原图：' + title);
  // 200: staff.css .thumb-button img's max-height.
  var img = dom.thumbImg(m.thumb_url, title + ' 缩略图', m.width, m.height, 200);
  img.addEventListener('error', function () {
    b.replaceChild(el('span', 'material-meta', '缩略图无法加载，点击查看原图'), img);
  });
  b.appendChild(img);
  b.addEventListener('click', function () { openViewer(title, m.image_url); });
  return b;
}

export function reasonSelect(name, scopes, id) {
  var sel = el('select');
  sel.name = name;
  sel.id = id;
  sel.appendChild(dom.option('', '请选择原因'));
  var groups = { order: '订单问题', material: '材料问题', any: '其他' };
  ['material', 'order', 'any'].forEach(function (scope) {
    if (!has(scopes, scope)) return;
    var list = (reasons || []).filter(function (r) { return r.scope === scope; });
    if (!list.length) return;
    var g = el('optgroup');
    g.label = groups[scope];
    list.forEach(function (r) { g.appendChild(dom.option(r.code, r.code + ' ' + r.text)); });
    sel.appendChild(g);
  });
  return sel;
}

export function noteField(id, label, rows) {
  var f = el('div', 'field');
  var l = el('label', null, label);
  l.htmlFor = id;
  var counter = el('span', 'counter', '0/' + NOTE_MAX);
  l.appendChild(counter);
  var input = rows ? el('textarea') : el('input');
  if (!rows) input.type = 'text';
  else input.rows = rows;
  input.id = id;
  input.name = 'note';
  input.maxLength = NOTE_MAX * 2;
  input.addEventListener('input', function () {
    var n = dom.chars(input.value);
    counter.textContent = n + '/' + NOTE_MAX;
    counter.classList.toggle('counter-over', n > NOTE_MAX);
  });
  f.appendChild(l);
  f.appendChild(input);
  return f;
}

export function checkNote(note) {
  if (dom.chars(note) > NOTE_MAX) return '审核说明最多 ' + NOTE_MAX + ' 个字。';
  if (dom.hasControl(note)) return '审核说明不能含有换行或其他控制字符。';
  return null;
}

// The hidden form of a material's rejection: the reason, a note, 确认驳回 and 取消.
function rejectForm(fid) {
  var form = el('form');
  form.noValidate = true;
  form.hidden = true;
  var rf = el('div', 'field');
  var rl = el('label', null, '驳回原因');
  rl.htmlFor = fid + '-reason';
  rf.appendChild(rl);
  rf.appendChild(reasonSelect('reason_code', ['material', 'any'], fid + '-reason'));
  form.appendChild(rf);
  form.appendChild(noteField(fid + '-note', '补充说明（选填，申请人可见）'));
  var fa = el('div', 'actions');
  var send = el('button', 'btn-danger btn-small', '确认驳回');
  send.type = 'submit';
  var cancel = el('button', 'btn-secondary btn-small', '取消');
  cancel.type = 'button';
  fa.appendChild(send);
  fa.appendChild(cancel);
  form.appendChild(fa);
  return form;
}

function materialForm(o, m) {
  var wrap = el('div', 'material-form');
  var out = el('div', 'form-result');
  var buttons = el('div', 'actions');
  var accept = el('button', 'btn-small', m.state === 'rejected' ? '改为通过' : '通过');
  accept.type = 'button';
  var rejectOpen = el('button', 'btn-danger-outline btn-small', m.state === 'rejected' ? '修改驳回原因' : (m.state === 'accepted' ? '改为驳回' : '驳回'));
  rejectOpen.type = 'button';
  if (m.state !== 'accepted') buttons.appendChild(accept);
  buttons.appendChild(rejectOpen);
  wrap.appendChild(buttons);

  var form = rejectForm('m-' + m.id);
  var send = form.querySelector('button[type="submit"]');
  var cancel = form.querySelector('button[type="button"]');
  wrap.appendChild(form);
  wrap.appendChild(out);

  function decide(button, payload) {
    dom.clear(out);
    dom.unmark(form);
    S.notice(null);
    return S.busy(button, S.api('POST', path('materials/' + encodeURIComponent(m.kind)), payload)).then(function (r) {
      if (r.ok) {
        var got = r.body.material || {};
        // A material decision leaves the order's version as it is: update the one card.
        order.materials.forEach(function (x) {
          // The decision covers every current page of the material.
          if (x.id === m.id || String(x.id) === String(got.id) || (x.kind === m.kind && x.latest)) {
            x.state = got.state || x.state;
            x.reject_reason = typeof got.reject_reason === 'string' ? got.reject_reason : x.reject_reason;
          }
        });
        renderMaterials(order);
        updateDecisionHint();
        S.notice(dom.alert(m.name + (got.state === 'rejected' ? ' 已驳回。' : ' 已通过。'), 'ok'));
        return;
      }
      if (r.status === 409 && !r.error.field) return conflict(r.error);
      if (r.status !== 401) dom.formError(form, out, r.error);
    });
  }

  accept.addEventListener('click', function () { decide(accept, { decision: 'accept' }); });
  rejectOpen.addEventListener('click', function () {
    form.hidden = false;
    buttons.hidden = true;
    form.elements.namedItem('reason_code').focus();
  });
  cancel.addEventListener('click', function () {
    form.hidden = true;
    buttons.hidden = false;
    dom.clear(out);
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    dom.unmark(form);
    var code = form.elements.namedItem('reason_code').value;
    var note = form.elements.namedItem('note').value.trim();
    if (!code) return dom.formError(form, out, { field: 'reason_code', message: '请选择驳回原因。' });
    var bad = checkNote(note);
    if (bad) return dom.formError(form, out, { field: 'note', message: bad });
    var payload = { decision: 'reject', reason_code: code };
    if (note) payload.note = note;
    decide(send, payload);
  });
  return wrap;
}

// One current page of a material: its image, what it is, what the scan checks found.
function pageView(m, multi) {
  var box = multi ? el('figure', 'material-page') : document.createDocumentFragment();
  if (multi) box.appendChild(el('figcaption', 'page-title', pageWords(m, true).trim()));
  box.appendChild(thumb(m, multi));
  box.appendChild(el('p', 'material-meta', '第 ' + m.version + ' 版 · ' + m.width + '×' + m.height +
    ' · ' + fileSize(m.bytes) + ' · 上传于 ' + S.when(m.uploaded_at)));
  if (m.original_name) box.appendChild(el('p', 'material-meta', '原文件名：' + m.original_name));
  // What the upload's scan checks found: the form's QR bound to this order, the seal.
  var ck = m.checks || {};
  if (ck.qr_text) box.appendChild(el('p', 'material-meta', '✓ ' + ck.qr_text));
  if (ck.seal_text) box.appendChild(el('p', ck.seal === 'missing' ? 'material-reason' : 'material-meta', ck.seal_text));
  if (m.state === 'rejected' && m.reject_reason) {
    box.appendChild(el('p', 'material-reason', '驳回原因：' + m.reject_reason));
  }
  return box;
}

// The versions of a material that are no longer current, each to be opened.
function historyView(older, multi) {
  var det = el('details', 'material-history');
  det.appendChild(el('summary', null, '历史版本（' + older.length + '）'));
  var ul = el('ul');
  older.forEach(function (m) {
    var li = el('li');
    li.appendChild(document.createTextNode((multi ? pageWords(m, true).trim() + ' ' : '') + '第 ' + m.version +
      ' 版 · ' + S.when(m.uploaded_at) + ' · '));
    li.appendChild(pair(MATERIAL_STATES, m.state));
    if (m.reject_reason) li.appendChild(el('span', 'sub', '驳回原因：' + m.reject_reason));
    if (canSeeScans()) {
      var view = el('button', 'btn-secondary btn-small', '查看');
      view.type = 'button';
      view.addEventListener('click', function () {
        openViewer(m.name + pageWords(m, multi) + ' 第 ' + m.version + ' 版', m.image_url);
      });
      li.appendChild(document.createTextNode(' '));
      li.appendChild(view);
    }
    ul.appendChild(li);
  });
  det.appendChild(ul);
  return det;
}

// One material's card: its current pages side by side (page 1 first), one decision for them
// all, the older versions under it. versions: the API's order, latest first per page.
function materialCard(o, versions, canDecide) {
  var current = versions.filter(function (m) { return m.latest; });
  if (!current.length) current = [versions[0]];
  var first = current[0];
  // Named by page once any page past the first was ever uploaded, withdrawn ones too.
  var multi = versions.some(function (m) { return Number(m.page) > 1; });
  var state = current.some(function (m) { return m.state === 'rejected'; }) ? 'rejected' : first.state;
  var card = el('article', 'material material-' + state);
  card.setAttribute('data-kind', first.kind);
  var head = el('div', 'result-head');
  head.appendChild(el('h3', null, first.name || first.kind));
  head.appendChild(pair(MATERIAL_STATES, state));
  card.appendChild(head);
  var row = multi ? el('div', 'material-pages') : card;
  current.forEach(function (m) { row.appendChild(pageView(m, multi)); });
  if (multi) card.appendChild(row);
  // The decision's buttons read the material's state, not page 1's alone.
  if (canDecide && reasons) card.appendChild(materialForm(o, Object.assign({}, first, { state: state })));
  var older = versions.filter(function (m) { return current.indexOf(m) < 0; });
  if (older.length) card.appendChild(historyView(older, multi));
  return card;
}

export function renderMaterials(o) {
  var box = document.getElementById('materials');
  dom.clear(box);
  var list = Array.isArray(o.materials) ? o.materials : [];
  if (!list.length) {
    box.appendChild(el('p', 'muted', '该订单没有上传材料。'));
    return;
  }
  var canDecide = may(o, 'material');
  if (S.isRole('reviewer') && !V.is(o.state, 'in_review')) {
    box.appendChild(el('p', 'hint', '订单当前不在审核阶段，材料不能审核。'));
  }
  var kinds = [], byKind = {};
  list.forEach(function (m) {
    if (!byKind[m.kind]) { byKind[m.kind] = []; kinds.push(m.kind); }
    byKind[m.kind].push(m);
  });
  var grid = el('div', 'materials staff-materials');
  kinds.forEach(function (k) { grid.appendChild(materialCard(o, byKind[k], canDecide)); });
  box.appendChild(grid);
}
