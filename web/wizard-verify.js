/* certhall: apply.html, identity verification under a saved step (enterprise, financial for
 * the transfer method, handler): start a check of the saved data, and its outcomes: passed;
 * pending face check (the server's QR code and link, polled); pending transfer (the 6-digit
 * memo off the bank statement); failed (edit, or switch to mail-in when offered). */
(function () {
  'use strict';

  var P = window.certhall;
  var W = window.certhallWizard = window.certhallWizard || {};

  var POLL_MS = 3000;
  var POLL_LIMIT = 200; // ten minutes of polling, then a button asks again
  var FACE = { lr_face: true, face: true };
  var NAMES = { enterprise: '企业认证', handler: '经办人身份核验' };

  function url(ctx, subject, tail) {
    return '/api/wizard/orders/' + encodeURIComponent(ctx.no) + '/verify/' + subject + (tail || '');
  }

  // The saved method of the subject's step, read from the form above the panel.
  function method(form) {
    return form ? P.value(form, 'method') : '';
  }

  /*
   * The panel. FORM is the step's form (a failed check's "edit" goes back to it; an error
   * naming one of its fields is shown there). EDITABLE: the step may still change.
   * SAVED_METHOD: the method saved with the step (the check runs on saved data).
   */
  W.verifyPanel = function (ctx, subject, box, form, editable, savedMethod) {
    var token = ctx.token();
    var polls = 0;

    function alive() {
      return ctx.token() === token;
    }

    function head(title) {
      P.clear(box);
      box.appendChild(P.el('h3', null, title || NAMES[subject]));
    }

    function error(err) {
      // A missing or malformed element of this step: beside its field; of another step: a way
      // there.
      var d = err.detail || {};
      var el = d.element || err.field;
      if (d.step && d.step !== ctx.current() && ctx.has(d.step)) {
        var a = P.alert(err.message);
        a.appendChild(P.button('前往修改', 'btn-small', function () { ctx.go(d.step); }));
        box.appendChild(a);
        return;
      }
      if (form && el && form.querySelector('[data-field="' + el + '"]')) {
        P.showError(form, { field: el, message: err.message });
        box.appendChild(P.alert(err.message));
        return;
      }
      box.appendChild(P.alert(err.message, 'bad', err.status >= 500 ? err.request_id : null));
    }

    function startButtons(label) {
      if (!editable) {
        box.appendChild(P.el('p', 'muted', '订单当前状态不能发起核验。'));
        return;
      }
      var bar = P.el('div', 'actions');
      var m = savedMethod || method(form);
      if (FACE[m]) {
        bar.appendChild(P.button('现场扫码刷脸', null, function (ev) {
          start(ev.currentTarget, 'qr');
        }));
        bar.appendChild(P.button('发送刷脸链接到手机', 'btn-secondary', function (ev) {
          start(ev.currentTarget, 'sms');
        }));
      } else {
        bar.appendChild(P.button(label || '开始核验', null, function (ev) {
          start(ev.currentTarget, null);
        }));
      }
      box.appendChild(bar);
    }

    function start(button, via) {
      P.busy(button, '正在核验…', function () {
        return P.api('POST', url(ctx, subject), via ? { via: via } : undefined);
      }).then(function (r) {
        if (!r || !alive()) return;
        if (!r.ok) {
          var old = box.querySelector('.alert');
          if (old) old.parentNode.removeChild(old);
          error(r.error);
          return;
        }
        after(r.body);
      });
    }

    // The order's state may have moved (draft <-> verify_failed): the header follows.
    function after(answer) {
      var moved = answer.order_state && answer.order_state !== ctx.order.state;
      var v = answer.verification;
      render(answer);
      if (moved || (v && v.state !== 'pending')) ctx.reload();
    }

    function poll() {
      if (!alive()) return;
      polls++;
      if (polls > POLL_LIMIT) {
        box.appendChild(P.button('刷新核验结果', 'btn-secondary', function () {
          polls = 0;
          load();
        }));
        return;
      }
      ctx.after(function () {
        P.api('GET', url(ctx, subject)).then(function (r) {
          if (!alive()) return;
          if (!r.ok) {
            poll(); // a passing gateway hiccup: ask again
            return;
          }
          var v = r.body.verification;
          if (v && v.state === 'pending') poll();
          else after(r.body);
        });
      }, POLL_MS);
    }

    function passed(v) {
      head();
      var ok = P.alert('核验通过' + (v.method_name ? '（' + v.method_name + '）' : '') + '。', 'ok');
      box.appendChild(ok);
      var bar = P.el('div', 'actions');
      bar.appendChild(P.button('下一步', null, function () { ctx.go(ctx.next(ctx.current())); }));
      box.appendChild(bar);
    }

    function memoForm(v) {
      var f = P.el('form', 'form form-inline');
      f.noValidate = true;
      f.appendChild(P.field({ name: 'memo', label: '打款备注中的 6 位数字', max: 6, mono: true,
        inputmode: 'numeric', short: true, idPrefix: 'verify-',
        hint: typeof v.tries_left === 'number' ? '还可以填写 ' + v.tries_left + ' 次。' : null }));
      var actions = P.el('div', 'actions');
      var b = P.el('button', null, '提交备注码');
      b.type = 'submit';
      actions.appendChild(b);
      f.appendChild(actions);
      f.appendChild(P.el('div', 'form-result'));
      P.liveClear(f);
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        P.clearErrors(f);
        var memo = P.value(f, 'memo');
        if (!/^\d{6}$/.test(memo)) {
          P.showError(f, { field: 'memo', message: '请填写对公账户入账备注中的 6 位数字备注码。' });
          return;
        }
        P.busy(b, '提交中…', function () {
          return P.api('POST', url(ctx, subject, '/confirm'), { memo: memo });
        }).then(function (r) {
          if (!r || !alive()) return;
          if (r.ok) {
            after(r.body);
            return;
          }
          P.showError(f, r.error);
          var d = r.error.detail || {};
          var hint = f.querySelector('.hint');
          if (hint && typeof d.tries_left === 'number') hint.textContent = '还可以填写 ' + d.tries_left + ' 次。';
          if (d.tries_left === 0) {
            // The check failed for good: the offers come with the error.
            ctx.reload().then(function () {
              failed({ state: 'failed', message: r.error.message }, d.offers || ['edit']);
            });
          }
        });
      });
      return f;
    }

    function pending(v, answer) {
      head(NAMES[subject] + '：等待完成');
      box.appendChild(P.el('p', null, v.message || '核验进行中。'));
      if (v.method === 'transfer') {
        box.appendChild(memoForm(v));
        box.appendChild(P.el('p', 'hint', '如长时间未收到 0.01 元打款，请核对对公账户信息，修改保存后重新发起核验。'));
        return;
      }
      if (answer.sms_sent) box.appendChild(P.alert('刷脸链接已通过短信发送，请在手机上打开。', 'info'));
      if (v.qr_svg) {
        var svg = P.svg(v.qr_svg);
        if (svg) {
          var qr = P.el('figure', 'qr-box');
          qr.appendChild(svg);
          qr.appendChild(P.el('figcaption', null, '请' + (subject === 'enterprise' ? '法定代表人' : '经办人') +
            '用手机扫描二维码，按提示完成刷脸及活体验证'));
          box.appendChild(qr);
        }
      }
      if (typeof v.link === 'string' && /^https?:\/\//.test(v.link)) {
        var p = P.el('p', 'muted');
        p.appendChild(document.createTextNode('无法扫码时，可在手机浏览器中打开：'));
        p.appendChild(P.newTab(v.link, v.link, 'break'));
        box.appendChild(p);
      }
      var wait = P.el('p', 'waiting', '正在等待核验结果，完成后本页自动更新…');
      wait.setAttribute('role', 'status');
      box.appendChild(wait);
      poll();
    }

    function failed(v, offers) {
      head(NAMES[subject] + '未通过');
      box.appendChild(P.alert('核验未通过' + (v.message ? '：' + v.message : '。')));
      var bar = P.el('div', 'actions');
      (offers || ['edit']).forEach(function (o) {
        if (o === 'edit' && editable) {
          bar.appendChild(P.button('修改信息后重新核验', 'btn-secondary', function () {
            if (form) {
              var first = form.querySelector('input:not([type="hidden"]):not([readonly])');
              form.scrollIntoView({ block: 'start' });
              if (first) first.focus();
            }
          }));
        } else if (o === 'mail_in') {
          bar.appendChild(P.button('改为线下邮寄办理', null, function () { askMailIn(); }));
        }
      });
      box.appendChild(bar);
      if (editable) {
        box.appendChild(P.el('p', 'hint', '如信息无误，也可以直接重新发起核验。'));
        startButtons('重新核验');
      }
    }

    function askMailIn() {
      var q = P.el('div', 'confirm-box');
      q.appendChild(P.el('p', null, '改为线下邮寄办理后，单位身份以寄送的盖章纸质材料核实，不再进行在线企业认证；经办人仍需在线核验。确定改为线下邮寄办理吗？'));
      var bar = P.el('div', 'actions');
      var ok = P.button('确定改为线下邮寄', null, function () {
        P.busy(ok, '请稍候…', function () {
          return P.api('POST', '/api/wizard/orders/' + encodeURIComponent(ctx.no) + '/mail-in', {});
        }).then(function (r) {
          if (!r || !alive()) return;
          if (!r.ok) {
            q.appendChild(P.alert(r.error.message));
            return;
          }
          mailInDone(r.body.mail_in_info || {});
        });
      });
      bar.appendChild(ok);
      bar.appendChild(P.button('取消', 'btn-secondary', function () { q.parentNode.removeChild(q); }));
      q.appendChild(bar);
      box.appendChild(q);
      ok.focus();
    }

    function mailInDone(info) {
      head(info.title || '线下邮寄办理');
      if (Array.isArray(info.steps)) {
        var ol = P.el('ol', 'plain-list numbered');
        info.steps.forEach(function (s) { ol.appendChild(P.el('li', null, s)); });
        box.appendChild(ol);
      }
      if (info.review) box.appendChild(P.el('p', null, info.review));
      if (info.note) box.appendChild(P.el('p', 'note-info', info.note));
      var bar = P.el('div', 'actions');
      var go = P.button('继续办理', null, function () { ctx.resume(); });
      go.disabled = true;
      bar.appendChild(go);
      box.appendChild(bar);
      // The plan changed (no financial step, no enterprise check): resume from the new one.
      ctx.reload().then(function () { go.disabled = false; });
    }

    function render(answer) {
      if (!alive()) return;
      var v = answer.verification;
      if (subject === 'enterprise' && ctx.order.mail_in) {
        head();
        box.appendChild(P.el('p', 'note-info', '本订单已改为线下邮寄办理，无需在线企业认证。'));
        return;
      }
      if (!v) {
        head();
        box.appendChild(P.el('p', null, '信息已保存。请发起核验：核验通过后才能签署提交申请。'));
        startButtons();
        return;
      }
      if (v.state === 'passed' && v.current) return passed(v);
      if (v.state === 'pending' && v.current) return pending(v, answer);
      if (v.state === 'failed' && v.current) return failed(v, answer.offers);
      head();
      box.appendChild(P.alert(v.state === 'void' || !v.current
        ? '核验后信息已修改，此前的核验结果已失效，请重新核验。' : (v.message || '请发起核验。'), 'info'));
      startButtons('重新核验');
    }

    function load() {
      head();
      box.appendChild(P.el('p', 'muted', '正在读取核验状态…'));
      P.api('GET', url(ctx, subject)).then(function (r) {
        if (!alive()) return;
        if (!r.ok) {
          head();
          error(r.error);
          return;
        }
        render(r.body);
        if (ctx.opts().focusVerify && box.scrollIntoView) box.scrollIntoView({ block: 'start' });
      });
    }

    load();
  };
}());
