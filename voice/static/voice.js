/* tvportal voice: reads the page and the focused item aloud and listens for spoken commands. ES5 only.
 * Page data in window.TVSPEECH (tvportal/speech.py; S.b is the portal's path prefix); hooks into
 * window.tvnav. Every sentence is a [text, signature] pair written by the server: this script never
 * composes one (/voice/tts refuses unsigned text). */
(function (w, d) {
  var S = w.TVSPEECH, nav = w.tvnav, q = [], au = null, cur = null, typed = 0, old, was, lt, VOL = [0, 0.4, 0.7, 1];
  if (!S || !nav) return;
  var B = S.b || '';

  // JSON is missing on the oldest boxes (they lack a microphone API too); eval is barred by the CSP.
  function parse(t) { try { return w.JSON.parse(t); } catch (e) { return null; } }

  function url(s) {
    return B + '/voice/tts?l=' + S.l + '&r=' + S.r + '&t=' + encodeURIComponent(s[0]) + '&s=' + s[1];
  }

  // Cancel what is playing and what is queued: the listener has moved on.
  function stop() {
    q = [];
    if (au) {
      au.onended = au.onerror = null;
      try { au.pause(); } catch (e) {}
      au = null;
    }
  }

  // Play queued sentences one after another (each is one cached MP3).
  function next() {
    var t = q.shift(), p;
    if (!t) { au = null; if (S.done) { p = S.done; S.done = null; p(); } return; }
    au = new Audio(url(t));
    au.volume = VOL[S.v] || 1;
    au.onended = au.onerror = next;
    try {
      p = au.play();
      // play() returns a promise in newer browsers; a refusal (autoplay rules) is not an error here
      if (p && p['catch']) p['catch'](function () {});
    } catch (e) {}
    // fetch the next sentence while this one plays (it is synthesised meanwhile): no gap between them
    if (q.length) { p = new Audio(); p.preload = 'auto'; p.src = url(q[0]); }
  }

  // Speak a list of signed sentences; ``force`` speaks even with reading off (confirmations).
  function say(list, force) {
    if (!S.on && !force) return;
    stop();
    q = list.slice();
    next();
  }

  function item(id) {
    var it = S.items[id];
    return it ? [it.s] : [];
  }

  // Speak the newly focused item; called on focus events and after arrow keys.
  function moved() {
    var id = nav.current();
    // the pad moves the focus to the key just typed: that key was said already (and a PIN must not be)
    if (typed) { cur = id; return; }
    if (id && id != cur) { cur = id; say(item(id)); heard(S.items[id]); }
  }

  // What the listener heard last of this page (its title, the focused item's name) outlives the page in
  // window.name (every old box has it), so the next page does not read its title again when it is the
  // name just heard: a guide's content then starts at once instead of after a seven-second title.
  function heard(it) {
    try { w.name = 'tvheard\n' + S.title + '\n' + (it ? it.t : ''); } catch (e) {}
  }

  function post(field, value, done) {
    var x = new XMLHttpRequest();
    x.open('POST', B + '/voice/prefs', true);
    x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    x.onreadystatechange = function () {
      var r;
      if (x.readyState != 4 || x.status != 200) return;
      r = parse(x.responseText) || {reading: !S.on, rate: S.r, volume: S.v};
      S.on = r.reading; S.r = r.rate; S.v = r.volume;
      d.body.setAttribute('data-reading', S.on ? '1' : '0');
      if (done) done();
    };
    x.send('field=' + field + '&value=' + value);
  }

  function toggle() {
    stop();
    post('reading', 'toggle', function () { say([S.on ? S.said.on : S.said.off], 1); });
  }

  // What a recognised command does on this page (the server chose it from the page's phrases).
  function perform(a) {
    var M = w.TVNAV || {}, K = M.keys || {}, id, it, go = null;
    if (a['do'] == 'home') go = B + '/';
    else if (a['do'] == 'back') go = function () { if (M.back) w.location.href = M.back; else w.history.back(); };
    else if (a['do'] == 'help') return S.all;
    else if (a['do'] == 'search') go = B + '/search?q=' + encodeURIComponent(a.q);
    else if (a['do'] == 'page') { it = K[a.dir == 'next' ? 'page_down' : 'page_up']; if (it) go = it.href; }
    else if (a['do'] == 'volume') post('volume', a.step > 0 ? 'up' : 'down');
    else if (a['do'] == 'rate') post('rate', a.value);
    else if (a['do'] == 'read') return S.page.concat(item(cur), S.keys);
    else if (a['do'] == 'open' || a['do'] == 'digit') {
      for (id in M.items) if (id == a.id || M.items[id].n === a.n) break;
      if (M.items && M.items[id] && (id == a.id || M.items[id].n === a.n)) {
        nav.focus(id);
        go = M.items[id].h || function () { var el = d.getElementById(id); if (el && el.click) el.click(); };
      }
    }
    return go;
  }

  // The large "listening" panel: shown while the microphone is open, with what was heard.
  function panel(text) {
    var p = d.getElementById('tv-listen');
    if (!p) {
      p = d.createElement('div');
      p.id = 'tv-listen';
      p.setAttribute('role', 'status');
      p.style.cssText = 'position:absolute;left:240px;top:220px;width:800px;padding:40px 0;background:#000;' +
        'color:#fff;border:6px solid #5fe08a;font-size:48px;line-height:64px;text-align:center;z-index:9';
      (d.getElementById('canvas') || d.body).appendChild(p);
    }
    p.style.display = text ? 'block' : 'none';
    p.innerHTML = '';
    p.appendChild(d.createTextNode(text || ''));
  }

  // Green key: record up to S.limit seconds, stream 16 kHz PCM to the server, act on the result.
  function listen() {
    var md = w.navigator.mediaDevices, AC = w.AudioContext || w.webkitAudioContext, ws, ctx, src, node, tm, c = [];
    stop();
    panel(S.said.listening);
    function end(msg) {
      if (tm) { clearTimeout(tm); tm = null; }
      if (ctx) {
        try { node.disconnect(); src.mediaStream.getTracks()[0].stop(); ctx.close(); } catch (e) {}
        ctx = null;
      }
      if (msg) { panel(msg); setTimeout(function () { panel(''); }, 3000); }
    }
    for (var id in S.items) c.push('c=' + encodeURIComponent(id + '~' + (S.items[id].n == null ? '' : S.items[id].n) +
      '~' + S.items[id].t));
    md.getUserMedia({audio: {echoCancellation: false, autoGainControl: false}}).then(function (stream) {
      ws = new WebSocket((w.location.protocol == 'https:' ? 'wss://' : 'ws://') + w.location.host +
        B + '/voice/listen?' + c.join('&'));
      ws.binaryType = 'arraybuffer';
      ctx = new AC();
      src = ctx.createMediaStreamSource(stream);
      node = ctx.createScriptProcessor(4096, 1, 1);
      node.onaudioprocess = function (e) {
        var x = e.inputBuffer.getChannelData(0), k = ctx ? ctx.sampleRate / 16000 : 1, n = Math.floor(x.length / k),
          o = new Int16Array(n), i, j, a, b, v;
        // the mean of each group of input samples: a cheap low-pass that keeps aliasing out of 16 kHz
        for (i = 0; i < n; i++) {
          a = Math.floor(i * k); b = Math.max(a + 1, Math.floor((i + 1) * k)); v = 0;
          for (j = a; j < b; j++) v += x[j];
          v /= b - a;
          o[i] = v < -1 ? -32768 : v > 1 ? 32767 : v * 32767;
        }
        if (ws.readyState == 1) ws.send(o.buffer);
      };
      ws.onopen = function () {
        src.connect(node);
        node.connect(ctx.destination);
        tm = setTimeout(function () { end(); ws.send('end'); }, S.limit * 1000);
      };
      ws.onmessage = function (e) {
        var r = parse(e.data) || {}, go;
        if (r.partial) panel(S.said.listening + ' ' + r.partial);
        if (r.error) { end(r.error); ws.close(); }
        if (!r['final']) return;  // final is reserved in ES3
        end();
        ws.close();
        panel(r.action['do'] == 'none' ? r.say : r.action.heard);
        go = perform(r.action);
        S.done = function () {
          panel('');
          if (typeof go == 'string') w.location.href = go;
          else if (typeof go == 'function') go();
          else if (go && go.length) say(go, 1);
        };
        say(r.say ? [r.say] : [], 1);
      };
      ws.onerror = function () { end(S.said.failed); };
    }, function () { end(S.said.nomic); });
  }

  d.body.setAttribute('data-reading', S.on ? '1' : '0');
  // Voice input needs a microphone API and WebSockets: without them its hint is removed.
  if (!(S.mic && w.navigator.mediaDevices && w.navigator.mediaDevices.getUserMedia && w.WebSocket)) {
    S.mic = 0;
    var h = d.querySelectorAll ? d.querySelectorAll('.hints .k-green') : [];
    for (var i = 0; i < h.length; i++) h[i].parentNode.removeChild(h[i]);
  }
  // The voice page's 开始说话 button listens like the green key.
  var vb = d.getElementById('v-listen');
  if (vb) vb.onclick = function () {
    if (S.mic) listen();
    else { panel(S.said.nomic); setTimeout(function () { panel(''); }, 3000); }
    return false;
  };
  // Speech waits until the keys pause (0.15 s, as the runtime's real focus does): a held arrow starts no
  // sentence for each item it passes (each one an MP3 to fetch over a slow link), and a key's frame is
  // never held by fetching or starting one.
  function later() {
    clearTimeout(lt);
    lt = setTimeout(moved, 150);
  }
  if (d.addEventListener) d.addEventListener('focus', later, true);
  old = nav.onaction;
  nav.onaction = function (a, c) {
    if (old && old(a, c) === true) return true;
    if (a == 'red') { toggle(); return true; }
    if (a == 'green' && S.mic) { listen(); return true; }
    // Key 0 says what every key does (where no item owns it and the digits do not type).
    if (a == 'digit0' && S.zero) { say(S.all, 1); return true; }
    if (/^(up|down|left|right)$/.test(a)) later();
    return false;
  };
  // A keypad says each key typed, and the check-digit warning when 18 digits do not add up.
  nav.ontype = function (k, bad) {
    var T = S.typed || {}, t = bad ? T.bad : T[k == 'del' ? 'dele' : k];
    typed = 1;
    setTimeout(function () { typed = 0; }, 30);
    if (t) say([t]);
  };
  cur = nav.current();
  was = String(w.name || '').split('\n');
  say((was[0] == 'tvheard' && (was[1] == S.title || was[2] == S.title) ? S.page.slice(S.tn) : S.page)
    .concat(item(cur), S.keys));
  heard(S.items[cur]);
})(window, document);
