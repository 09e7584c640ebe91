// raqib review page keyboard shortcuts. Served from /static: the CSP forbids inline scripts.
// Inbox: j/k move, o/Enter open, x select, r/i/l mark the current row, / search.
// Article: j/k next/previous story, u inbox, r/i/l mark, n note.
(function () {
  "use strict";

  function typing(ev) {
    var t = ev.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function go(id) {
    var a = document.getElementById(id);
    if (a) { window.location.href = a.getAttribute("href"); }
  }

  function inbox() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.item"));
    var form = document.getElementById("bulk");
    var cur = -1;

    function select(i) {
      if (!rows.length) { return; }
      i = Math.max(0, Math.min(rows.length - 1, i));
      if (cur >= 0) { rows[cur].classList.remove("current"); }
      cur = i;
      rows[cur].classList.add("current");
      rows[cur].scrollIntoView({block: "nearest"});
    }

    function markCurrent(status) {
      if (cur < 0 || !form) { return; }
      rows.forEach(function (r, i) {
        var box = r.querySelector("input[type=checkbox]");
        if (box) { box.checked = (i === cur); }
      });
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "status"; input.value = status;
      form.appendChild(input);
      form.submit();
    }

    rows.forEach(function (r, i) {
      r.addEventListener("click", function (ev) {
        if (ev.target.tagName !== "A" && ev.target.tagName !== "INPUT") { select(i); }
      });
    });

    document.addEventListener("keydown", function (ev) {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
      var k = ev.key;
      if (k === "j") { select(cur + 1); }
      else if (k === "k") { select(cur < 0 ? 0 : cur - 1); }
      else if ((k === "o" || k === "Enter") && cur >= 0) { window.location.href = rows[cur].dataset.href; }
      else if (k === "x" && cur >= 0) {
        var box = rows[cur].querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
      }
      else if (k === "r") { markCurrent("relevant"); }
      else if (k === "i") { markCurrent("irrelevant"); }
      else if (k === "l") { markCurrent("later"); }
      else if (k === "/") { var q = document.querySelector("input[name=q]"); if (q) { q.focus(); } }
      else { return; }
      ev.preventDefault();
    });
  }

  function article() {
    var form = document.getElementById("review-form");
    function mark(status) {
      if (!form) { return; }
      var btn = form.querySelector("button[value=" + status + "]");
      if (form.requestSubmit) { form.requestSubmit(btn); } else { btn.click(); }
    }
    document.addEventListener("keydown", function (ev) {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
      var k = ev.key;
      if (k === "j") { go("next"); }
      else if (k === "k") { go("prev"); }
      else if (k === "u") { go("back"); }
      else if (k === "r") { mark("relevant"); }
      else if (k === "i") { mark("irrelevant"); }
      else if (k === "l") { mark("later"); }
      else if (k === "n") { var n = document.getElementById("note"); if (n) { n.focus(); } }
      else { return; }
      ev.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("page-inbox")) { inbox(); }
    if (document.body.classList.contains("page-article")) { article(); }
  });
})();
