/* 远程帮办 on the TV (tvportal/copilot/tv.py). ES3: the oldest set-top-box browsers run it.
 * Only while the cookie tvhelp names a help session does it ask the portal (GET /family/poll, one request
 * at a time, at least the server's pause apart, also across pages: the cookie tvhp keeps when the last one
 * started; the server holds a request until there is something to do).
 * The answer is lines, not JSON: state, helper, what to do (go / post / point), its target, a form,
 * the pause in ms, the banner's words, the pointer's words. */
(function (w, d) {
  var m = /(?:^|;\s*)tvhelp=([^;]+)/.exec(d.cookie || ''), nav = w.tvnav, M = w.TVNAV || {},
    home = M.keys && M.keys.home ? M.keys.home.href : '/', base = home.replace(/\/$/, ''),
    on = 0, over = 0, started = 0, x = null, sent = '', pause = 2000, bar, tip, old;
  if (!m) return;
  m = m[1].split('~');
  on = m[1] == 'a';

  function $(id) { return d.getElementById(id); }
  function txt(el, s) { el.innerHTML = ''; el.appendChild(d.createTextNode(s)); }
  function go(to) { over = 1; w.location.href = base + to; }

  // The helper's banner, on every screen while the help lasts.
  function banner(s) {
    if (!bar) {
      bar = d.createElement('p');
      bar.id = 'tv-help';
      bar.setAttribute('role', 'status');
      ($('canvas') || d.body).appendChild(bar);
    }
    txt(bar, s);
  }

  // A form the helper filled in for the elder, sent by the TV itself (its own sign-in, the flow's checks).
  function post(to, f) {
    var form = d.createElement('form'), parts = f ? f.split('&') : [], i, kv, el;
    form.method = 'post';
    form.action = base + to;
    for (i = 0; i < parts.length; i++) {
      kv = parts[i].split('=');
      el = d.createElement('input');
      el.type = 'hidden';
      el.name = decodeURIComponent(kv[0]);
      el.value = decodeURIComponent(kv[1] || '');
      form.appendChild(el);
    }
    d.body.appendChild(form);
    over = 1;
    form.submit();
  }

  // The helper points at the next key: the frame goes there and a label says press OK.
  function point(id, s) {
    var el = $(id), y;
    if (!el || !nav) return;
    nav.focus(id);
    if (!tip) { tip = d.createElement('p'); tip.id = 'tv-point'; }
    txt(tip, s);
    y = parseInt(el.style['top'], 10) || 0;
    tip.style.left = el.style.left;
    tip.style['top'] = (y > 200 ? y - 44 : y + (parseInt(el.style.height, 10) || 0) + 4) + 'px';
    el.parentNode.appendChild(tip);
  }

  function reply(t) {
    var l = t.split('\n');
    pause = +l[5] || 2000;
    on = l[0] == 'active';
    if (on) banner(l[6]);
    else if (bar && l[0] == 'end') { bar.parentNode.removeChild(bar); bar = null; }
    if (l[0] == 'end') over = 1;
    if (l[2] == 'go') go(l[3]);
    else if (l[2] == 'post') post(l[3], l[4]);
    else if (l[2] == 'point') point(l[3], l[7]);
  }

  function ask() {
    var r = new XMLHttpRequest(), f = nav && nav.current() || '';
    x = r;
    started = +new Date;
    d.cookie = 'tvhp=' + started + '; path=/';
    sent = f;
    r.onreadystatechange = function () {
      if (r.readyState != 4 || x != r) return;
      x = null;
      if (r.status == 200) reply(r.responseText);
      if (!over) setTimeout(ask, Math.max(r.status == 200 ? 0 : 1000, pause - (new Date - started)));
    };
    r.open('GET', base + '/family/poll?f=' + encodeURIComponent(f), true);
    r.send(null);
  }

  // A key moved the frame: tell the phone (a new request, still at most one per pause).
  setInterval(function () {
    var f = nav && nav.current() || '', r = x;
    if (on && r && f != sent && new Date - started >= pause) {
      x = null;
      r.abort();
      ask();
    }
  }, 250);

  // While helped, Back ends the help at once (the family-help screens keep their own Back).
  if (nav) {
    old = nav.onaction;
    nav.onaction = function (a, c) {
      if (on && a == 'back' && !/\/family/.test(w.location.pathname)) { go('/family/end'); return true; }
      return old ? old(a, c) : false;
    };
  }
  if (on && m[2]) banner(decodeURIComponent(m[2]));
  m = /(?:^|;\s*)tvhp=(\d+)/.exec(d.cookie || '');
  setTimeout(ask, m ? Math.max(0, Math.min(pause, +m[1] + pause - new Date)) : 0);
})(window, document);
