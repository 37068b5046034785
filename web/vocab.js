/* certhall: the order vocabulary the pages read from the API instead of keeping copies of it:
 * GET /api/track/vocabulary, built from the C tables (shared/domain/vocab.h): the states with
 * their zh-CN names and flags, the moves between them and who makes each, businesses,
 * certificate kinds, events, payment states and methods, carriers, and 002's signs of a
 * damaged key's quality defect. Asked once per page; the
 * browser keeps the answer and revalidates it by its ETag (304, no body) like the scripts
 * themselves, so it never mixes with another build's. The module's default export V: V.load() resolves to true once it is in
 * (false when it could not be read: names then fall back to their codes).
 */

var TIMEOUT_MS = 20000;
var TABLES = {
  states: 'name', transitions: null, businesses: 'code', kinds: 'code', events: 'kind',
  payment_states: 'name', pay_methods: 'code', carriers: 'code', defect_signs: 'code'
};

var V = {};
var index = {};   // table -> code -> row
var pending = null;

Object.keys(TABLES).forEach(function (t) {
  V[t] = [];
  index[t] = {};
});

function take(body) {
  if (!body || typeof body !== 'object' || !Array.isArray(body.states)) return false;
  Object.keys(TABLES).forEach(function (t) {
    var rows = Array.isArray(body[t]) ? body[t] : [];
    V[t] = rows;
    index[t] = {};
    if (TABLES[t]) rows.forEach(function (row) { if (row) index[t][row[TABLES[t]]] = row; });
  });
  return true;
}

V.load = function () {
  if (pending) return pending;
  var ctl = typeof AbortController === 'function' ? new AbortController() : null;
  var timer = ctl ? setTimeout(function () { ctl.abort(); }, TIMEOUT_MS) : null;
  var init = { headers: { 'Accept': 'application/json' }, credentials: 'omit' };
  if (ctl) init.signal = ctl.signal;
  pending = fetch('/api/track/vocabulary', init).then(function (res) {
    return res.ok ? res.json() : null;
  }).then(take, function () { return false; }).then(function (ok) {
    if (timer) clearTimeout(timer);
    if (!ok) pending = null; // the next call asks again
    return ok;
  });
  return pending;
};

// The row of a code in a table, or null.
V.row = function (table, code) {
  var t = index[table];
  return t && code !== undefined && code !== null && Object.prototype.hasOwnProperty.call(t, code)
    ? t[code] : null;
};

// The zh-CN name of a code ('—' for none, the code itself for one the table does not know).
V.zh = function (table, code) {
  if (code === undefined || code === null || code === '') return '—';
  var row = V.row(table, code);
  return row && row.zh ? row.zh : String(code);
};

V.state = function (name) { return V.row('states', name); };
V.stateName = function (name) { return V.zh('states', name); };

// Whether the state has a flag (final, editable, in_review, refundable, awaits_applicant,
// granted: shared/domain/order.h); false for an unknown state.
V.is = function (name, flag) {
  var s = V.state(name);
  return !!(s && s[flag]);
};

// The state names that pass test(row), in the table's order.
V.stateNames = function (test) {
  return V.states.filter(test).map(function (s) { return s.name; });
};

// The moves that match every member given of {from, to, event, by}; a move's `by` lists
// every maker it has (a payment: the provider's word or finance's).
V.moves = function (want) {
  return V.transitions.filter(function (t) {
    return Object.keys(want).every(function (k) {
      return k === 'by' ? t.by.indexOf(want.by) >= 0 : t[k] === want[k];
    });
  });
};

// Whether `by` (applicant, system, payment, reviewer, finance, shipping) moves the state on.
V.movedBy = function (state, by) {
  return V.moves({ from: state, by: by }).length > 0;
};

// As order_ships_key: whether the business mails a key (a mail-in order's too).
V.shipsKey = function (business, mailIn) {
  var b = V.row('businesses', business);
  return !!(b && (mailIn ? b.ships_key_mail_in : b.ships_key));
};

/*
 * The badge tone of a state, from what it means: green once approved (done included), grey
 * when it ended otherwise, amber where the applicant has the next move (blue on the staff
 * pages: the move is not theirs), the review's colour while the hall works on it, and money
 * on its way back amber for staff (finance's to pay) and grey for the applicant.
 */
V.tone = function (state, staff) {
  var s = V.state(state);
  if (!s) return 'progress';
  if (s.granted) return 'ok';
  if (s.final) return 'muted';
  if (s.awaits_applicant) return staff ? 'info' : 'warn';
  if (V.movedBy(state, 'finance')) return staff ? 'warn' : 'muted';
  return 'progress';
};

export default V;
