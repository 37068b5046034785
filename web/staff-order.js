/* certhall staff console: one order (staff-order.html?no=...): everything the review API shows
 * of it, the claim, decisions on materials and on the order, and each role's stage actions.
 * What is offered is what the order's `actions` list (fcgi-apps/review/actions.c): the page
 * decides nothing from the state itself. Every action sends the order's version as loaded; a
 * 409 (someone else was first, or the state moved) is announced at the top and the order is
 * loaded again. Values reach the page through textContent only. This file is the page; its
 * panels are staff-order-view.js (head, summary, step data, payments, waybills, events),
 * staff-order-materials.js, staff-order-decision.js and staff-order-stages.js, and what they
 * share is staff-order-core.js.
 */
import * as dom from './dom.js';
import * as S from './staff.js';
import { load, no, order, setOrderNo, setDrawer, togglePii } from './staff-order-core.js';
import { renderCerts, renderEvents, renderHead, renderPayments, renderSteps, renderSummary, renderVerifications, renderWaybills } from './staff-order-view.js';
import { renderMaterials, setupViewer } from './staff-order-materials.js';
import { renderActions } from './staff-order-stages.js';

// ---- the page --------------------------------------------------------------------------------------

function render(o) {
  renderHead(o);
  renderSummary(o);
  renderActions(o);
  renderMaterials(o);
  renderSteps(o);
  renderVerifications(o);
  renderPayments(o);
  renderWaybills(o);
  renderCerts(o);
  renderEvents(o);
}

function lookup(message) {
  var section = document.getElementById('lookup-section');
  var form = document.getElementById('lookup-form');
  var out = document.getElementById('lookup-result');
  section.hidden = false;
  if (no) form.elements.namedItem('no').value = no;
  if (message) dom.formError(form, out, { field: 'no', message: message });
  else form.elements.namedItem('no').focus();
}

function setup() {
  var back = null;
  try { back = sessionStorage.getItem('certhall.staff.queue'); } catch (e) { back = null; }
  if (back && /^staff\.html(\?[^#]*)?$/.test(back)) {
    document.getElementById('back-link').href = back;
    document.getElementById('queue-link').href = back;
  }
  setupViewer();
  var form = document.getElementById('lookup-form');
  form.addEventListener('submit', function (ev) {
    var v = form.elements.namedItem('no').value.replace(/\s+/g, '');
    form.elements.namedItem('no').value = v;
    if (!/^\d{18}$/.test(v)) {
      ev.preventDefault();
      dom.formError(form, document.getElementById('lookup-result'), { field: 'no', message: '订单号应为 18 位数字，请核对后重新输入。' });
    }
  });
  var toggle = document.getElementById('pii-toggle');
  toggle.addEventListener('click', function () {
    var showPii = togglePii();
    toggle.textContent = showPii ? '隐藏个人信息' : '显示完整个人信息';
    toggle.setAttribute('aria-pressed', showPii ? 'true' : 'false');
    if (order) {
      renderSummary(order);
      renderSteps(order);
    }
  });
  document.getElementById('order-refresh').addEventListener('click', function () {
    S.notice(null);
    load();
  });
}

setDrawer({ render: render, lookup: lookup });
setup();
S.start(function () {
  setOrderNo(new URLSearchParams(location.search).get('no'));
  if (!no) return lookup(null);
  if (!/^\d{18}$/.test(no)) return lookup('订单号应为 18 位数字，请核对后重新输入。');
  load();
});
