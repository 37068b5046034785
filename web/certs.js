/* certhall: certs.html ("我的证书"): the account's certificates (GET /api/wizard/certs), one by
 * exact serial (GET /api/wizard/certs/<serial>), and the businesses each offers, which start
 * an order on apply.html. */
import * as dom from './dom.js';
import * as api from './api.js';
import * as P from './portal.js';

var list = document.getElementById('certs');
var form = document.getElementById('search-form');
var showAll = document.getElementById('show-all');

// A replacement revokes the certificate in hand (002, 004): said before anything starts.
// A lost key's certificate is revoked (002, 004); a damaged key's when its replacement is made.
var REVOKES = { lost: true, damaged: true };

function daysText(c) {
  if (c.state === 'revoked') return '—';
  if (typeof c.days_left !== 'number') return '—';
  if (c.days_left < 0) return '已过期 ' + (-c.days_left) + ' 天';
  if (c.days_left === 0) return '今天到期';
  return '剩余 ' + c.days_left + ' 天';
}

// The renewal window (shared/domain/rules.h): under 90 days left or expired up to 365 days online;
// expired longer by review (at a hall renewing expired certificates offline, any expired one, by
// mail); earlier not at all.
function renewalText(c) {
  switch (c.renewal) {
    case 'online':
      return c.days_left >= 0 ? '距到期不足 90 天，可在线办理更新'
        : '已过期（不超过 365 天），可在线办理更新';
    case 'review':
      // 003 "证书已过有效期的，需要准备资料线下办理，可以快递或者现场办理" (renewal_paper_mail).
      return c.renewal_paper_mail ? '证书已过有效期，须准备资料线下办理：在线提交后邮寄纸质材料及证书介质，寄达后审核'
        : '已过期超过 365 天，更新须上传材料并经审核';
    case 'too_early': return '距到期超过 90 天，到期前 90 天内可办理更新';
    default: return '—';
  }
}

function tone(state) {
  return state === 'valid' ? 'ok' : state === 'revoked' ? 'bad' : 'warn';
}

function startUrl(c, business) {
  return 'apply.html?channel=' + encodeURIComponent(c.channel) + '&business=' +
    encodeURIComponent(business) + '&serial=' + encodeURIComponent(c.serial);
}

function card(c) {
  var art = dom.el('article', 'card-result cert-card');
  var head = dom.el('div', 'result-head');
  head.appendChild(dom.el('h2', null, '证书 ' + dom.text(c.serial)));
  head.appendChild(dom.badge(c.state_name || c.state || '—', tone(c.state)));
  if (c.renewal === 'online' && c.state !== 'revoked') head.appendChild(dom.badge('可更新', 'info'));
  art.appendChild(head);
  art.appendChild(dom.details([
    ['证书类型', c.kind_name || c.kind],
    ['办理渠道', c.channel_name || c.channel],
    ['持有人', c.holder, null, true],
    ['单位', c.subject, null, true],
    ['有效期', dom.text(c.not_before) + ' 至 ' + dom.text(c.not_after)],
    ['剩余天数', daysText(c), c.days_left < 0 || (c.days_left <= 90 && c.state === 'valid') ?
      'warn-text' : null],
    ['证书更新', renewalText(c)],
    // Only where the hall's guide gives a media warranty (002); null elsewhere.
    ['介质保修', c.in_warranty === null || c.in_warranty === undefined ? null
      : c.in_warranty ? '在保修期内（自首次签发起 1 年）' : '已过保修期', null, true],
    ['电子印章', c.has_seal ? '含电子印章' : '不含电子印章'],
    ['介质序列号', c.token_serial || null, 'mono', true]
  ]));
  var offers = Array.isArray(c.businesses) ? c.businesses : [];
  if (!offers.length) {
    art.appendChild(dom.el('p', 'muted', c.state === 'revoked'
      ? '该证书已吊销，不能再办理业务；如需使用，请在线办理新证书。'
      : '该证书当前没有可在线办理的业务。'));
    return art;
  }
  var bar = dom.el('div', 'toolbar');
  bar.appendChild(dom.el('span', 'toolbar-label', '办理业务：'));
  var warn = false;
  offers.forEach(function (b) {
    bar.appendChild(dom.link(b.name || b.code, startUrl(c, b.code),
      'btn btn-small' + (REVOKES[b.code] ? ' btn-danger-outline' : ' btn-secondary')));
    warn = warn || REVOKES[b.code];
  });
  art.appendChild(bar);
  if (warn) {
    art.appendChild(dom.el('p', 'note-warn',
      '注意：办理遗失补办或损坏补办时，原证书将被自动吊销且不可恢复（损坏补办在新证书制作完成时吊销）。'));
  }
  return art;
}

