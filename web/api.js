/* certhall: the one way every page calls /api/... (applicant, staff and track pages): fetch with
 * a timeout, the JSON error envelope read into one error object, the session's CSRF token on
 * every state-changing request, and what a lost session does, set by the page family
 * (portal.js: to the login page; staff.js: the login form in place). */

import { BAD_ANSWER } from './dom.js';

const TIMEOUT_MS = 20000;
const NETWORK_ERROR = '网络异常，请求未完成，请检查网络后重试。';

let csrfFallback = '';
let handlers = {};

function cookie(name) {
  const parts = document.cookie ? document.cookie.split(';') : [];
  for (const part of parts) {
    const p = part.replace(/^\s+/, ''), eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq) === name) {
      try { return decodeURIComponent(p.slice(eq + 1)); } catch (e) { return ''; }
    }
  }
  return '';
}

// The session's CSRF token: the readable cookie (it changes with every login), else the one
// the last login or /me answer carried.
export function csrf() {
  return cookie('certhall_csrf') || csrfFallback;
}

export function rememberCsrf(token) {
  if (typeof token === 'string') csrfFallback = token;
}

/*
 * What a page family does when a request finds the session gone or its second factor stale:
 * {lost(err), stale(err)}, called for a 401 and for a 403 factor_stale/factor_required unless
 * the request's opts.stay.
 */
export function onSession(h) {
  handlers = h || {};
}

// An error object from an answer that is not a success.
function failure(status, body, network, networkMessage) {
  const e = body && body.error && typeof body.error === 'object' ? body.error : {};
  return {
    message: typeof e.message === 'string' && e.message ? e.message :
      (network ? networkMessage || NETWORK_ERROR : BAD_ANSWER),
    field: typeof e.field === 'string' ? e.field : null,
    code: typeof e.code === 'string' ? e.code : null,
    request_id: typeof e.request_id === 'string' ? e.request_id : null,
    // A step's every fault at once: [{field, code, message}].
    errors: Array.isArray(e.errors) ? e.errors.filter((x) =>
      x && typeof x.message === 'string' && typeof x.field === 'string') : null,
    // A serial typed in lower case: the upper-case one that exists (track/cert.c).
    suggest: typeof e.suggest === 'string' ? e.suggest : null,
    status: status,
    detail: e
  };
}

function sessionCheck(err, opts) {
  if (opts.stay) return;
  if (err.status === 401 && handlers.lost) handlers.lost(err);
  if (err.status === 403 && (err.code === 'factor_stale' || err.code === 'factor_required') &&
      handlers.stale) handlers.stale(err);
}

/*
 * Resolves to {ok: true, status, body} or {ok: false, status, error: {message, field, code,
 * request_id, errors, suggest, status, detail}}; never rejects. State-changing methods carry
 * X-CSRF-Token. opts: timeout (ms), stay (no session handling), networkMessage.
 */
export function request(method, url, payload, opts) {
  opts = opts || {};
  const ctl = new AbortController();
  const timer = setTimeout(() => { ctl.abort(); }, opts.timeout || TIMEOUT_MS);
  const init = {
    method: method,
    headers: { 'Accept': 'application/json' },
    credentials: 'same-origin',
    cache: 'no-store',
    signal: ctl.signal
  };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = csrf();
  if (payload !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(payload);
  }
  return fetch(url, init).then((res) => res.json().then(
    (body) => ({ status: res.status, ok: res.ok, body: body }),
    () => ({ status: res.status, ok: false, body: null })
  ), () => ({ status: 0, ok: false, body: null, network: true })).then((r) => {
    clearTimeout(timer);
    if (r.ok && r.body && typeof r.body === 'object') {
      if (typeof r.body.csrf_token === 'string') rememberCsrf(r.body.csrf_token);
      return { ok: true, status: r.status, body: r.body };
    }
    const err = failure(r.status, r.body, r.network, opts.networkMessage);
    sessionCheck(err, opts);
    return { ok: false, status: r.status, error: err };
  });
}

// A multipart upload with progress (fetch reports none): field "file".
export function upload(url, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.open('POST', url, true);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.timeout = 120000;
    if (xhr.upload && onProgress) {
      xhr.upload.addEventListener('progress', (ev) => {
        if (ev.lengthComputable) onProgress(ev.loaded, ev.total);
      });
    }
    function done(network) {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (!network && xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') {
        resolve({ ok: true, status: xhr.status, body: body });
        return;
      }
      const err = failure(xhr.status, body, network);
      sessionCheck(err, {});
      resolve({ ok: false, status: xhr.status, error: err });
    }
    xhr.addEventListener('load', () => { done(false); });
    xhr.addEventListener('error', () => { done(true); });
    xhr.addEventListener('timeout', () => { done(true); });
    xhr.addEventListener('abort', () => { done(true); });
    xhr.send(form);
  });
}
