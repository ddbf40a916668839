/* tvportal remote-control runtime. ES5 only: set-top-box browsers are old WebKit/iPanel.
 * The focus map is computed on the server (remote_nav.layout) and set as window.TVNAV
 * before this script; format in docs/remote-navigation.md. Nothing here measures layout. */
(function (w, d) {
  var M = w.TVNAV || {}, I = M.items || {}, G = M.groups || {}, KM = M.keymap || {}, K = M.keys || {},
    loc = w.location, page = 'tvf' + loc.pathname + loc.search, pk = encodeURIComponent(page),
    cur = 0, mem = {}, prev = {}, down = prev, api,
    // Keypad screens: {n: length, x: X allowed last, p: mask as dots, v: value, bad/full: messages, w: wait s}
    P = M.pad, val = P && P.v || '', own = 0,
    // busy: when 确认 was sent (0: not); keys pressed until the next page wait in tvq
    busy = 0, Q = 'tvq', S, rt;
  // S: sessionStorage; the name alone throws where it is missing or barred (then S stays undefined and
  // each use of it throws inside its try)
  try { S = sessionStorage; } catch (e) {}

  // $ = element by id (null-safe); the budget for this file is 4 KB minified.
  function $(id) { return id && d.getElementById(id); }

  // Whether an item can take focus now: in the map, in the DOM, not disabled or hidden.
  function live(id) {
    var el = I[id] && $(id), h;
    if (!el || el.disabled || el.hidden || el.getAttribute('aria-hidden') == 'true') return 0;
    h = el.getAttribute('data-hidden');
    return h == null || h == 'false';
  }

  // className, not classList: classList is missing on the oldest STB browsers.
  function mark(el, on) {
    var c = el.className.replace(/ ?is-focused/g, '');
    el.className = on ? c + ' is-focused' : c;
  }

  // Move the focus mark to an element and remember it for its group and this page. The
  // mark is what the viewer sees; el.focus() (for assistive technology) costs a slow box
  // 10-30 ms by itself, so after a key (now: 0) it follows once the keys pause (0.15 s): a
  // held arrow (a key every 0.11 s) then moves only the mark, and no focus() falls on a key.
  function focus(id, now) {
    var el = $(id), old = $(cur);
    if (!el) return 0;
    if (old) mark(old, 0);
    cur = id;
    if (I[id]) mem[I[id].g] = id;
    mark(el, 1);
    // until then the old item must not keep its :focus look (two items lit); blur needs no layout
    if (now) real();
    else { clearTimeout(rt); rt = setTimeout(real, 150); }
    return 1;
  }

  // The real focus goes to the item marked by then (cur, so the focus listener below does
  // not recurse; focusing the focused element again does nothing). The canvas never
  // scrolls: preventScroll spares the box a forced layout. Storing it can wait as well,
  // but not past a page change (open saves first).
  // After paint() wrote the next page over this one, cur is 0: nothing is focused or stored.
  function real() {
    try { $(cur).focus({preventScroll: 1}); save(); } catch (e) {}
  }

  // The cookie fallback's entries ("page=state"), newest first.
  function cookie() {
    var m = /(?:^|;\s*)tvf=([^;]*)/.exec(d.cookie || '');
    return m ? m[1].split('|') : [];
  }

  // Stored as "focused;remembered;..." ids (no JSON: some boxes lack it), per page, so
  // Back restores focus and group memory; an id's group is in the map.
  function save() {
    var s = cur, g, list, out, i;
    for (g in mem) s += ';' + mem[g];
    try { S.setItem(page, s); return; } catch (e) {}
    // Without sessionStorage a session cookie holds only the last 3 pages, to stay small.
    list = cookie();
    out = [pk + '=' + encodeURIComponent(s)];
    for (i = 0; i < list.length && out.length < 3; i++) if (list[i].split('=')[0] != pk) out.push(list[i]);
    d.cookie = 'tvf=' + out.join('|') + ';path=/';
  }

  // This page's stored ids: [focused, remembered per group...].
  function restore() {
    var s, list, i, p;
    try { s = S.getItem(page); } catch (e) {}
    if (!s) {
      list = cookie();
      for (i = 0; i < list.length; i++) {
        p = list[i].split('=');
        if (p[0] == pk) s = decodeURIComponent(p[1]);
      }
    }
    return s ? s.split(';') : [];
  }

  // Focus the stored item, else the map's start, else the first usable item. On a keypad
  // the server's start wins: it knows whether the entry is complete or was just refused; and
  // so does a start the address names (fs: ?f=, the row a switch just changed).
  function init() {
    var parts = P ? [] : restore(), i, g, id = !M.fs && parts[0], h = d.documentElement;
    // nj (no runtime): only then does :focus light an item (tv.css). Here the mark alone does, so
    // the real focus, which follows the mark after a frame, never lights the old item meanwhile.
    h.className = h.className.replace('nj ', '');
    mem = {};
    for (g in G) if (G[g].last) mem[g] = G[g].last;
    for (i = 1; i < parts.length; i++) if (I[parts[i]]) mem[I[parts[i]].g] = parts[i];
    // data-nr: an item that signs out or withdraws is never where a screen starts
    if (!live(id) || $(id).getAttribute('data-nr')) id = M.start;
    if (!live(id)) for (id in I) if (live(id)) break;
    if (live(id)) focus(id, 1);
    id = kept();
    g = w.TVKQ;
    w.TVKQ = 0;
    if (P) replay(id);
    // then the keys a keypad page caught before this script ran (base.html)
    for (i = 0; g && i < g.length; i++) act(g[i]);
  }

  // Follow the map; a hidden/missing target is skipped in the same direction.
  function move(dir) {
    var k = dir.charAt(0), from = cur, og = I[cur] && I[cur].g, n = 0, it, t, m;
    while (n++ < 50) {
      it = I[from];
      t = it && it[k];
      if (!t || !I[t]) return;
      m = mem[I[t].g];
      // Entering another group lands on its last focused item, unless the server
      // marked this move (x) as one where that would make the target unreachable.
      if (I[t].g != og && m && live(m) && (it.x || '').indexOf(k) < 0) t = m;
      if (live(t)) { focus(t); return; }
      from = t;
    }
  }

  // What OK (or a digit shortcut) does to an item.
  function open(id) {
    save();
    var el = $(id), it = I[id] || {}, u = el && !/^(button|input|select)$/i.test(el.tagName) && (it.h || el.href);
    // Links navigate via location (old WebKit has no <a>.click()); buttons and form
    // controls keep their native behaviour (submit, toggle...) through click().
    if (u) go(u, it.rp);
    else if (el && el.click) el.click();
  }

  // r: the next screen of the same thing (a guide's pages) takes this one's place in the history,
  // so that Back leaves the whole thing at once.
  function go(u, r) {
    r ? loc.replace(u) : loc.href = u;
  }

  // A page key entry: {"href": url, "rp": replace} or {"fn": global function name}.
  function run(k, a, c) {
    if (k.href) go(k.href, k.rp);
    else if (typeof w[k.fn] == 'function') w[k.fn](a, c);
    else return 0;
    return 1;
  }

  // Back to the operator's EPG (ex from the exit_method setting): an address, the Huawei/ZTE
  // Utility call, an EPG function or HbbTV's destroyApplication. Without one (or if the box
  // lacks it) EXIT goes home; on home (hx) it does nothing.
  function quit() {
    var x = M.ex || [], t = x[0];
    try {
      if (t == 'u') return go(x[1]);
      if (t == 'v') return Utility.setValueByName(x[1]);
      if (t == 'f') return w[x[1]]();
      if (t == 'h') return $('appmgr').getOwnerApplication(d).destroyApplication();
    } catch (e) {}
    if (!M.hx) run(K.home);
  }

  // Back: the EPG (home), the page's URL, nothing, or the browser history (home when there is none).
  function back() {
    var b = M.back, H = w.history;
    if (M.hx) quit();
    else if (b) go(b, M.br);
    // "" means the page wants Back to do nothing (e.g. home without an exit URL).
    else if (b !== '') {
      if (H.length > 1) H.back();
      else if (K.home) run(K.home, 'back', 0);
    }
  }

  // True when the key belongs to a focused text field (EXIT never does): digits, OK, Backspace and, away
  // from the ends (an empty field is both ends), left/right keep their editing meaning.
  // The type property is "text" for an <input> without the attribute and "textarea" for
  // a <textarea> (the portal has no email or url fields; no other type starts like these);
  // selectionStart is missing on old boxes and throws for some input types.
  function editing(el, a, c) {
    var n, p;
    if (!el || !/^(text|search|tel|number|password)/i.test(el.type)) return 0;
    if (c == 8) return 1;
    if (/^(up|down|back|exit|red|green|yellow|blue|virtual)$/.test(a)) return 0;
    n = (el.value || '').length;
    p = n ? -1 : 0;
    try { if (typeof el.selectionStart == 'number') p = el.selectionStart; } catch (e) {}
    return a == 'left' ? p : a != 'right' || p != n;
  }

  // Text of an element (no textContent on the oldest boxes; innerHTML would parse markup).
  function txt(el, s) {
    if (el) { el.innerHTML = ''; el.appendChild(d.createTextNode(s)); }
  }

  // GB 11643 check digit: weight of place i is 2^(17-i) mod 11.
  function idok(s) {
    for (var t = 0, i = 0; i < 17; i++) t += s.charAt(i) * (Math.pow(2, 17 - i) % 11);
    return '10X98765432'.charAt(t % 11) == s.charAt(17);
  }

  // A keypad key typed in place: no page load per digit, so no press is ever lost. The
  // value goes into the cells c0.. and into the field pv that 确认 submits. The server's
  // message (a wrong PIN...) stays until the next 确认: typed on, it would vanish unread.
  function type(k) {
    var i, m = '', f = val.length == P.n;
    if (k == 'del') val = val.slice(0, -1);
    else if (k == 'clr') val = '';
    else if (!f && (k != 'x' || P.x && val.length == P.n - 1)) val += k.toUpperCase();
    for (i = 0; i < P.n; i++) txt($('c' + i), i < val.length ? (P.p ? '\u25cf' : val.charAt(i)) : '');
    $('pv').value = val;
    if (val.length == P.n) {
      // Complete: OK is the next press, unless the check digit says one digit is wrong; a
      // digit more says the box is full and offers 删除 rather than vanish.
      m = f && k.length == 1 ? P.full : P.x && !idok(val) ? P.bad : '';
      focus(m ? 'kdel' : 'kok');
    } else if (/^\d$/.test(k)) focus('k' + k);
    if (m || own) txt($('pm'), m);
    // Back deletes a digit while there is one, else leaves: the hint bar says which
    if (P.b) txt($('hl-back'), P.b[val ? 1 : 0]);
    own = !!m;
    // the voice layer says what was typed (it cannot see keys the pad consumes)
    if (api.ontype) api.ontype(k, m);
    return 1;
  }

  // Keys pressed while 确认 is on its way are kept for the next page ("time keys";
  // window.name where sessionStorage is missing); "" forgets them.
  function keep(s) {
    try { S.setItem(Q, s); } catch (e) { w.name = Q + s; }
  }

  // The kept keys of the last few seconds, forgotten once read.
  function kept() {
    var s = '';
    try { s = S.getItem(Q) || ''; S.removeItem(Q); } catch (e) {
      if (/^tvq/.test(w.name)) { s = w.name.slice(3); w.name = ''; }
    }
    s = s.split(' ');
    return +new Date - s[0] < 2e4 ? s[1] : '';
  }

  // Replay kept keys into this keypad: digits type, 确认 (k) sends a complete entry.
  function replay(s) {
    for (var i = 0, c; i < s.length; i++) {
      c = s.charAt(i);
      // an OK sent the entry: the keys after it wait, all of them, for that answer
      if (busy) return keep(busy + ' ' + s.slice(i));
      if (c != 'k') type(c == 'd' ? 'del' : c);
      else if (val.length == P.n) send();
    }
  }

  // 确认: the entry goes to the server without leaving the page (X-Pad), and keys pressed
  // meanwhile are kept. The answer is the same keypad again (a wrong PIN: header X-Pad
  // "value|focus|message", updated in place, so no key falls between two pages), a page
  // to go to (X-Pad-Go), or another screen, written in place of this one.
  function send() {
    var x = new XMLHttpRequest();
    busy = +new Date;
    keep('');
    // a slow check (a PIN's hash takes seconds) says at once, on screen and aloud, that it is under way,
    // so that nobody presses OK again (which would wait as a kept key, neither an attempt nor lost)
    if (P.c) { txt($('pm'), P.c); own = 1; if (api.ontype) api.ontype('c'); }
    x.open('POST', $('pad').action);
    x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    x.setRequestHeader('X-Pad', 1);
    x.onreadystatechange = function () {
      var h = x.readyState == 4 && (x.getResponseHeader('X-Pad') || '').split('|'), u;
      if (!h) return;
      u = x.getResponseHeader('X-Pad-Go');
      // no answer at all (the network): OK can be pressed again, and the waiting line goes
      if (!x.status) { busy = 0; type(''); }
      else if (u) load(u);
      else if (h[1]) {
        busy = 0;
        val = decodeURIComponent(h[0]);
        type('');
        txt($('pm'), decodeURIComponent(h[2]));
        focus(h[1]);
        replay(kept());
      } else paint(x.responseText);
    };
    x.send('k=ok&v=' + encodeURIComponent(val));
  }

  // The next screen is fetched and written in place of this one, its address set with
  // replaceState: a page load would drop keys (Chromium ignores input until the new page
  // paints), and the keys kept meanwhile are typed there. Without replaceState: a page load.
  function load(u) {
    var y = new XMLHttpRequest(), H = w.history;
    if (!H.replaceState) return go(u);
    y.open('GET', u);
    y.onreadystatechange = function () {
      if (y.readyState == 4) {
        if (!y.status) go(u);
        else {
          H.replaceState(0, '', y.responseURL || u);
          paint(y.responseText);
        }
      }
    };
    y.send();
  }

  function paint(t) { cur = 0; d.open(); d.write(t); d.close(); }

  // Count down the seconds until a new code may be asked for, then offer the key (w < 0:
  // the hourly limit is reached and the screen says when).
  function tick() {
    var b = $('kre');
    if (P.w > 0) { txt($('cd'), P.w-- + ''); setTimeout(tick, 1000); }
    else if (b && !P.w) { b.disabled = 0; txt($('cdw'), ''); }
  }

  // Returns 1 when the key was consumed (1/0 rather than true/false: every byte counts).
  function act(c) {
    var a = KM[c], el = d.activeElement, id;
    if (!a) return 0;
    // a mapped item is still focused while the real focus follows the mark
    if (!el || el == d.body || I[el.id]) el = $(cur);
    if (editing(el, a, c)) return 0;
    if (P) {
      id = a.indexOf('digit') ? a == 'ok' ? 'k' : a == 'back' && 'd' : a.charAt(5);
      // While 确认 is on its way, digits, OK and Back wait for the next page (a wrong PIN
      // comes back as an empty pad): a press is never lost.
      if (busy && id) { keep(busy + ' ' + (kept() + id)); return 1; }
      // Digits always type here (before voice's "0 repeats"); OK on a pad key types it;
      // Back deletes a digit while there is one (many remotes share the key).
      if (/\d/.test(id)) return type(id);
      if (a == 'ok' && (id = /^k(\d|x|del|clr)$/.exec(cur))) return type(id[1]);
      if (a == 'back' && val) return type('del');
      if (a == 'ok' && cur == 'kok') { send(); return 1; }
    }
    if (api.onaction && api.onaction(a, c) === true) return 1;
    if (/^(up|down|left|right)$/.test(a)) move(a);
    else if (a == 'ok') {
      if (el != $(cur)) return 0;
      open(cur);
    } else if (!(K[a] && run(K[a], a, c))) {
      if (!a.indexOf('digit')) {
        for (id in I) if (I[id].n === +a.charAt(5) && live(id)) { focus(id); open(id); return 1; }
        return 0;
      }
      // Back is always consumed so that Backspace never triggers the browser's own back.
      if (a == 'back') back();
      else if (a == 'exit') quit();
      // Anything else (page, colour or exit keys this page leaves undefined, 768 media
      // events) is left to the browser and to other handlers.
      else return 0;
    }
    return 1;
  }

  // Boxes deliver the remote on keydown, keypress or both (irkeypress on iPanel), so all
  // are heard and the second of a pair is dropped; a handled key is then also suppressed natively.
  function handle(e) {
    e = e || w.event;
    // t: when the key came (the event's time, else now)
    var c = e.which || e.keyCode, t = e.timeStamp || +new Date, y = e.type, kd = y == 'keydown', h;
    // A keypress right after a real keydown is its echo (or a character code such as
    // 112 for "p" that must not be read as F1); 0/229 keydowns carry no code.
    if (!kd && t - down.t < 50 && down.c && down.c != 229) h = down.h;
    // The same event heard twice (document.onkeydown and the listener), or one press given as two kinds
    // of event (keypress and irkeypress). Never two events of one kind: a busy box hands over queued
    // presses together, with close times, and 9999 typed quickly is still four keys.
    else if (e == prev.e || c == prev.c && y != prev.y && t - prev.t < 40) h = prev.h;
    else {
      h = act(c);
      prev = {c: c, t: t, h: h, e: e, y: y};
      if (kd) down = prev;
    }
    // DOM0 handlers cancel by returning false; listeners need preventDefault.
    if (h && e.preventDefault) e.preventDefault();
    return !h;
  }

  // Listen with addEventListener where it exists, else through the on<type> property.
  function on(o, n, f, c) {
    var old = o['on' + n];
    if (o.addEventListener) o.addEventListener(n, f, !!c);
    // Chain rather than replace a handler the page (or an EPG framework) already set.
    else o['on' + n] = old ? function (e) { old(e); return f(e); } : f;
  }

  on(d, 'keydown', handle);
  // FiberHome boxes deliver keys only to document.onkeydown: set it too (handle() drops the
  // second hearing of a key). iPanel delivers remote keys to onirkeypress.
  d.onkeydown = d.onirkeypress = handle;
  on(d, 'keypress', handle);
  // Keep the map position in step when focus moves by mouse or Tab (focus does not
  // bubble, hence capture).
  on(d, 'focus', function (e) {
    var id = (e || w.event).target.id;
    if (I[id] && id != cur) focus(id);
  }, 1);
  // A page restored from the back-forward cache does not run scripts again.
  on(w, 'pageshow', function (e) { if (e.persisted) { busy = 0; init(); } });

  api = w.tvnav = {
    focus: focus,
    current: function () { return cur; },
    // when a keypad's 确认 was sent and its answer is not shown yet (0: not)
    busy: function () { return busy; }
    // and the hooks other scripts set: onaction(action, code) returning true claims a key,
    // ontype(key, message) hears what a keypad typed
  };

  // Normally the script sits at the end of <body>; otherwise wait for the page.
  if ($(M.start)) init();
  else on(w, 'load', init);
  if (P) tick();
})(window, document);