function render(certs, emptyText) {
  dom.clear(list);
  list.removeAttribute('aria-busy');
  if (!certs.length) {
    list.appendChild(dom.el('p', 'panel muted', emptyText));
    return;
  }
  certs.forEach(function (c) { list.appendChild(card(c)); });
}

function loadAll() {
  showAll.hidden = true;
  list.setAttribute('aria-busy', 'true');
  return api.request('GET', '/api/wizard/certs').then(function (r) {
    if (!r.ok) {
      dom.clear(list).appendChild(dom.alert(r.error.message, 'bad', r.error.request_id));
      list.removeAttribute('aria-busy');
      return;
    }
    var certs = Array.isArray(r.body.certificates) ? r.body.certificates : [];
    render(certs, '本账号名下暂无证书。新办证书请前往“在线办理”。');
    if (r.body.truncated) {
      list.appendChild(dom.el('p', 'muted', '证书较多，仅显示有效期最晚的部分证书；其余请按序列号查找。'));
    }
  });
}

dom.liveClear(form);
form.addEventListener('submit', function (ev) {
  ev.preventDefault();
  dom.clearErrors(form);
  var serial = P.value(form, 'serial').replace(/\s+/g, '');
  if (!serial) {
    dom.showError(form, { field: 'serial', message: '请输入证书序列号。' });
    return;
  }
  var button = form.querySelector('button[type="submit"]');
  dom.busy(button, '查找中…', function () {
    return api.request('GET', '/api/wizard/certs/' + encodeURIComponent(serial));
  }).then(function (r) {
    if (!r) return;
    showAll.hidden = false;
    if (!r.ok) {
      // "Not yours" and "no such serial" are one 404: it belongs to the serial typed.
      dom.showError(form, r.error.status === 404 && !r.error.field
        ? { field: 'serial', message: r.error.message } : r.error);
      dom.clear(list);
      return;
    }
    render([r.body.certificate || {}], '');
  });
});

showAll.addEventListener('click', function () {
  dom.clearErrors(form);
  form.reset();
  loadAll();
});

// An organisation reaches what the CA issued to its USCC only once it has proven it (issue 20).
function subjectNote(me) {
  var text = me.uscc_state === 'claimed'
    ? '本单位的统一社会信用代码尚未认证：此处只列出本账号办理或绑定的证书。完成一次企业身份核验（在线申请中的“企业认证”）或订单审核通过后，将列出认证机构为本单位签发的全部证书。'
    : me.uscc_state === 'released'
      ? '本账号登记的统一社会信用代码已由该单位通过企业身份核验认领，本账号不再能查看或办理该单位的证书。'
      : '';
  if (!text) return;
  var note = dom.alert(text, 'info');
  if (me.uscc_state === 'claimed') {
    // Proving is an enterprise check, which only an application's 企业认证 step runs: a new
    // application started for it can be cancelled once the check has passed.
    var go = dom.el('a', 'btn', '认证本单位');
    go.href = '/apply.html?business=new';
    note.appendChild(dom.el('p', 'hint', '认证方式：开始一笔新办申请并完成其中的“企业认证”步骤；认证通过后，本页即列出认证机构为本单位签发的全部证书，如不需要新办证书，可在“我的订单”中取消该申请。'));
    note.appendChild(go);
  }
  list.parentNode.insertBefore(note, list);
}

P.me(true).then(function (me) {
  if (!me) return;
  subjectNote(me);
  loadAll();
});
