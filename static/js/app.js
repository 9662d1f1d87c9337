/* Behaviour shared by every page, loaded from base.html. The Content-Security-Policy forbids inline
 * scripts, `on*=` handler attributes and `style=` attributes, so pages declare what they need with
 * data-* attributes and this file wires it up:
 * - <form data-confirm="…">: asks before submitting (e.g. 提交后材料将不能修改).
 * - <span data-pct="42">: a progress bar filled to 42 %.
 * - #add-note next to #note-rows: adds another return-comment row (review pages).
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.dataset ? form.dataset.confirm : "";
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function init() {
    document.querySelectorAll("[data-pct]").forEach(function (bar) {
      var pct = Math.max(0, Math.min(100, Number(bar.dataset.pct) || 0));
      bar.style.width = pct + "%";
    });

    var rows = document.getElementById("note-rows");
    var add = document.getElementById("add-note");
    if (rows && add) {
      add.addEventListener("click", function () {
        var all = rows.querySelectorAll(".note-row");
        var copy = all[all.length - 1].cloneNode(true);
        copy.querySelector("select").value = "";
        copy.querySelector("input").value = "";
        rows.appendChild(copy);
        copy.querySelector("select").focus();
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
