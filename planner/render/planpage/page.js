// The plan page: it draws a slipway JSON plan (the document of
// `slipway show -json PLANFILE`), embedded in the page or opened from a
// file, and filters it.
//
// Every string in a plan comes from the repository under review, so this
// script builds the page with createElement and textContent alone: plan
// data is never parsed as HTML, and every text goes through printable, so
// that no bidi control or zero-width character in a value makes it read
// otherwise than it is. A map keyed by plan data (an attribute name, a
// Kubernetes kind) has no prototype (Object.create(null)), and a value is
// read by its own keys only (own), so a key such as "__proto__" or
// "constructor" is a key like any other. Sensitive values are already null
// in the JSON plan and marked in its *_sensitive mirrors; the page shows
// them as "(sensitive)".
(function () {
  'use strict';

  var SENSITIVE = '(sensitive)';
  var UNKNOWN = '(known after apply)';

  // The actions a filter offers, in the order the page lists them.
  var ACTIONS = [
    { key: 'create', label: 'create', sym: '+' },
    { key: 'update', label: 'update', sym: '~' },
    { key: 'replace', label: 'replace', sym: '-/+' },
    { key: 'delete', label: 'delete', sym: '-' },
    { key: 'run', label: 'run', sym: '>' },
    { key: 'read', label: 'read', sym: '<=' },
    { key: 'no-op', label: 'no change', sym: ' ' }
  ];
  // The block kinds, by the JSON plan's "mode", in the order of the page.
  var KINDS = [
    { key: 'pipeline', title: 'Pipelines', label: 'pipeline' },
    { key: 'app', title: 'Apps', label: 'app' },
    { key: 'rollout', title: 'Rollouts', label: 'rollout' },
    { key: 'source', title: 'Sources', label: 'source' },
    { key: 'managed', title: 'Resources', label: 'resource' }
  ];
  // The top-level members the page draws itself; any other member (a
  // newer format's) is listed under "More about this plan" as it is.
  var KNOWN = ['format_version', 'slipway_version', 'timestamp', 'mode', 'workspace', 'errored',
    'prior_state', 'variables', 'resource_changes', 'resource_drift', 'output_changes',
    'summary', 'has_changes', 'interrupted_changes', 'partial', 'targets', 'excludes', 'preview', 'changes'];
  // Strings longer than this are cut in the page; the JSON plan has them whole.
  var MAX_STRING = 65536;
  // Line diffs of strings are drawn only below this many line pairs.
  var MAX_LINE_PAIRS = 4000000;

  var $ = function (id) { return document.getElementById(id); };

  // The characters that reorder text or hide themselves: the bidi marks,
  // embeddings, overrides and isolates, and the zero-width ones.
  var INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

  // printable writes the characters of INVISIBLE as \uXXXX text, as the
  // text views (and the Markdown comment) show them.
  function printable(s) {
    return String(s).replace(INVISIBLE, function (c) {
      return '\\u' + ('000' + c.charCodeAt(0).toString(16).toUpperCase()).slice(-4);
    });
  }

  // own is o's own member k, or undefined: never one o inherits
  // (constructor, __proto__, toString).
  function own(o, k) {
    return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
  }

  // el makes an element. props: class, text, and attributes; children are
  // nodes or strings (strings become text nodes). Text, of props and of
  // children, is shown printable; attributes are kept as they are.
  function el(tag, props) {
    var e = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null) return;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = printable(v);
        else e.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' ? printable(c) : c);
    }
    return e;
  }

  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function absent(v) { return v === null || v === undefined; }
  function sub(mirror, k) { return own(mirror, k); }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  // actionOf names a change's actions as one of ACTIONS' keys.
  function actionOf(actions) {
    if (!Array.isArray(actions) || actions.length === 0) return 'no-op';
    if (actions.length === 2 && actions.indexOf('delete') >= 0 && actions.indexOf('create') >= 0) return 'replace';
    return String(actions[0]);
  }
  function symbolOf(actions) {
    if (Array.isArray(actions) && actions.length === 2 && actions[0] === 'create' && actions[1] === 'delete') return '+/-';
    var a = actionOf(actions);
    for (var i = 0; i < ACTIONS.length; i++) if (ACTIONS[i].key === a) return ACTIONS[i].sym;
    return '?';
  }
  function actionLabel(actions) {
    var a = actionOf(actions);
    if (a === 'replace') return Array.isArray(actions) && actions[0] === 'create' ? 'replace (create first)' : 'replace';
    if (a === 'no-op') return 'no change';
    return a;
  }

  // objectKind is the Kubernetes kind in a nested address such as
  // "apps/v1 Deployment web/web", or "" when it has none.
  function objectKind(address) {
    var parts = String(address).split(' ');
    return parts.length >= 3 ? parts[1] : '';
  }

  // pathText writes a path of keys as spec.containers[0].image, quoting
  // keys that are not plain names.
  function pathText(path) {
    var s = '';
    path.forEach(function (k) {
      if (typeof k === 'number') s += '[' + k + ']';
      else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) s += (s ? '.' : '') + k;
      else s += '[' + JSON.stringify(k) + ']';
    });
    return s || '(the whole value)';
  }

  // flatten compares before and after leaf by leaf. Each leaf is
  // {path, before, after, bs, as, au, status}: bs and as say a side is
  // sensitive, au that after is known only after apply.
  function flatten(before, after, bm, am, au) {
    var out = [];
    (function walk(path, b, a, bm, am, au) {
      var bs = bm === true, as = am === true, unknown = au === true && !as;
      if (!bs && !as && !unknown) {
        var bo = isObject(b), ao = isObject(a), bl = Array.isArray(b), al = Array.isArray(a);
        if ((bo || ao) && (bo || absent(b)) && (ao || absent(a))) {
          var keys = Object.create(null);
          if (bo) Object.keys(b).forEach(function (k) { keys[k] = true; });
          if (ao) Object.keys(a).forEach(function (k) { keys[k] = true; });
          var ks = Object.keys(keys).sort();
          if (ks.length > 0) {
            ks.forEach(function (k) { walk(path.concat([k]), own(b, k), own(a, k), sub(bm, k), sub(am, k), sub(au, k)); });
            return;
          }
        } else if ((bl || al) && (bl || absent(b)) && (al || absent(a))) {
          var n = Math.max(bl ? b.length : 0, al ? a.length : 0);
          if (n > 0) {
            for (var i = 0; i < n; i++) walk(path.concat([i]), bl ? b[i] : undefined, al ? a[i] : undefined, sub(bm, i), sub(am, i), sub(au, i));
            return;
          }
        }
      }
      var leaf = { path: path, before: b, after: a, bs: bs, as: as, au: unknown };
      var hasB = bs || !absent(b), hasA = as || unknown || !absent(a);
      if (!hasB && !hasA) return; // null on both sides: nothing to say
      if (bs || as) leaf.status = hasB && !hasA ? 'removed' : !hasB ? 'added' : 'sensitive';
      else if (unknown) leaf.status = hasB ? 'unknown' : 'added';
      else if (!hasB) leaf.status = 'added';
      else if (!hasA) leaf.status = 'removed';
      else leaf.status = JSON.stringify(b) === JSON.stringify(a) ? 'unchanged' : 'changed';
      out.push(leaf);
    })([], before, after, bm, am, au);
    return out;
  }

  // valueNode draws one side of a leaf.
  function valueNode(v, sensitive, unknown) {
    if (sensitive) return el('span', { class: 'sensitive', text: SENSITIVE });
    if (unknown) return el('span', { class: 'unknown', text: UNKNOWN });
    if (v === undefined) return el('span', { class: 'absent', text: '' });
    if (typeof v === 'string') {
      var s = v.length > MAX_STRING ? v.slice(0, MAX_STRING) + '… (' + (v.length - MAX_STRING) + ' more characters not shown)' : v;
      if (s.indexOf('\n') >= 0) return el('pre', { text: s });
      return el('code', { text: JSON.stringify(s) });
    }
    if (v !== null && typeof v === 'object') return el('pre', { text: JSON.stringify(v, null, 2) });
    return el('code', { text: String(v) });
  }

  // lineDiff draws a diff of two multi-line strings, line by line (the
  // longest common subsequence), or nothing when they are too long.
  function lineDiff(b, a) {
    var x = b.split('\n'), y = a.split('\n');
    if (x.length * y.length > MAX_LINE_PAIRS) return null;
    var n = x.length, m = y.length, i, j;
    var t = new Array(n + 1);
    for (i = 0; i <= n; i++) t[i] = new Uint32Array(m + 1);
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--) t[i][j] = x[i] === y[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    var pre = el('pre', { class: 'linediff' });
    var line = function (cls, mark, s) { pre.append(el('span', { class: cls, text: mark + ' ' + s + '\n' })); };
    i = 0; j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { line('same', ' ', x[i]); i++; j++; }
      else if (t[i + 1][j] >= t[i][j + 1]) line('del', '-', x[i++]);
      else line('add', '+', y[j++]);
    }
    while (i < n) line('del', '-', x[i++]);
    while (j < m) line('add', '+', y[j++]);
    return pre;
  }

  // attrTable draws the leaves of a change: every changed one, and the
  // unchanged ones behind a button.
  function attrTable(change, hide) {
    // Local attributes (cache paths) only make sense on the machine that
    // made the plan: the page leaves them out, as the text views do, and
    // those in hide, which the page shows otherwise.
    var local = (change.local_attributes || []).concat(hide || []);
    var leaves = flatten(change.before, change.after, change.before_sensitive, change.after_sensitive, change.after_unknown)
      .filter(function (l) { return !(l.path.length > 0 && local.indexOf(l.path[0]) >= 0); });
    if (leaves.length === 0) return el('p', { class: 'muted', text: 'No attributes.' });
    var table = el('table', { class: 'attrs' },
      el('colgroup', null, el('col', { class: 'path' }), el('col'), el('col')),
      el('thead', null, el('tr', null, el('th', { text: 'attribute' }), el('th', { text: 'before' }), el('th', { text: 'after' }))));
    var tbody = el('tbody');
    var hidden = [];
    leaves.forEach(function (l) {
      var after = valueNode(l.after, l.as, l.au);
      var tr = el('tr', { class: 'attr s-' + l.status },
        el('td', { class: 'path', text: pathText(l.path) }),
        el('td', { class: 'before' }, valueNode(l.before, l.bs, false)),
        el('td', { class: 'after' }, after));
      if (l.status === 'changed' && typeof l.before === 'string' && typeof l.after === 'string' &&
          (l.before.indexOf('\n') >= 0 || l.after.indexOf('\n') >= 0)) {
        var d = lineDiff(l.before, l.after);
        if (d) tr.lastChild.append(d);
      }
      if (l.status === 'unchanged') { tr.hidden = true; hidden.push(tr); }
      tbody.append(tr);
    });
    table.append(tbody);
    var wrap = el('div', { class: 'attrs-wrap' }, table);
    if (hidden.length > 0) {
      var btn = el('button', { type: 'button', class: 'link show-unchanged', text: 'Show ' + plural(hidden.length, 'unchanged attribute', 'unchanged attributes') });
      btn.addEventListener('click', function () {
        var show = hidden[0].hidden;
        hidden.forEach(function (tr) { tr.hidden = !show; });
        btn.textContent = (show ? 'Hide ' : 'Show ') + plural(hidden.length, 'unchanged attribute', 'unchanged attributes');
      });
      wrap.append(el('p', null, btn));
    }
    return wrap;
  }

  function fact(name, value) {
    return el('span', null, name + ': ', el('b', { text: value }));
  }

  // The model of the page: one entry per change, with its element once drawn.
  var state = null;

  function changeEntry(rc, group) {
    var change = rc.change || {};
    var e = {
      rc: rc,
      group: group,
      address: String(rc.address),
      lower: String(rc.address).toLowerCase(),
      kind: String(rc.mode || ''),
      action: actionOf(change.actions),
      // The rollout, when the plan does something with it (start,
      // continue, supersede, abort, hold); a held rollout of an
      // unchanged app still shows.
      rollout: isObject(rc.rollout_status) && rc.rollout_status.action ? rc.rollout_status : null,
      nested: []
    };
    (Array.isArray(change.nested) ? change.nested : []).forEach(function (n) {
      e.nested.push({ n: n, address: String(n.address), lower: String(n.address).toLowerCase(), action: actionOf(n.actions), objectKind: objectKind(n.address) });
    });
    return e;
  }

  function summaryNode(actions, address, detail, extra) {
    var s = el('summary', null,
      el('span', { class: 'sym', text: symbolOf(actions) }),
      el('span', { class: 'address', text: address }),
      el('span', { class: 'action', text: actionLabel(actions) }));
    if (extra) s.append(el('span', { class: 'detail', text: extra }));
    if (detail) s.append(el('span', { class: 'detail', text: detail }));
    return s;
  }

  function drawChange(e) {
    var rc = e.rc, change = rc.change || {};
    var nestedNote = '';
    if (e.nested.length > 0) {
      var changedN = e.nested.filter(function (n) { return n.action !== 'no-op'; }).length;
      nestedNote = plural(e.nested.length, 'object', 'objects') + (changedN < e.nested.length ? ', ' + changedN + ' changing' : '');
    }
    var d = el('details', { class: 'change a-' + e.action, 'data-address': e.address, 'data-action': e.action, 'data-kind': e.kind },
      summaryNode(change.actions, e.address, rc.reason_detail, nestedNote));
    if (e.rollout) d.firstChild.append(el('span', { class: 'detail rollout-note', text: 'rollout: ' + String(e.rollout.action) }));
    d.addEventListener('toggle', function () { if (d.open && !e.body) drawBody(e); });
    e.el = d;
    return d;
  }

  // rolloutNode shows where an app's rollout stands and what applying
  // the plan does with it, in the words of the text views.
  function rolloutNode(rs) {
    var rule = rs.rollout ? 'rollout.' + String(rs.rollout) : 'a rollout';
    var head = String(rs.workload || "the app's Deployment") + ' follows ' + rule +
      ' (' + String(rs.strategy || 'canary').replace(/_/g, '-') + ')';
    var box = el('div', { class: 'rollout' }, el('h3', { text: 'Rollout' }),
      el('p', { class: 'rollout-head', text: head }));
    if (rs.road) box.append(el('p', { class: 'road mono', text: String(rs.road) }));
    var facts = el('div', { class: 'facts' });
    if (rs.phase) facts.append(fact('phase', String(rs.phase)));
    if (rs.action) facts.append(fact('plan', String(rs.action)));
    if (rs.standing) facts.append(fact('standing', String(rs.standing)));
    if (rs.superseded) facts.append(fact('replaces revision', String(rs.superseded).slice(0, 10)));
    if (rs.message) facts.append(fact('message', String(rs.message)));
    box.append(facts);
    if (Array.isArray(rs.analyses) && rs.analyses.length > 0) {
      var ul = el('ul', { class: 'analyses' });
      rs.analyses.forEach(function (a) {
        if (!isObject(a)) return;
        var counts = Object.create(null);
        if (isObject(a.tally)) {
          // Every measurement taken; the list keeps the last ten.
          ['successful', 'failed', 'inconclusive'].forEach(function (k) {
            if (typeof a.tally[k] === 'number' && a.tally[k] > 0) counts[k] = a.tally[k];
          });
        } else {
          (Array.isArray(a.measurements) ? a.measurements : []).forEach(function (m) {
            var p = isObject(m) ? String(m.phase) : '';
            var k = p === 'Successful' ? 'successful' : p === 'Failed' ? 'failed' : (p === 'Inconclusive' || p === 'Error') ? 'inconclusive' : '';
            if (k) counts[k] = (counts[k] || 0) + 1;
          });
        }
        var parts = ['successful', 'failed', 'inconclusive'].filter(function (k) { return counts[k]; })
          .map(function (k) { return counts[k] + ' ' + k; });
        var text = 'analysis ' + String(a.name) + ': ' + String(a.phase) + (parts.length ? ' (' + parts.join(', ') + ')' : '') +
          (a.message ? ': ' + String(a.message) : '');
        ul.append(el('li', { text: text }));
      });
      box.append(ul);
    }
    if (rs.next) box.append(el('p', { class: 'rollout-next' }, fact('next', String(rs.next))));
    return box;
  }

  function drawBody(e) {
    var rc = e.rc, change = rc.change || {};
    var facts = el('div', { class: 'facts' });
    if (rc.type) facts.append(fact('type', rc.type));
    if (rc.provider) facts.append(fact('provider', rc.provider));
    if (rc.index !== undefined) facts.append(fact('key', JSON.stringify(rc.index)));
    if (rc.action_reason) facts.append(fact('reason', rc.action_reason));
    if (Array.isArray(change.replace_paths) && change.replace_paths.length > 0) {
      facts.append(fact('replaced because of', change.replace_paths.map(pathText).join(', ')));
    }
    // The rollout section words the app's rollout_status; the table
    // does not show its JSON again.
    var body = el('div', { class: 'body' }, facts);
    if (e.rollout) body.append(rolloutNode(e.rollout));
    body.append(attrTable(change, isObject(rc.rollout_status) ? ['rollout_status'] : []));
    if (e.nested.length > 0) {
      var objs = el('div', { class: 'objects' }, el('h3', { text: 'Objects' }));
      e.nested.forEach(function (n) {
        var d = el('details', { class: 'object a-' + n.action, 'data-address': n.address, 'data-action': n.action, 'data-object-kind': n.objectKind },
          summaryNode(n.n.actions, n.address, n.n.action_reason ? 'reason: ' + n.n.action_reason : ''));
        d.addEventListener('toggle', function () {
          if (d.open && !n.body) {
            n.body = el('div', { class: 'body' }, attrTable(n.n));
            d.append(n.body);
          }
        });
        n.el = d;
        objs.append(d);
      });
      body.append(objs);
    }
    e.body = body;
    e.el.append(body);
    applyNested(e);
  }

  // The filters' state, read from the form.
  function readFilters() {
    var f = $('filters');
    var actions = Object.create(null), kinds = Object.create(null);
    f.querySelectorAll('input[name=action]').forEach(function (i) { if (i.checked) actions[i.value] = true; });
    f.querySelectorAll('input[name=kind]').forEach(function (i) { if (i.checked) kinds[i.value] = true; });
    return {
      actions: actions,
      kinds: kinds,
      app: f.elements.app ? f.elements.app.value : '',
      objectKind: f.elements.objectKind ? f.elements.objectKind.value : '',
      text: (f.elements.text ? f.elements.text.value : '').trim().toLowerCase()
    };
  }

  // nestedMatches says which of a change's objects the filters keep.
  function nestedMatch(f, e, n) {
    if (!f.actions[n.action]) return false;
    if (f.objectKind && n.objectKind !== f.objectKind) return false;
    if (f.text && e.lower.indexOf(f.text) < 0 && n.lower.indexOf(f.text) < 0) return false;
    return true;
  }

  function visible(f, e) {
    if (!f.kinds[e.kind]) return false;
    if (f.app && e.address !== f.app) return false;
    var anyNested = e.nested.some(function (n) { return nestedMatch(f, e, n); });
    if (f.objectKind && !anyNested) return false;
    // A held rollout of an unchanged app is never filtered out with the
    // unchanged.
    var heldRollout = e.action === 'no-op' && e.rollout;
    if (!f.actions[e.action] && !anyNested && !heldRollout) return false;
    if (f.text && e.lower.indexOf(f.text) < 0 && !anyNested) return false;
    return true;
  }

  function applyNested(e) {
    if (!e.body) return;
    var f = state.filters;
    e.nested.forEach(function (n) { n.el.hidden = !nestedMatch(f, e, n); });
  }

  function applyFilters() {
    var f = state.filters = readFilters();
    var shown = 0;
    state.groups.forEach(function (g) {
      var n = 0;
      g.entries.forEach(function (e) {
        var v = visible(f, e);
        e.el.hidden = !v;
        if (v) { n++; applyNested(e); }
      });
      if (g.section) {
        g.section.hidden = n === 0;
        g.count.textContent = ' (' + n + (n < g.entries.length ? ' of ' + g.entries.length : '') + ')';
      }
      if (!g.drift) shown += n;
    });
    var total = state.changeCount;
    $('count').textContent = 'Showing ' + shown + ' of ' + plural(total, 'change', 'changes') +
      (shown === 0 && total > 0 ? ': no change matches the filters.' : '.');
    document.body.setAttribute('data-shown', String(shown));
  }

  function checkbox(name, value, label, count, checked) {
    var i = el('input', { type: 'checkbox', name: name, value: value });
    i.checked = checked;
    return el('label', null, i, ' ' + label + ' ', el('span', { class: 'muted', text: '(' + count + ')' }));
  }

  function drawFilters(entries) {
    var f = $('filters');
    f.replaceChildren();
    var actionCount = Object.create(null), kindCount = Object.create(null), objectKinds = Object.create(null), apps = [];
    entries.forEach(function (e) {
      actionCount[e.action] = (actionCount[e.action] || 0) + 1;
      kindCount[e.kind] = (kindCount[e.kind] || 0) + 1;
      if (e.kind === 'app') apps.push(e.address);
      e.nested.forEach(function (n) {
        if (n.objectKind) objectKinds[n.objectKind] = (objectKinds[n.objectKind] || 0) + 1;
        if (!actionCount[n.action]) actionCount[n.action] = 0;
      });
    });
    var fa = el('fieldset', { id: 'f-actions' }, el('legend', { text: 'Action' }));
    var knownActions = ACTIONS.map(function (a) { return a.key; });
    ACTIONS.concat(Object.keys(actionCount).filter(function (k) { return knownActions.indexOf(k) < 0; }).map(function (k) { return { key: k, label: k }; }))
      .forEach(function (a) {
        if (actionCount[a.key] === undefined) return;
        fa.append(checkbox('action', a.key, a.label, actionCount[a.key], a.key !== 'no-op'));
      });
    f.append(fa);
    var fk = el('fieldset', { id: 'f-kinds' }, el('legend', { text: 'Kind' }));
    var knownKinds = KINDS.map(function (k) { return k.key; });
    KINDS.concat(Object.keys(kindCount).filter(function (k) { return knownKinds.indexOf(k) < 0; }).map(function (k) { return { key: k, label: k || '(none)' }; }))
      .forEach(function (k) {
        if (!kindCount[k.key]) return;
        fk.append(checkbox('kind', k.key, k.label, kindCount[k.key], true));
      });
    f.append(fk);
    var ok = Object.keys(objectKinds).sort();
    if (ok.length > 0) {
      var so = el('select', { name: 'objectKind', id: 'f-object-kind' }, el('option', { value: '', text: 'any' }));
      ok.forEach(function (k) { so.append(el('option', { value: k, text: k + ' (' + objectKinds[k] + ')' })); });
      f.append(el('label', null, 'Object kind ', so));
    }
    if (apps.length > 0) {
      var sa = el('select', { name: 'app', id: 'f-app' }, el('option', { value: '', text: 'all' }));
      apps.forEach(function (a) { sa.append(el('option', { value: a, text: a })); });
      f.append(el('label', null, 'App ', sa));
    }
    f.append(el('label', null, 'Address ', el('input', { type: 'search', name: 'text', id: 'f-text', placeholder: 'filter by address' })));
    var expand = el('button', { type: 'button', id: 'expand-all', text: 'Expand shown' });
    var collapse = el('button', { type: 'button', id: 'collapse-all', text: 'Collapse all' });
    expand.addEventListener('click', function () {
      state.groups.forEach(function (g) { g.entries.forEach(function (e) { if (!e.el.hidden) e.el.open = true; }); });
    });
    collapse.addEventListener('click', function () {
      state.groups.forEach(function (g) { g.entries.forEach(function (e) { e.el.open = false; }); });
    });
    f.append(expand, collapse);
    f.addEventListener('input', applyFilters);
    f.addEventListener('change', applyFilters);
    f.addEventListener('submit', function (ev) { ev.preventDefault(); });
  }

  function summaryText(s) {
    var text = (s.add || 0) + ' to add, ' + (s.change || 0) + ' to change, ' + (s.destroy || 0) + ' to destroy.';
    if (s.run > 0) text = plural(s.run, 'pipeline', 'pipelines') + ' to run, ' + text;
    return text;
  }

  function drawPlan(doc, source) {
    if (!isObject(doc) || !Array.isArray(doc.resource_changes)) {
      throw new Error('This is not a slipway plan: a plan JSON file has "resource_changes". Make one with: slipway show -json PLANFILE > plan.json');
    }
    var major = String(doc.format_version || '').split('.')[0];
    if (major !== '1') {
      throw new Error('This page reads slipway plans of format 1.x; this file is format ' + JSON.stringify(doc.format_version) +
        '. Open it with the page of the slipway that made it: slipway show -html PLANFILE > plan.html');
    }
    $('error').hidden = true;
    $('picker').hidden = true;
    $('source').textContent = printable(source || '');

    var banners = $('banners');
    banners.replaceChildren();
    if (doc.errored) {
      banners.append(el('p', { class: 'banner', text: 'Planning failed. slipway met errors while making this plan, so what it shows is incomplete and this plan cannot be applied.' }));
    }
    if (doc.partial) {
      var flags = [];
      (doc.targets || []).forEach(function (t) { flags.push('-target=' + t); });
      (doc.excludes || []).forEach(function (x) { flags.push('-exclude=' + x); });
      banners.append(el('p', { class: 'banner', text: 'Partial plan: resource targeting is in effect (' + flags.join(' ') + '). The plan may leave out changes the configuration asks for; run slipway plan without -target and -exclude for the whole of it.' }));
    }
    if (doc.preview) {
      var pv = doc.preview, what = [];
      if (pv.offline) what.push(pv.offline_note || 'offline: compared with the state of the last apply, not with the cluster');
      (pv.local_sources || []).forEach(function (ls) { what.push(ls.address + ' read from the local checkout ' + ls.dir + ' at ' + ls.revision); });
      if (Array.isArray(pv.not_planned) && pv.not_planned.length > 0) what.push('not planned offline: ' + pv.not_planned.join(', '));
      banners.append(el('p', { class: 'banner info', text: 'Preview: this plan cannot be applied. ' + what.join('; ') + '.' }));
    }
    if (Array.isArray(doc.interrupted_changes) && doc.interrupted_changes.length > 0) {
      banners.append(el('p', { class: 'banner info', text: 'An earlier apply was interrupted: ' + plural(doc.interrupted_changes.length, 'change was', 'changes were') + ' read back (listed at the end). Applying this plan resolves them.' }));
    }
    var s = doc.summary || {};
    var summary = $('summary');
    summary.replaceChildren();
    if (doc.errored) summary.append(el('b', { text: 'Planning failed.' }));
    else if (!doc.has_changes) summary.append(el('b', { text: 'No changes.' }), ' Applying this plan would change nothing.');
    else summary.append(el('b', { text: 'Plan: ' }), summaryText(s));

    var meta = $('meta');
    meta.replaceChildren();
    meta.append(fact('workspace', String(doc.workspace || 'default')), fact('mode', String(doc.mode || '')));
    if (doc.timestamp) meta.append(fact('made', String(doc.timestamp)));
    if (doc.slipway_version) meta.append(fact('by slipway', String(doc.slipway_version)));
    if (isObject(doc.prior_state)) meta.append(fact('state serial', String(doc.prior_state.serial)));
    meta.append(fact('format', String(doc.format_version)));

    var entries = [];
    var groups = [];
    var byKind = Object.create(null);
    KINDS.forEach(function (k) { byKind[k.key] = { title: k.title, entries: [] }; groups.push(byKind[k.key]); });
    doc.resource_changes.forEach(function (rc) {
      if (!isObject(rc)) return;
      var k = String(rc.mode || '');
      if (!byKind[k]) { byKind[k] = { title: 'Other (' + (k || 'no kind') + ')', entries: [] }; groups.push(byKind[k]); }
      var e = changeEntry(rc, byKind[k]);
      byKind[k].entries.push(e);
      entries.push(e);
    });
    var drift = { title: 'Changed outside slipway (drift)', entries: [], drift: true };
    (Array.isArray(doc.resource_drift) ? doc.resource_drift : []).forEach(function (rc) {
      if (isObject(rc)) drift.entries.push(changeEntry(rc, drift));
    });
    groups.push(drift);
    groups = groups.filter(function (g) { return g.entries.length > 0; });

    state = { doc: doc, groups: groups, changeCount: entries.length };
    drawFilters(entries.concat(drift.entries));

    var changes = $('changes');
    changes.replaceChildren();
    groups.forEach(function (g) {
      g.count = el('span', { class: 'n' });
      var list = el('div', { class: 'list' });
      g.entries.forEach(function (e) { list.append(drawChange(e)); });
      g.section = el('section', { class: 'group' + (g.drift ? ' drift' : '') }, el('h2', null, g.title, g.count), list);
      changes.append(g.section);
    });

    drawExtra(doc);
    $('plan').hidden = false;
    applyFilters();
    document.title = 'slipway plan: ' + (doc.errored ? 'planning failed' : doc.has_changes ? summaryText(s) : 'no changes');
    document.body.setAttribute('data-state', 'ready');
  }

  function drawExtra(doc) {
    var extra = $('extra');
    extra.replaceChildren();
    var outs = isObject(doc.output_changes) ? Object.keys(doc.output_changes).sort() : [];
    if (outs.length > 0) {
      var t = el('table', { class: 'attrs outputs' },
        el('colgroup', null, el('col', { class: 'path' }), el('col'), el('col')),
        el('thead', null, el('tr', null, el('th', { text: 'output' }), el('th', { text: 'before' }), el('th', { text: 'after' }))));
      var tb = el('tbody');
      outs.forEach(function (name) {
        var o = doc.output_changes[name] || {};
        var a = actionOf(o.actions);
        var unknown = o.after_unknown === true;
        var status = a === 'no-op' ? 'unchanged' : a === 'create' ? 'added' : a === 'delete' ? 'removed' : unknown ? 'unknown' : 'changed';
        tb.append(el('tr', { class: 'attr s-' + status, 'data-action': a },
          el('td', { class: 'path' }, el('span', { class: 'sym', text: symbolOf(o.actions) + ' ' }), name),
          el('td', { class: 'before' }, a === 'create' ? null : valueNode(o.before, !!o.sensitive, false)),
          el('td', { class: 'after' }, a === 'delete' ? null : valueNode(o.after, !!o.sensitive, unknown))));
      });
      t.append(tb);
      extra.append(el('section', { class: 'group outputs' }, el('h2', { text: 'Outputs' }), t));
    }
    if (Array.isArray(doc.interrupted_changes) && doc.interrupted_changes.length > 0) {
      var ti = el('table', { class: 'plain' }, el('tr', null, el('th', { text: 'address' }), el('th', { text: 'action' }), el('th', { text: 'found' }), el('th', { text: 'operation' })));
      doc.interrupted_changes.forEach(function (i) {
        ti.append(el('tr', null, el('td', { class: 'mono', text: String(i.address) }), el('td', { text: String(i.action) }), el('td', { text: String(i.outcome) }), el('td', { class: 'mono', text: String(i.id) })));
      });
      extra.append(el('section', { class: 'group interrupted' }, el('h2', { text: 'Interrupted changes' }), ti));
    }
    var vars = isObject(doc.variables) ? Object.keys(doc.variables).sort() : [];
    if (vars.length > 0) {
      var tv = el('table', { class: 'plain' }, el('tr', null, el('th', { text: 'variable' }), el('th', { text: 'value' })));
      vars.forEach(function (name) {
        var v = doc.variables[name];
        var value = isObject(v) ? v.value : v;
        tv.append(el('tr', null, el('td', { class: 'mono', text: name }),
          el('td', null, value === null ? el('span', { class: 'absent', text: 'null (sensitive variables are null)' }) : valueNode(value, false, false))));
      });
      extra.append(el('section', { class: 'group variables' }, el('h2', { text: 'Variables' }), tv));
    }
    var more = Object.keys(doc).filter(function (k) { return KNOWN.indexOf(k) < 0; }).sort();
    if (more.length > 0) {
      var tm = el('table', { class: 'plain' });
      more.forEach(function (k) { tm.append(el('tr', null, el('td', { class: 'mono', text: k }), el('td', null, valueNode(doc[k], false, false)))); });
      extra.append(el('section', { class: 'group more' }, el('h2', { text: 'More about this plan' }), tm));
    }
  }

  function showError(message) {
    var e = $('error');
    e.textContent = printable(message);
    e.hidden = false;
    document.body.setAttribute('data-state', 'error');
  }

  function showPicker() {
    $('plan').hidden = true;
    $('picker').hidden = false;
    document.body.setAttribute('data-state', 'empty');
  }

  function openFile(file) {
    if (!file) return;
    document.body.setAttribute('data-state', 'loading');
    var reader = new FileReader();
    reader.onerror = function () { showError('Could not read ' + file.name + ': ' + reader.error); };
    reader.onload = function () {
      var doc;
      try {
        doc = JSON.parse(String(reader.result));
      } catch (err) {
        showError(file.name + ' is not JSON (' + err.message + '). Open the output of: slipway show -json PLANFILE');
        return;
      }
      try {
        drawPlan(doc, file.name);
      } catch (err) {
        showError(file.name + ': ' + err.message);
      }
    };
    reader.readAsText(file);
  }

  function start() {
    ['file', 'picker-file'].forEach(function (id) {
      var input = $(id);
      input.addEventListener('change', function () { openFile(input.files && input.files[0]); });
    });
    // A file dropped anywhere on the page opens.
    document.addEventListener('dragover', function (ev) { ev.preventDefault(); $('picker').classList.add('over'); });
    document.addEventListener('dragleave', function () { $('picker').classList.remove('over'); });
    document.addEventListener('drop', function (ev) {
      ev.preventDefault();
      $('picker').classList.remove('over');
      var files = ev.dataTransfer && ev.dataTransfer.files;
      if (files && files.length > 0) openFile(files[0]);
    });
    var data = $('plan-data');
    if (!data) { showPicker(); return; }
    try {
      drawPlan(JSON.parse(data.textContent), '');
    } catch (err) {
      showError('The plan in this page cannot be shown: ' + err.message);
    }
  }

  start();
})();
