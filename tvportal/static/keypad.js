/* Number-key search (epg_templates/search.html). ES5 for old set-top-box browsers.
 * Digits 2-9 type pinyin first letters (社保 = s b = 7 2), 0 deletes the last digit, 1 clears.
 * After each key the results come from /search/keypad?d=.. as JSON and fill the fixed result
 * slots r1..r5 the server laid out (so the focus map stays right); without XMLHttpRequest or
 * JSON the page reloads as /search?d=.., which the server renders the same way.  C.b is the
 * portal's path prefix (setting base_path): the server's paths are app paths. */
(function (w, d) {
  var C = w.TVKEYPAD || {}, B = C.b || '', digits = C.d || '', seq = 0, SLOTS = 5;

  function $(id) { return d.getElementById(id); }

  // textContent is missing on the oldest boxes; innerText does the same there.
  function text(el, s) {
    if (!el) return;
    if (el.textContent !== undefined) el.textContent = s;
    else el.innerText = s;
  }

  function reload(ds) { w.location.href = B + '/search' + (ds ? '?d=' + ds : ''); }

  // Show one answer of the JSON endpoint: typed digits, their letters, the count, the slots.
  function show(r) {
    var i, el, h, hits = r.hits || [], nav = w.tvnav, cur;
    text($('kp-d'), r.d || '\u2013');
    text($('kp-l'), r.d ? r.letters.join(' ') + ' \u00b7 ' + C.all : C.hint);
    text($('kp-n'), r.d ? (r.n ? C.n.replace('{n}', r.n) : C.none) : C.popular);
    if ($('kp')) $('kp').href = B + (r.d ? '/search?q=' + r.d : '/search');
    for (i = 1; i <= SLOTS; i++) {
      el = $('r' + i);
      h = hits[i - 1];
      if (!el) continue;
      el.href = h ? B + h.h : '#';
      el.setAttribute('data-hidden', h ? 'false' : 'true');
      el.style.visibility = h ? 'visible' : 'hidden';
      text(el.firstChild, h ? h.t : '');
      text(el.lastChild, h ? h.k : '');
    }
    // A focused slot that just emptied hands the focus to the first result or the digit box.
    cur = nav && nav.current();
    if (cur && /^r\d$/.test(cur) && !hits[+cur.charAt(1) - 1]) nav.focus(hits.length ? 'r1' : 'kp');
    else if (nav && cur == 'kp' && hits.length) nav.focus('r1');
  }

  function lookup(ds) {
    var x = null, my = ++seq;
    try { x = new XMLHttpRequest(); } catch (e) {}
    if (!x || !w.JSON) { reload(ds); return; }
    x.onreadystatechange = function () {
      // Only the answer to the latest key counts; an older one arriving late is dropped.
      if (x.readyState != 4 || my != seq) return;
      var r = null;
      try { if (x.status == 200) r = JSON.parse(x.responseText); } catch (e) {}
      if (r) show(r);
      else reload(ds);
    };
    x.open('GET', C.url + '?d=' + ds, true);
    x.send(null);
    // Back from a result should come back to these digits.
    try { w.history.replaceState(null, '', B + '/search' + (ds ? '?d=' + ds : '')); } catch (e) {}
  }

  // The runtime asks us first about every key: digits are ours on this page.
  function key(a) {
    if (a.indexOf('digit') != 0) return false;
    var n = a.charAt(5);
    if (n == '0') digits = digits.slice(0, -1);
    else if (n == '1') digits = '';
    else if (digits.length < 12) digits += n;
    lookup(digits);
    return true;
  }

  // Chained in front of any handler already there (voice.js), which still gets the other keys.
  function hook() {
    var nav = w.tvnav, old = nav && nav.onaction;
    if (nav) nav.onaction = function (a, c) { return key(a) || (old ? old(a, c) : false); };
  }

  if (w.tvnav) hook();
  else if (w.addEventListener) w.addEventListener('load', hook, false);
  else w.onload = hook;
})(window, document);
