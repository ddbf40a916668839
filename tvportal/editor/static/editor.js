/* Editor page helpers (progressive: every action also works without this file).
   - live TV preview: posts the form to the preview endpoint 500 ms after the last change;
   - screen buttons for multi-screen previews;
   - a warning before leaving a form with unsaved changes. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form) { return; }
  var frame = document.getElementById("tvpreview");
  var state = document.getElementById("preview-state");
  var pagesBox = document.getElementById("preview-pages");
  var plain = document.getElementById("plain-results");
  var url = form.getAttribute("data-preview");
  var page = 1, timer = null, seq = 0, dirty = false, submitting = false;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function showChecks(checks) {
    plain.textContent = "";
    if (!checks.length) { plain.appendChild(text("p", plain.getAttribute("data-empty") || "", "help")); return; }
    checks.forEach(function (c) {
      var h = text("h3", c.label + " ");
      var count = (plain.getAttribute("data-count") || "{n} / {budget}").replace("{n}", c.length).replace("{budget}", c.budget);
      h.appendChild(text("span", count, "count" + (c.length > c.budget ? " over" : "")));
      plain.appendChild(h);
      if (c.warnings.length) {
        var ul = document.createElement("ul");
        ul.className = "warnings";
        c.warnings.forEach(function (w) { ul.appendChild(text("li", w)); });
        plain.appendChild(ul);
      } else {
        plain.appendChild(text("p", plain.getAttribute("data-ok") || "✓", "ok"));
      }
    });
  }

  function showPages(pages) {
    pagesBox.hidden = pages < 2;
    var label = pagesBox.firstElementChild;
    pagesBox.textContent = "";
    pagesBox.appendChild(label);
    for (var i = 1; i <= pages; i++) {
      var b = text("button", String(i));
      b.type = "button";
      b.setAttribute("aria-pressed", i === page ? "true" : "false");
      b.addEventListener("click", (function (n) { return function () { page = n; refresh(); }; })(i));
      pagesBox.appendChild(b);
    }
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("_op");
    var mine = ++seq;
    state.textContent = state.getAttribute("data-busy") || "…";
    fetch(url + "?format=json&page=" + page, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (res) {
        if (mine !== seq) { return; }
        page = res.page;
        frame.srcdoc = res.html;
        showPages(res.pages);
        showChecks(res.checks);
        state.textContent = res.error ? res.error : "";
      })
      .catch(function (err) { if (mine === seq) { state.textContent = "✗ " + err.message; } });
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { submitting = true; });
  // the view buttons sit outside the form (form="edit-form"): their change is not an edit, only a new rendering
  Array.prototype.forEach.call(document.querySelectorAll("input[name=_view]"), function (radio) {
    radio.addEventListener("change", function () { page = 1; refresh(); });
  });
  document.getElementById("preview-button").addEventListener("click", function (e) {
    e.preventDefault();
    refresh();
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) { e.preventDefault(); e.returnValue = ""; }
  });
  if (document.querySelector(".notice.warn, .notice.error, .conflict")) { dirty = true; }
  refresh();
})();
