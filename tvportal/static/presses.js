/* Key presses for the operator's statistics (tvportal/stats/flows.py, docs/operator.md): a running count in
   the session cookie tvkp, which the server reads when a service starts and when it is finished.  Nothing
   else is recorded.  Written for ES3-era box browsers: no ES5 library calls, no globals. */
(function () {
  // The count is read once per page: reading document.cookie is a synchronous round trip to the browser
  // (about 9 ms a key at 6x CPU throttle, in the frame of the key), and only this script writes it.
  var found = /(?:^|; )tvkp=(\d+)/.exec(document.cookie);
  var n = found ? parseInt(found[1], 10) : 0, due = 0;
  // An arrow only moves the highlight: its count is written after the key's frame, not in it (a write costs
  // a slow box as much as the highlight it waits for), or with the next key, or when the page goes.  Any
  // other key may load a page, so it writes at once: the request it makes carries every press before it.
  function write() {
    if (due) {
      due = 0;
      document.cookie = "tvkp=" + n + "; path=/";
    }
  }
  function counted(e) {
    var c = (e || window.event).keyCode;
    n = n < 999999 ? n + 1 : 1;
    if (c >= 37 && c <= 40) {
      if (!due) {
        due = 1;
        setTimeout(write, 0);
      }
    } else {
      due = 1;
      write();
    }
  }
  // capture on the document: counted before the remote runtime handles (and maybe stops) the key
  if (document.addEventListener) {
    document.addEventListener("keydown", counted, true);
    window.addEventListener("pagehide", write, false);
    window.addEventListener("unload", write, false);
  } else if (document.attachEvent) {
    document.attachEvent("onkeydown", counted);
    window.attachEvent("onunload", write);
  }
})();
