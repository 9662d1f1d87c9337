// Report and case editors: live character counts and add/remove of "领句 + 具体内容" items.
// Counting is the one rule for 字 (lib/text.py char_count), shared through js/text.js.
(function () {
  "use strict";

  function countChars(text) {
    return window.SFJD.charCount(text);
  }

  function updateCount(field) {
    var box = field.closest(".counted");
    var out = box && box.querySelector(".count");
    if (!out) return;
    var n = countChars(field.value);
    var target = Number(field.dataset.target || 0);
    var limit = Number(field.dataset.limit || 0);
    var text = (target ? "约" + target + "字，" : "") + "已输入" + n + "字";
    if (limit) text += "（上限" + limit + "字）";
    if (limit && n > limit) text += "，已超出" + (n - limit) + "字，请删减";
    out.textContent = text;
    out.classList.toggle("over", Boolean(limit && n > limit));
    out.classList.toggle("near", Boolean(target && n > target * 1.5 && !(limit && n > limit)));
  }

  function hasText(item) {
    return Array.prototype.some.call(item.querySelectorAll("input, textarea"), function (f) {
      return f.value.trim() !== "";
    });
  }

  function renumber(list) {
    var items = list.querySelectorAll(":scope > .item-list > .item");
    items.forEach(function (item, i) {
      var no = item.querySelector(".item-no .n");
      if (no) no.textContent = String(i + 1);
    });
    var min = Number(list.dataset.min), max = Number(list.dataset.max);
    var add = list.querySelector(".add-item");
    var status = list.querySelector(".items-status");
    var slots = items.length;
    // What is saved and checked counts: an item with nothing written is dropped (clean_items).
    var n = Array.prototype.filter.call(items, hasText).length;
    // The report's 3-5 is checked at submission: while writing, a sixth may be added (and warned about).
    var soft = list.dataset.softMax === "1";
    if (add) add.disabled = !soft && slots >= max;
    if (status) {
      var msg = "已填写" + n + "个方面，要求" + min + "-" + max + "个";
      if (n < min) msg += "，还需" + (min - n) + "个";
      if (n === max && !soft) msg += "，已达上限";
      if (n > max) msg += "，多于" + max + "个，提交前请合并或删减";
      status.textContent = msg;
      status.classList.toggle("short", n < min);
    }
  }

  // A case focuses on at most two aspects: once two are ticked the others are disabled.
  function updateAspects(fieldset) {
    var boxes = fieldset.querySelectorAll("input[type=checkbox]");
    var max = Number(fieldset.dataset.max);
    var n = Array.from(boxes).filter(function (b) { return b.checked; }).length;
    boxes.forEach(function (b) {
      if (!b.checked) b.disabled = n >= max;
    });
    var status = fieldset.querySelector(".aspect-status");
    if (status) status.textContent = "已选" + n + "个" + (n >= max ? "，已达上限" : "");
  }

  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest("fieldset.aspects");
    if (fieldset) updateAspects(fieldset);
  });

  var dirty = false;

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-count]")) updateCount(field);
    if (field.form) dirty = true;
    var list = field.closest && field.closest(".items");
    if (list) renumber(list); // an item written in, or emptied, changes the count
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var list = button.closest(".items");
    if (!list) return;
    if (button.classList.contains("add-item")) {
      var template = list.querySelector(":scope > template");
      var fresh = template.content.firstElementChild.cloneNode(true);
      list.querySelector(".item-list").appendChild(fresh);
      fresh.querySelectorAll("[data-count]").forEach(updateCount);
      renumber(list);
      var first = fresh.querySelector("input, textarea");
      if (first) first.focus();
    } else if (button.classList.contains("remove-item")) {
      var item = button.closest(".item");
      var filled = Array.from(item.querySelectorAll("input, textarea")).some(function (f) {
        return f.value.trim() !== "";
      });
      if (filled && !window.confirm("删除此项？已填写的内容将被清除。")) return;
      item.remove();
      dirty = true;
      renumber(list);
    }
  });

  document.addEventListener("submit", function () {
    dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    // A form that saves itself (static/js/report_autosave.js) warns about what it has not saved.
    if (dirty && !document.querySelector("form[data-autosave]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.querySelectorAll("[data-count]").forEach(updateCount);
  document.querySelectorAll(".items").forEach(renumber);
  document.querySelectorAll("fieldset.aspects").forEach(updateAspects);
})();
