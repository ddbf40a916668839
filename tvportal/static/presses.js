/* Key presses for the operator's statistics (tvportal/stats/flows.py, docs/operator.md): a running count in
   the session cookie tvkp, which the server reads when a service starts and when it is finished.  Nothing
   else is recorded.  Written for ES3-era box browsers: no ES5 library calls, no globals. */
(function () {
  // The count is read once per page: reading document.cookie is a synchronous round trip to the browser
  // (about 9 ms a key at 6x CPU throttle, in the frame of the key), and only this script writes it.
  var found = /(?:^|; )tvkp=(\d+)/.exec(document.cookie);
  var n = found ? parseInt(found[1], 10) : 0;
  function counted() {
    n = n < 999999 ? n + 1 : 1;
    document.cookie = "tvkp=" + n + "; path=/";
  }
  // capture on the document: counted before the remote runtime handles (and maybe stops) the key
  if (document.addEventListener) {
    document.addEventListener("keydown", counted, true);
  } else if (document.attachEvent) {
    document.attachEvent("onkeydown", counted);
  }
})();
