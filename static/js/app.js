/* Behaviour shared by every page, loaded from base.html. The Content-Security-Policy forbids inline
 * scripts, `on*=` handler attributes and `style=` attributes, so pages declare what they need with
 * data-* attributes and this file wires it up:
 * - <form data-confirm="…"> or <button type=submit data-confirm="…">: asks before submitting
 *   (e.g. 提交后材料将不能修改); the pressed button's question wins.
 * - <form data-audience="id">: a 催报 form; the json_script element `id` holds how many people each
 *   target and scope would reach, shown under the form and in the confirmation.
 * - <span data-pct="42">: a progress bar filled to 42 %.
 * - #add-note next to #note-rows: adds another return-comment row (review pages).
 */
(function () {
  "use strict";

  // The question comes from the button pressed (a form with 受理 and 退回 asks differently for each),
  // else from the form, else from a 催报 form's audience (how many people will be written to).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.dataset) return;
    var button = event.submitter;
    var question = (button && button.dataset && button.dataset.confirm) || form.dataset.confirm || "";
    if (form.dataset.audience) question = audienceQuestion(form);
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function audienceData(form) {
    var el = document.getElementById(form.dataset.audience);
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function audienceText(form) {
    var targets = form.querySelector("input[name=targets]:checked");
    var scope = form.querySelector("select[name=authority]");
    if (!targets || !scope || !scope.value) return "";
    var counts = (audienceData(form)[targets.value] || {})[scope.value] || [0, 0, 0];
    var where = scope.value === "all" ? "全国" : scope.options[scope.selectedIndex].textContent.trim();
    var who = targets.value === "bases" ? "个未提交材料的示范基地的 " + counts[0] + " 名填报员" : "个省级主管部门的 " + counts[0] + " 名审核员";
    var noMail = counts[2] ? "（其中 " + counts[2] + " 人没有登记电子邮箱，只能收到站内消息）" : "";
    return "范围：" + where + "。将向 " + counts[1] + " " + who + "发送站内消息和电子邮件" + noMail + "。";
  }

  function audienceQuestion(form) {
    var text = audienceText(form);
    if (!text) return ""; // no scope chosen: the server says so
    return "确认发送催报？" + text + "（已在间隔时间内被催报的人将跳过，不计在内）";
  }

  function filterOptions(select, text) {
    var q = String(text || "").trim().toLowerCase();
    var shown = [];
    select.querySelectorAll("optgroup").forEach(function (group) {
      var any = false;
      group.querySelectorAll("option").forEach(function (o) {
        var hit = !q || (o.textContent + " " + o.value + " " + group.label).toLowerCase().indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit) {
          any = true;
          shown.push(o);
        }
      });
      group.hidden = !any;
    });
    return shown;
  }

  function init() {
    document.querySelectorAll("[data-pct]").forEach(function (bar) {
      var pct = Math.max(0, Math.min(100, Number(bar.dataset.pct) || 0));
      bar.style.width = pct + "%";
    });

    document.querySelectorAll("form[data-audience]").forEach(function (form) {
      var preview = form.querySelector(".reminder-preview");
      var update = function () {
        if (preview) preview.textContent = audienceText(form) || "请先选择催报范围。";
      };
      form.addEventListener("change", update);
      update();
    });

    // The field-comment picker: typing a code or part of a name narrows the list; one match is chosen.
    var rows = document.getElementById("note-rows");
    if (rows) {
      rows.addEventListener("input", function (ev) {
        if (!ev.target.matches(".note-search")) return;
        var select = ev.target.closest(".note-row").querySelector("select");
        var matches = filterOptions(select, ev.target.value);
        if (matches.length === 1) select.value = matches[0].value;
      });
    }

    var add = document.getElementById("add-note");
    if (rows && add) {
      add.addEventListener("click", function () {
        var all = rows.querySelectorAll(".note-row");
        var copy = all[all.length - 1].cloneNode(true);
        copy.querySelector("select").value = "";
        copy.querySelectorAll("input").forEach(function (input) {
          input.value = "";
        });
        filterOptions(copy.querySelector("select"), "");
        rows.appendChild(copy);
        (copy.querySelector(".note-search") || copy.querySelector("select")).focus();
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* The guided path (templates/submissions/_todo_bar.html): Alt+N follows #next-problem; on an entry
 * page the link continues after the cell last focused, or the one the address points at. */
(function () {
  "use strict";

  function link() {
    return document.getElementById("next-problem");
  }

  function positionOf(el) {
    var cell = el && el.closest ? el.closest("[data-form][data-code][data-year]") : null;
    if (!cell || !cell.dataset.code) return "";
    var section = (link() && link().dataset.after.split("|")[1]) || "";
    return [cell.dataset.form, section, cell.dataset.code, cell.dataset.year].join("|");
  }

  function setAfter(position) {
    var a = link();
    if (!a || !position) return;
    a.href = a.dataset.baseHref + "?after=" + encodeURIComponent(position);
  }

  // The address's cell, focused and in the middle of the screen (clear of the sticky header). A 是/否
  // item or a small table is a box around its controls: the first of them (the answer ticked, if
  // any) takes the focus.
  function hashTarget() {
    if (window.location.hash.length <= 1) return null;
    return document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  }

  function focusTarget() {
    var target = hashTarget();
    if (!target) return;
    setAfter(positionOf(target));
    var control = target.matches("input, select, textarea, button, a[href]")
      ? target
      : target.querySelector("input:checked") || target.querySelector("input, select, textarea, button");
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    if (control && control.focus) control.focus({ preventScroll: true });
  }

  function init() {
    if (!link()) return;
    // The link goes on from the address's cell at once, before anything is focused (Alt+N may be
    // pressed before the page has loaded).
    setAfter(positionOf(hashTarget()));
    // After the load: the browser's own scroll to the #fragment moves the focus to the page when
    // the fragment is not focusable itself (a 是/否 box), undoing a focus given before it.
    if (document.readyState === "complete") focusTarget();
    else window.addEventListener("load", function () { window.setTimeout(focusTarget, 0); });
    // 下一个 that lands on the same page changes only the address's #cell.
    window.addEventListener("hashchange", focusTarget);
    document.addEventListener("focusin", function (ev) {
      setAfter(positionOf(ev.target));
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.key === "n" || ev.key === "N" || ev.code === "KeyN")) {
        var a = link();
        if (a) {
          ev.preventDefault();
          a.click();
        }
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
