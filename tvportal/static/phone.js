/* The helper's phone page (epg_templates/phone.html): reload when the TV's screen or the help changed, unless
 * something is being typed. Asks every 2 s; without JavaScript a meta refresh does the same. */
(function (w, d) {
  var seen = d.body.getAttribute('data-version'), url = w.location.pathname.replace(/\/go$/, '/v'), touched = 0;
  // a finger on the page (or a form on its way) means the helper is acting: no reload under the tap
  function touch() { touched = +new Date; }
  d.onmousedown = touch;
  d.ontouchstart = touch;
  d.onsubmit = function () { touched = +new Date + 60000; };
  function ask() {
    var x = new XMLHttpRequest();
    x.onreadystatechange = function () {
      if (x.readyState != 4) return;
      var a = d.activeElement;
      if (x.status == 200 && x.responseText != seen && !(a && a.tagName == 'INPUT' && a.value)
          && new Date - touched > 1500) {
        w.location.replace(w.location.pathname);
        return;
      }
      setTimeout(ask, 2000);
    };
    x.open('GET', url, true);
    x.send(null);
  }
  if (seen) setTimeout(ask, 2000);
})(window, document);
