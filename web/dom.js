/* certhall: the DOM helpers every page shares (applicant, staff and track pages): elements made
 * one by one with their text set through textContent, never innerHTML; formats of the
 * server's values; alerts; errors shown beside the field the server names, several at once in
 * an error summary that links to them; the QR codes the server draws, the one value parsed
 * (as SVG, checked and cleaned first: svg()). */

export const BAD_ANSWER = '服务器返回了无法识别的内容，请稍后重试。';

// ---- elements ---------------------------------------------------------------------------------

export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

export function clear(node) {
  while (node && node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function button(label, className, onClick) {
  const b = el('button', className || null, label);
  b.type = 'button';
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

export function link(label, href, className) {
  const a = el('a', className || null, label);
  a.href = href;
  return a;
}

// A link that opens in a new tab and gives the new page no handle on this one.
export function newTab(label, href, className) {
  const a = link(label, href, className);
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

// A scan's thumbnail whose box is laid out before it loads: the scan's own w x h, scaled to
// maxH. A page of thumbnails then does not move under the pointer as they arrive (the one
// reaching for 下一步 below them would click beside it).
export function thumbImg(src, alt, w, h, maxH) {
  const img = document.createElement('img');
  const width = Number(w);
  const height = Number(h);
  img.alt = alt;
  img.loading = 'lazy';
  img.decoding = 'async';
  if (width > 0 && height > 0) {
    const shown = Math.min(maxH, height);
    img.width = Math.max(1, Math.round(width * shown / height));
    img.height = Math.max(1, Math.round(shown));
  }
  img.src = src;
  return img;
}

export function option(value, label, selected) {
  const o = el('option', null, label);
  o.value = value;
  if (selected) o.selected = true;
  return o;
}

export function badge(label, tone) {
  return el('span', 'badge badge-' + (tone || 'muted'), label);
}

// ---- values -----------------------------------------------------------------------------------

export function text(v) {
  return v === undefined || v === null || v === '' ? '—' : String(v);
}

// "2026-11-20T11:38:16+08:00" -> "2026-11-20 11:38" (the server sends China time); "" for none.
export function when(s) {
  if (typeof s !== 'string') return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
  return m ? m[1] + ' ' + m[2] : s;
}

// Fen (a number or a digit string) -> "260.00"; "" for anything else. Integer arithmetic on the
// digits: no float rounding.
export function yuan(fen) {
  let s;
  if (typeof fen === 'number') {
    if (!isFinite(fen)) return '';
    s = String(Math.round(fen));
  } else {
    s = String(fen === undefined || fen === null ? '' : fen);
  }
  if (!/^-?\d+$/.test(s)) return '';
  const neg = s.charAt(0) === '-';
  if (neg) s = s.slice(1);
  while (s.length < 3) s = '0' + s;
  return (neg ? '-' : '') + s.slice(0, -2).replace(/^0+(?=\d)/, '') + '.' + s.slice(-2);
}

// Characters as the server counts them (code points).
export function chars(s) {
  return Array.from(String(s)).length;
}

export function hasControl(s) {
  return /[\u0000-\u001f\u007f]/.test(String(s));
}

// The query string's parameters as an object.
export function params() {
  const out = {};
  new URLSearchParams(window.location.search).forEach((v, k) => { out[k] = v; });
  return out;
}

// ---- lists and tables -------------------------------------------------------------------------

// A definition list from rows [label, value, valueClass, skipWhenEmpty]; a value may be a Node.
export function details(rows, className) {
  const dl = el('dl', 'details' + (className ? ' ' + className : ''));
  rows.forEach((r) => {
    if (r[3] && (r[1] === undefined || r[1] === null || r[1] === '')) return;
    dl.appendChild(el('dt', null, r[0]));
    const dd = el('dd', r[2] || null);
    if (r[1] instanceof Node) dd.appendChild(r[1]);
    else dd.textContent = text(r[1]);
    dl.appendChild(dd);
  });
  return dl;
}

// A table: head labels, rows of cells (string or Node or {text, node, className}).
export function table(head, rows, className) {
  const wrap = el('div', 'table-wrap');
  const t = el('table', 'table' + (className ? ' ' + className : ''));
  const thead = el('thead'), tr = el('tr');
  head.forEach((h) => {
    const th = el('th', null, h);
    th.scope = 'col';
    tr.appendChild(th);
  });
  thead.appendChild(tr);
  t.appendChild(thead);
  const tbody = el('tbody');
  rows.forEach((cells) => {
    const row = el('tr');
    cells.forEach((c) => {
      const td = el('td');
      if (c instanceof Node) td.appendChild(c);
      else if (c && typeof c === 'object') {
        if (c.className) td.className = c.className;
        if (c.node) td.appendChild(c.node);
        else td.textContent = text(c.text);
      } else td.textContent = text(c);
      row.appendChild(td);
    });
    tbody.appendChild(row);
  });
  t.appendChild(tbody);
  wrap.appendChild(t);
  return wrap;
}

// ---- alerts -----------------------------------------------------------------------------------

// tone: '' or 'bad' (an error), 'ok', 'info', 'warn', 'conflict'. MESSAGE: a string or several.
export function alert(message, tone, requestId) {
  const box = el('div', 'alert' + (tone && tone !== 'bad' ? ' alert-' + tone : ''));
  box.setAttribute('role', tone === 'ok' || tone === 'info' ? 'status' : 'alert');
  if (Array.isArray(message)) message.forEach((m) => { box.appendChild(el('p', null, m)); });
  else box.appendChild(el('p', null, message));
  if (requestId) box.appendChild(el('p', 'alert-id', '请求编号：' + requestId));
  return box;
}

// Puts a message (or nothing) into a result box.
export function say(box, message, tone, requestId) {
  clear(box);
  if (message) box.appendChild(alert(message, tone, requestId));
}

// An API error (api.js) as an alert; the request id only where staff need it (a server fault).
export function errorAlert(err) {
  const id = err.request_id && (err.status >= 500 || err.code === 'internal') ? err.request_id : null;
  return alert(err.message || BAD_ANSWER, '', id);
}

// ---- the server's QR codes ------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = { svg: 1, g: 1, path: 1, rect: 1, title: 1, desc: 1 };

/*
 * The SVG the server drew (qr_svg) as a node, or null. Parsed as XML, never as HTML; the
 * root must be an <svg> in the SVG namespace; anything but plain drawing elements is
 * dropped, and so is every event handler or link attribute.
 */
export function svg(text) {
  if (typeof text !== 'string' || text.length > 400000 || typeof DOMParser !== 'function') {
    return null;
  }
  var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  var root = doc && doc.documentElement;
  if (!root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS ||
      doc.getElementsByTagName('parsererror').length) {
    return null;
  }
  (function clean(node) {
    Array.prototype.slice.call(node.children || []).forEach(function (c) {
      if (!SVG_TAGS[c.localName] || c.namespaceURI !== SVG_NS) node.removeChild(c);
      else clean(c);
    });
    Array.prototype.slice.call(node.attributes || []).forEach(function (a) {
      var n = a.name.toLowerCase();
      if (n.indexOf('on') === 0 || n.indexOf('href') >= 0 || n === 'style') {
        node.removeAttribute(a.name);
      }
    });
  }(root));
  var node = document.importNode(root, true);
  node.setAttribute('focusable', 'false');
  return node;
}

// ---- forms and their errors -------------------------------------------------------------------

// The element that shows field NAME of FORM: [data-field=NAME] wraps an input or a group.
function fieldBox(form, name) {
  if (!form || !name) return null;
  const boxes = form.querySelectorAll('[data-field]');
  for (let i = 0; i < boxes.length; i++) {
    if (boxes[i].getAttribute('data-field') === name && !boxes[i].hidden) return boxes[i];
  }
  return null;
}

// The controls of FORM marked invalid, unmarked.
export function unmark(form) {
  form.querySelectorAll('.invalid').forEach((i) => {
    i.classList.remove('invalid');
    i.removeAttribute('aria-invalid');
  });
}

export function clearErrors(form) {
  if (!form) return;
  unmark(form);
  form.querySelectorAll('.field-error').forEach((p) => { p.parentNode.removeChild(p); });
  const out = form.querySelector('.form-result');
  if (out) clear(out);
  const summary = form.querySelector('.error-summary');
  if (summary) summary.parentNode.removeChild(summary);
}

// Marks the field box with err's message; returns the first input to focus.
function markField(box, err) {
  const msg = el('p', 'field-error', err.message);
  msg.setAttribute('role', 'alert');
  const id = 'err-' + Math.random().toString(36).slice(2);
  msg.id = id;
  box.appendChild(msg);
  const inputs = Array.from(box.querySelectorAll('input, select, textarea'));
  const plain = (i) => i.type !== 'radio' && i.type !== 'checkbox';
  inputs.filter(plain).forEach((i) => {
    i.classList.add('invalid');
    i.setAttribute('aria-invalid', 'true');
    i.setAttribute('aria-describedby', id);
  });
  return inputs.filter((i) => plain(i) && !i.hidden)[0] || inputs[0];
}

// Several faults at once (a step's "errors"): each beside its field, and a summary at the top
// of the form whose links lead to them (GOV.UK's error summary pattern).
function errorSummary(form, list) {
  const summary = el('div', 'error-summary');
  summary.setAttribute('role', 'alert');
  summary.tabIndex = -1;
  summary.appendChild(el('h3', null, '请修正以下 ' + list.length + ' 处问题后再保存：'));
  const ul = el('ul');
  list.forEach((e) => {
    const box = fieldBox(form, e.field);
    const li = el('li');
    const input = box ? markField(box, e) : null;
    if (input && !input.id) input.id = 'f-' + Math.random().toString(36).slice(2);
    if (input) {
      const a = link(e.message, '#' + input.id);
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        input.focus();
      });
      li.appendChild(a);
    } else {
      li.textContent = e.message;
    }
    ul.appendChild(li);
  });
  summary.appendChild(ul);
  form.insertBefore(summary, form.firstChild);
  summary.focus();
  if (summary.scrollIntoView) summary.scrollIntoView({ block: 'start' });
  return true;
}

/*
 * Shows err beside the field it names (the message under the field, the input marked and
 * focused), several errors in a summary; an error naming no field of the form goes to the
 * form's .form-result box. Returns true when a field took it.
 */
export function showError(form, err) {
  if (form && Array.isArray(err.errors) && err.errors.length > 1) return errorSummary(form, err.errors);
  const box = fieldBox(form, err.field);
  if (box) {
    const first = markField(box, err);
    if (first && typeof first.focus === 'function') first.focus();
    if (box.scrollIntoView) box.scrollIntoView({ block: 'center' });
    return true;
  }
  const out = form && form.querySelector('.form-result');
  if (out) {
    say(out, err.message, 'bad', err.status >= 500 ? err.request_id : null);
    if (out.scrollIntoView) out.scrollIntoView({ block: 'nearest' });
  }
  return false;
}

// Shows err in the box OUT and marks the form's control named by err.field (forms without
// [data-field] boxes: the staff console's).
export function formError(form, out, err) {
  clear(out);
  out.appendChild(errorAlert(err));
  if (err.field && form && form.elements) {
    const input = form.elements.namedItem(err.field);
    if (input && input.classList) {
      input.classList.add('invalid');
      input.setAttribute('aria-invalid', 'true');
      if (input.focus) input.focus();
    }
  }
}

// Clears a field's error as soon as it is edited.
export function liveClear(form) {
  form.addEventListener('input', (ev) => {
    const t = ev.target;
    if (!t || !t.classList || !t.classList.contains('invalid')) return;
    t.classList.remove('invalid');
    t.removeAttribute('aria-invalid');
    const box = t.closest('[data-field]');
    const p = box && box.querySelector('.field-error');
    if (p) p.parentNode.removeChild(p);
  });
}

// A button busy while PROMISE-returning FN runs; the label comes back afterwards.
export function busy(button, label, fn) {
  if (button.disabled) return Promise.resolve(null);
  const old = button.textContent;
  button.disabled = true;
  if (label) button.textContent = label;
  return Promise.resolve().then(fn).then((v) => {
    button.disabled = false;
    button.textContent = old;
    return v;
  }, (e) => {
    button.disabled = false;
    button.textContent = old;
    throw e;
  });
}
