/* Data-entry page: autosave, live 同比%, currency conversion, paste from Excel, keyboard moves,
 * conflicts, cell history and warning explanations. Plain JS, no framework.
 *
 * Nothing typed may be lost: every edit is written to localStorage first (keyed by submission and
 * cell) and removed only when the server confirms it, so a dropped network or a closed tab keeps it;
 * the next visit puts it back into the field and sends it again.
 */
(function () {
  "use strict";

  var root = document.getElementById("entry");
  var cfgEl = document.getElementById("entry-config");
  if (!root || !cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var marks = JSON.parse((document.getElementById("entry-marks") || { textContent: "[]" }).textContent);
  var statusEl = document.getElementById("save-status");
  var PREFIX = "sfjd:pending:" + cfg.submission + ":";
  var DEBOUNCE_MS = 800;
  var MAX_BACKOFF_MS = 60000;

  var timer = null;
  var inFlight = false;
  var again = false;
  var failures = 0;
  var retryTimer = null;

  // --- small helpers ---------------------------------------------------------------------------

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }
  function keyOf(form, code, year) {
    return form + "|" + code + "|" + year;
  }
  function cellKey(cell) {
    return keyOf(cell.dataset.form, cell.dataset.code, cell.dataset.year);
  }
  function findCell(form, code, year) {
    return root.querySelector(
      '.cell[data-form="' + cssEscape(form) + '"][data-code="' + cssEscape(code) + '"][data-year="' + year + '"]'
    );
  }
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function clockNow() {
    try {
      return new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
    } catch (e) {
      return new Date().toTimeString().slice(0, 8);
    }
  }
  function setStatus(text, kind) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = "eh-status" + (kind ? " " + kind : "");
  }
  function charCount(s) {
    // One rule for 字 (lib/text.py char_count), shared with the server through js/text.js.
    return window.SFJD.charCount(s);
  }
  function num(text) {
    if (text === null || text === undefined) return null;
    var t = String(text)
      .replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/\uff0e/g, ".")
      .replace(/[,\s\u3000]/g, "")
      .replace(/%$/, "");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
    return parseFloat(t);
  }

  // --- pending edits in localStorage -----------------------------------------------------------

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }
  var memoryPending = {}; // fallback when localStorage is unavailable
  function getPending(k) {
    var ls = storage();
    if (!ls) return memoryPending[k] || null;
    var v = ls.getItem(PREFIX + k);
    return v ? JSON.parse(v) : null;
  }
  function putPending(k, entry) {
    var ls = storage();
    if (!ls) {
      memoryPending[k] = entry;
      return;
    }
    ls.setItem(PREFIX + k, JSON.stringify(entry));
  }
  function dropPending(k) {
    var ls = storage();
    if (!ls) delete memoryPending[k];
    else ls.removeItem(PREFIX + k);
  }
  function allPending() {
    var out = {};
    var ls = storage();
    if (!ls) return Object.assign({}, memoryPending);
    for (var i = 0; i < ls.length; i++) {
      var name = ls.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        try {
          out[name.slice(PREFIX.length)] = JSON.parse(ls.getItem(name));
        } catch (e) {
          /* a corrupt entry cannot be sent; leave it for inspection */
        }
      }
    }
    return out;
  }
  function hasUnsaved() {
    var p = allPending();
    for (var k in p) if (!p[k].conflict) return true;
    return inFlight;
  }

  // --- reading and writing a cell's raw value ---------------------------------------------------

  function tableRaw(table) {
    var cols = Array.prototype.map.call(table.querySelectorAll("thead th[data-col]"), function (th) {
      return th.dataset.col;
    });
    var rows = [];
    table.querySelectorAll("tbody tr.trow").forEach(function (tr) {
      var row = {};
      cols.forEach(function (c) {
        var input = tr.querySelector('.tcell[data-col="' + cssEscape(c) + '"]');
        row[c] = input ? input.value : "";
      });
      rows.push(row);
    });
    return rows;
  }

  function getRaw(cell) {
    var kind = cell.dataset.kind;
    if (kind === "table") return tableRaw(cell);
    if (kind === "yesno") {
      var checked = cell.querySelector("input[type=radio]:checked");
      var answer = checked ? checked.value : "";
      if (!cell.dataset.note) return answer;
      var note = cell.querySelector("textarea.note");
      return { answer: answer, note: note ? note.value : "" };
    }
    return cell.value;
  }

  function setRaw(cell, raw) {
    var kind = cell.dataset.kind;
    if (kind === "table") {
      var rows = Array.isArray(raw) ? raw : [];
      var trs = cell.querySelectorAll("tbody tr.trow");
      while (trs.length < rows.length && addRow(cell)) trs = cell.querySelectorAll("tbody tr.trow");
      trs.forEach(function (tr, i) {
        var data = rows[i] || {};
        tr.querySelectorAll(".tcell").forEach(function (input) {
          var v = data[input.dataset.col];
          setInputValue(input, v === null || v === undefined ? "" : String(v));
        });
      });
      return;
    }
    if (kind === "yesno") {
      var answer = raw && typeof raw === "object" ? raw.answer : raw;
      if (answer === true) answer = "是";
      if (answer === false) answer = "否";
      cell.querySelectorAll("input[type=radio]").forEach(function (r) {
        r.checked = r.value === answer;
      });
      var note = cell.querySelector("textarea.note");
      if (note) {
        note.value = raw && typeof raw === "object" && raw.note ? raw.note : "";
        updateCounter(note);
      }
      return;
    }
    setInputValue(cell, raw === null || raw === undefined ? "" : String(raw));
    updateCounter(cell);
    updateRow(cell);
  }

  function setInputValue(input, v) {
    if (input.tagName === "SELECT" && v && !Array.prototype.some.call(input.options, function (o) { return o.value === v; })) {
      var opt = document.createElement("option");
      opt.textContent = v;
      input.appendChild(opt);
    }
    input.value = v;
  }

  function currencyOf(cell) {
    var tr = cell.closest("tr.item-row");
    var sel = tr ? tr.querySelector("select.currency") : null;
    return sel ? sel.value : "";
  }

  // --- live figures: counters, 同比%, currency ------------------------------------------------------

  function updateCounter(el) {
    if (!el || el.tagName !== "TEXTAREA") return;
    var box = el.closest(".note-box") || el.closest(".item-control");
    var counter = box ? box.querySelector(".counter") : null;
    if (!counter) return;
    var max = parseInt(counter.dataset.max || el.dataset.max || "500", 10);
    var n = charCount(el.value);
    counter.innerHTML = "已输入 <b>" + n + "</b> / " + max + " 字";
    counter.classList.toggle("over", n > max);
  }

  function formatYoy(current, previous) {
    if (current === null || previous === null || previous === 0) return "—";
    var v = ((current - previous) / Math.abs(previous)) * 100;
    return (Math.round(v * 100 + (v >= 0 ? 1e-9 : -1e-9)) / 100).toFixed(2);
  }

  function updateRow(cell) {
    var tr = cell.closest ? cell.closest("tr.item-row") : null;
    if (!tr) return;
    var values = {};
    tr.querySelectorAll("input.cell-input").forEach(function (input) {
      values[input.dataset.year] = num(input.value);
    });
    tr.querySelectorAll("td.yoy").forEach(function (td) {
      var y = parseInt(td.dataset.yoyYear, 10);
      var text = formatYoy(values[y], values[y - 1] === undefined ? null : values[y - 1]);
      td.textContent = text;
      td.classList.toggle("neg", text.charAt(0) === "-");
    });
    var rate = parseFloat(tr.dataset.rate || "");
    if (rate) {
      var usd = currencyOf(cell) !== "";
      var unitText = tr.querySelector(".unit-text");
      if (unitText) unitText.textContent = usd ? tr.dataset.foreignUnit || "" : tr.dataset.unit || "";
      tr.querySelectorAll("input.cell-input").forEach(function (input) {
        var span = input.closest("td").querySelector(".converted");
        var v = num(input.value);
        span.textContent = usd && v !== null ? "≈ " + (v * rate).toFixed(4) + " " + (tr.dataset.unit || "") : "";
      });
    }
  }

  // --- autosave ---------------------------------------------------------------------------------

  function markUnsaved(cell, on) {
    if (!cell) return;
    var box = cell.closest(".cellbox") || cell.parentElement;
    box.classList.toggle("unsaved", !!on);
  }

  function record(cell) {
    if (!cfg.editable) return;
    var k = cellKey(cell);
    var prev = getPending(k);
    var entry = {
      form: cell.dataset.form,
      code: cell.dataset.code,
      year: parseInt(cell.dataset.year, 10),
      raw: getRaw(cell),
      currency: currencyOf(cell),
      // The revision this edit is based on: the one the page showed when editing began.
      base_revision: prev ? prev.base_revision : parseInt(cell.dataset.revision || "0", 10),
      force: prev ? !!prev.force : false,
      at: Date.now(),
    };
    putPending(k, entry);
    markUnsaved(cell, true);
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay === undefined ? DEBOUNCE_MS : delay);
  }

  function retryLater() {
    failures += 1;
    var wait = Math.min(MAX_BACKOFF_MS, 2000 * Math.pow(2, failures - 1));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, wait);
    setStatus("保存失败，将自动重试", "err");
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function flush() {
    clearTimeout(timer);
    if (!cfg.editable) return;
    if (inFlight) {
      again = true;
      return;
    }
    var pending = allPending();
    var keys = Object.keys(pending).filter(function (k) {
      return !pending[k].conflict;
    });
    if (!keys.length) return;
    var sent = {};
    var changes = keys.map(function (k) {
      var e = pending[k];
      sent[k] = e;
      return {
        form: e.form,
        code: e.code,
        year: e.year,
        raw: e.raw,
        currency: e.currency || "",
        base_revision: e.base_revision,
        force: !!e.force,
      };
    });
    inFlight = true;
    setStatus("正在保存…", "busy");
    var url = cfg.saveUrl + "?form=" + encodeURIComponent(cfg.form) + "&section=" + encodeURIComponent(cfg.section);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: JSON.stringify({ changes: changes }),
    })
      .then(function (resp) {
        return resp
          .json()
          .catch(function () {
            return { ok: false, message: "" };
          })
          .then(function (data) {
            return { status: resp.status, data: data };
          });
      })
      .then(function (r) {
        inFlight = false;
        if (r.status >= 500 || (r.status !== 200 && !r.data.message)) {
          retryLater();
          return;
        }
        if (r.status !== 200) {
          // Refused (403) or not acceptable (400): retrying will not help; the edits stay stored.
          failures = 0;
          setStatus(r.data.message || "保存失败", "err");
          return;
        }
        failures = 0;
        applyResult(r.data, sent);
        if (again) {
          again = false;
          schedule(0);
        }
      })
      .catch(function () {
        inFlight = false;
        again = false;
        retryLater();
      });
  }

  function applyResult(data, sent) {
    var conflicts = 0;
    (data.cells || []).forEach(function (c) {
      var k = keyOf(c.form, c.code, c.year);
      var cell = findCell(c.form, c.code, c.year);
      var mine = sent[k];
      var current = getPending(k);
      if (c.status === "conflict") {
        conflicts += 1;
        if (current) {
          current.conflict = true;
          current.theirs = c.theirs;
          current.theirs_revision = c.revision;
          current.theirs_by = c.theirs_by;
          current.theirs_at = c.theirs_at;
          putPending(k, current);
        }
        if (cell) showConflict(cell, c);
        return;
      }
      if (c.status === "rejected") {
        dropPending(k);
        if (cell) {
          markUnsaved(cell, false);
          showCellMessage(cell, c.message || c.error || "无法保存", "err");
        }
        return;
      }
      // saved or unchanged
      if (current && mine && same(current.raw, mine.raw) && (current.currency || "") === (mine.currency || "")) {
        dropPending(k);
      } else if (current) {
        current.base_revision = c.revision;
        current.force = false;
        putPending(k, current);
      }
      if (cell) {
        cell.dataset.revision = c.revision;
        if (!getPending(k)) markUnsaved(cell, false);
        clearConflict(cell);
        showCellMessage(cell, c.error || "", c.error ? "err" : "");
      }
    });
    if (data.findings) applyFindings(data.findings);
    if (data.progress) applyProgress(data.progress);
    if (conflicts) setStatus("有 " + conflicts + " 项与他人的修改冲突，请处理", "err");
    else setStatus("已保存 " + (data.saved_at || clockNow()), "ok");
  }

  function showCellMessage(cell, text, kind) {
    var box = cell.closest(".cellbox");
    var msg = box ? box.querySelector(".cell-msg") : null;
    if (!msg) return;
    msg.textContent = text;
    msg.className = "cell-msg" + (kind ? " " + kind : "");
  }

  // --- conflicts --------------------------------------------------------------------------------

  function display(raw) {
    if (raw === null || raw === undefined || raw === "") return "（空）";
    if (Array.isArray(raw)) return "表格（" + raw.length + " 行）";
    if (typeof raw === "object") {
      var a = raw.answer === true ? "是" : raw.answer === false ? "否" : raw.answer || "";
      return a + (raw.note ? "；" + raw.note : "");
    }
    return String(raw);
  }

  function clearConflict(cell) {
    var box = cell.closest(".cellbox");
    var old = box ? box.querySelector(".conflict") : null;
    if (old) old.remove();
  }

  function showConflict(cell, c) {
    clearConflict(cell);
    var box = cell.closest(".cellbox");
    var div = document.createElement("div");
    div.className = "conflict";
    var when = (c.theirs_at || "").split(" ").pop();
    var text = document.createElement("div");
    text.textContent = "此项已被 " + (c.theirs_by || "他人") + " 于 " + when + " 修改为 " + display(c.theirs);
    var useTheirs = document.createElement("button");
    useTheirs.type = "button";
    useTheirs.textContent = "使用对方的值";
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "primary";
    keepMine.textContent = "保留我的值";
    useTheirs.addEventListener("click", function () {
      var k = cellKey(cell);
      dropPending(k);
      setRaw(cell, c.theirs);
      cell.dataset.revision = c.revision;
      markUnsaved(cell, false);
      div.remove();
      setStatus("已采用对方的值", "ok");
    });
    keepMine.addEventListener("click", function () {
      var k = cellKey(cell);
      var entry = getPending(k) || {
        form: cell.dataset.form,
        code: cell.dataset.code,
        year: parseInt(cell.dataset.year, 10),
        raw: getRaw(cell),
        currency: currencyOf(cell),
      };
      entry.raw = getRaw(cell);
      entry.base_revision = c.revision;
      entry.force = true;
      delete entry.conflict;
      putPending(k, entry);
      div.remove();
      flush();
    });
    div.appendChild(text);
    div.appendChild(useTheirs);
    div.appendChild(keepMine);
    box.appendChild(div);
  }

  // --- findings and progress --------------------------------------------------------------------

  function applyFindings(f) {
    Object.keys(f.html || {}).forEach(function (code) {
      root.querySelectorAll('.findings[data-code="' + cssEscape(code) + '"]').forEach(function (box) {
        box.innerHTML = f.html[code];
        var row = box.closest("tr.findings-row");
        if (row) row.hidden = !box.children.length;
      });
    });
    applyMarks(f.marks || []);
  }

  function applyMarks(list) {
    root.querySelectorAll(".has-error, .has-warning, .is-missing").forEach(function (el) {
      el.classList.remove("has-error", "has-warning", "is-missing");
    });
    list.forEach(function (m) {
      var form = cfg.form;
      var cell = findCell(form, m.field, m.year);
      if (!cell) return;
      var target = cell;
      if (cell.dataset.kind === "table" && m.row !== null && m.row !== undefined) {
        var tr = cell.querySelectorAll("tbody tr.trow")[m.row];
        var input = tr && m.column ? tr.querySelector('.tcell[data-col="' + cssEscape(m.column) + '"]') : null;
        target = input || tr || cell;
      } else if (cell.dataset.kind === "yesno") {
        target = (m.column === "note" ? cell.querySelector("textarea.note") : cell.querySelector(".radios")) || cell;
      }
      var cls = { error: "has-error", warning: "has-warning", missing: "is-missing" }[m.severity];
      if (cls !== "has-error" && target.classList.contains("has-error")) return;
      target.classList.add(cls);
    });
  }

  function applyProgress(progress) {
    Object.keys(progress).forEach(function (form) {
      Object.keys(progress[form]).forEach(function (section) {
        var p = progress[form][section];
        document.querySelectorAll('[data-progress="' + cssEscape(form + "|" + section) + '"]').forEach(function (el) {
          el.textContent = p[0] + "/" + p[1];
          el.classList.toggle("done", p[0] >= p[1]);
        });
      });
    });
  }

  // --- tables: add and remove rows ------------------------------------------------------------------

  function addRow(table) {
    if (!table.dataset.extensible) return false;
    var body = table.querySelector("tbody");
    var rows = body.querySelectorAll("tr.trow");
    var max = parseInt(table.dataset.maxRows || "0", 10);
    if (max && rows.length >= max) return false;
    var last = rows[rows.length - 1];
    var tr = last.cloneNode(true);
    var index = rows.length;
    tr.dataset.row = index;
    tr.querySelector(".c-rowlabel").textContent = String(index + 1);
    tr.querySelectorAll(".tcell").forEach(function (input) {
      input.value = "";
      input.classList.remove("has-error", "has-warning");
    });
    var act = tr.querySelector(".c-act");
    if (act && !act.querySelector(".row-remove")) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "linkish row-remove";
      b.tabIndex = -1;
      b.textContent = "删除";
      act.appendChild(b);
    }
    body.appendChild(tr);
    return true;
  }

  function removeRow(tr) {
    var table = tr.closest("table");
    tr.remove();
    table.querySelectorAll("tbody tr.trow").forEach(function (row, i) {
      row.dataset.row = i;
      var fixed = parseInt(table.dataset.fixed || "0", 10);
      if (i >= fixed) row.querySelector(".c-rowlabel").textContent = String(i + 1);
    });
    record(table);
    schedule(0);
  }

  // --- keyboard and paste -------------------------------------------------------------------------

  function matrix(grid) {
    var rowSel = grid.dataset.grid === "table" ? "tbody tr.trow" : "tr[data-row]";
    var inputSel = grid.dataset.grid === "table" ? ".tcell" : "input.cell-input";
    return Array.prototype.map.call(grid.querySelectorAll(rowSel), function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll(inputSel));
    });
  }

  function position(grid, input) {
    var m = matrix(grid);
    for (var r = 0; r < m.length; r++) {
      var c = m[r].indexOf(input);
      if (c >= 0) return { m: m, r: r, c: c };
    }
    return null;
  }

  function moveVertical(input, delta) {
    var grid = input.closest("[data-grid]");
    if (!grid) return false;
    var p = position(grid, input);
    if (!p) return false;
    var r = p.r + delta;
    while (r >= 0 && r < p.m.length && !p.m[r][p.c]) r += delta;
    if (r < 0 || r >= p.m.length) return false;
    p.m[r][p.c].focus();
    if (p.m[r][p.c].select) p.m[r][p.c].select();
    return true;
  }

  root.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (!t.matches || !t.matches("input.cell-input, .tcell, input.cell")) return;
    if (ev.key === "Enter" && t.tagName !== "TEXTAREA" && !ev.isComposing) {
      ev.preventDefault();
      flush();
      moveVertical(t, ev.shiftKey ? -1 : 1);
    } else if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && t.matches("input.cell-input, input.tcell")) {
      if (moveVertical(t, ev.key === "ArrowDown" ? 1 : -1)) ev.preventDefault();
    }
  });

  function parseClipboard(text) {
    var rows = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
    return rows.map(function (r) {
      return r.split("\t");
    });
  }

  root.addEventListener("paste", function (ev) {
    var t = ev.target;
    if (!cfg.editable || !t.matches || !t.matches("input.cell-input, .tcell")) return;
    var text = (ev.clipboardData || window.clipboardData).getData("text");
    if (!text || (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0)) return;
    ev.preventDefault();
    var block = parseClipboard(text);
    var grid = t.closest("[data-grid]");
    var isTable = grid.dataset.grid === "table";
    var p = position(grid, t);
    if (!p) return;
    if (isTable) {
      while (matrix(grid).length < p.r + block.length && addRow(grid)) {
        /* rows added as needed */
      }
    }
    var m = matrix(grid);
    var touched = [];
    block.forEach(function (values, i) {
      var row = m[p.r + i];
      if (!row) return;
      values.forEach(function (v, j) {
        var input = row[p.c + j];
        if (!input) return;
        setInputValue(input, v.trim());
        if (!isTable) {
          updateRow(input);
          touched.push(input);
        }
      });
    });
    if (isTable) touched.push(grid);
    touched.forEach(record);
    flush();
  });

  // --- typing -------------------------------------------------------------------------------------

  function cellOf(target) {
    if (target.classList.contains("cell")) return target;
    return target.closest(".cell");
  }

  root.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.tagName === "TEXTAREA") updateCounter(t);
    if (t.matches("input.cell-input")) updateRow(t);
    var cell = cellOf(t);
    if (!cell || !cfg.editable) return;
    record(cell);
    schedule();
  });

  root.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.matches("select.currency")) {
      currencyChanged(t);
      return;
    }
    if (t.type === "radio" || t.tagName === "SELECT") {
      var cell = cellOf(t);
      if (cell) {
        record(cell);
        schedule(0);
      }
    }
  });

  // --- currency: a switch that would change cells already filled asks first ----------------------
  // Nothing is recorded or sent until the user has chosen; 取消 (or Esc) leaves everything as it was.

  function roundTo(v, places) {
    var f = Math.pow(10, places);
    return Math.round(v * f + (v >= 0 ? 1e-9 : -1e-9)) / f;
  }
  function plain(v) {
    // 4 decimals at most (the server's CURRENCY_PLACES), no trailing zeros.
    return String(roundTo(v, 4));
  }
  function fixed4(v) {
    return roundTo(v, 4).toFixed(4);
  }

  function applyCurrency(select, inputs, values) {
    inputs.forEach(function (input, i) {
      if (values) setInputValue(input, values[i]);
      record(input);
    });
    updateRow(select.closest("tr.item-row").querySelector("input.cell-input"));
    schedule(0);
  }

  function currencyChanged(select) {
    var tr = select.closest("tr.item-row");
    var before = select.dataset.current || "";
    var after = select.value;
    var filled = Array.prototype.filter.call(tr.querySelectorAll("input.cell-input"), function (input) {
      return input.value.trim() !== "";
    });
    if (!filled.length) {
      select.dataset.current = after;
      updateRow(tr.querySelector("input.cell-input")); // the unit shown follows the currency
      return; // nothing to change: the next figures typed are in the new currency
    }
    // Revert at once: until the user has chosen, the row stays as it was.
    select.value = before;
    var rate = parseFloat(tr.dataset.rate || "");
    var unit = tr.dataset.unit || "";
    var foreignUnit = tr.dataset.foreignUnit || "";
    var labelOf = function (code) {
      var opt = Array.prototype.find.call(select.options, function (o) { return o.value === code; });
      return opt ? opt.textContent.trim() : code;
    };
    var fromLabel = labelOf(before);
    var toLabel = labelOf(after);
    var toUsd = after !== "";
    var rows = filled.map(function (input) {
      var n = num(input.value);
      var rmbNow = n === null ? null : toUsd ? n : n * rate; // the amount the system holds today
      return {
        input: input,
        year: input.dataset.year,
        text: input.value.trim(),
        n: n,
        rmbNow: rmbNow,
        // 换算: the same amount, its figure in the new currency.
        converted: n === null ? null : toUsd ? n / rate : n * rate,
        // 保留数字: the same figure, read in the new currency.
        keptRmb: n === null ? null : toUsd ? n * rate : n,
      };
    });
    var itemLabel = (select.getAttribute("aria-label") || "").replace(/\s*币种$/, "");

    var dlg = document.createElement("dialog");
    dlg.className = "confirm-dialog currency-dialog";
    var h = document.createElement("h2");
    h.textContent = "将币种由“" + fromLabel + "”改为“" + toLabel + "”？";
    dlg.appendChild(h);
    var p = document.createElement("p");
    p.textContent =
      (itemLabel ? itemLabel + "：" : "") + "已填写 " + filled.length + " 个年份的数字。汇率 1 美元 = " + rate + " 元人民币（通知规定）。请选择如何处理这些数字，选择之前不会保存任何修改。";
    dlg.appendChild(p);
    var table = document.createElement("table");
    table.className = "grid currency-table";
    var head = document.createElement("thead");
    var hr = document.createElement("tr");
    ["年份", "现在（" + fromLabel + "）", "换算：金额不变，改以" + toLabel + "填写", "保留数字：按" + toLabel + "读"].forEach(function (t) {
      var th = document.createElement("th");
      th.textContent = t;
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (r) {
      var row = document.createElement("tr");
      row.dataset.year = r.year;
      var now = r.text + " " + (toUsd ? unit : foreignUnit) + (toUsd || r.rmbNow === null ? "" : "（≈ " + fixed4(r.rmbNow) + " " + unit + "）");
      var conv = r.converted === null ? "—" : toUsd ? plain(r.converted) + " " + foreignUnit + "（≈ " + r.text + " " + unit + "）" : plain(r.converted) + " " + unit;
      var kept = r.keptRmb === null ? "—" : r.text + " " + (toUsd ? foreignUnit + "（≈ " + fixed4(r.keptRmb) + " " + unit + "）" : unit);
      [r.year + "年", now, conv, kept].forEach(function (t, i) {
        var td = document.createElement("td");
        td.textContent = t;
        td.className = ["c-year", "c-now", "c-converted", "c-kept"][i];
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    dlg.appendChild(table);

    var bar = document.createElement("div");
    bar.className = "dialog-actions";
    function button(text, cls, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.dataset.action = action;
      if (cls) b.className = cls;
      bar.appendChild(b);
      return b;
    }
    var valid = rows.every(function (r) { return r.n !== null; });
    var bConvert = button("换算（金额不变）", "primary", "convert");
    var bKeep = button("保留数字（按" + toLabel + "计）", "", "keep");
    button("清空这些数字，重新填写", "danger", "clear");
    var bCancel = button("取消", "", "cancel");
    if (!valid) {
      bConvert.disabled = true;
      bConvert.title = "有的格子不是数字，无法换算";
    }
    dlg.appendChild(bar);

    bar.addEventListener("click", function (ev) {
      var action = ev.target.dataset ? ev.target.dataset.action : "";
      if (!action) return;
      if (action !== "cancel") {
        select.value = after;
        select.dataset.current = after;
        var inputs = rows.map(function (r) { return r.input; });
        if (action === "convert") applyCurrency(select, inputs, rows.map(function (r) { return plain(r.converted); }));
        else if (action === "keep") applyCurrency(select, inputs, null);
        else if (action === "clear") applyCurrency(select, inputs, rows.map(function () { return ""; }));
        setStatus(
          { convert: "已换算为" + toLabel + "，正在保存…", keep: "数字不变，已改按" + toLabel + "计，正在保存…", clear: "已清空，请以" + toLabel + "重新填写" }[action],
          "busy"
        );
      }
      dlg.close();
    });
    dlg.addEventListener("close", function () {
      dlg.remove();
      select.focus();
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    bCancel.focus();
  }

  root.querySelectorAll("select.currency").forEach(function (select) {
    select.dataset.current = select.value;
  });

  root.addEventListener("focusout", function (ev) {
    if (cellOf(ev.target)) {
      var p = allPending();
      if (Object.keys(p).length) schedule(0);
    }
  });

  root.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.matches(".row-add")) {
      var table = t.closest(".item-control").querySelector("table[data-kind=table]");
      if (addRow(table)) {
        var rows = matrix(table);
        rows[rows.length - 1][0].focus();
      }
    } else if (t.matches(".row-remove")) {
      removeRow(t.closest("tr"));
    } else if (t.matches(".hist")) {
      ev.preventDefault();
      showHistory(t);
    } else if (t.matches(".expl-edit")) {
      var form = t.closest(".finding").querySelector(".explain-form");
      if (form) {
        form.hidden = false;
        form.querySelector("textarea").focus();
      }
    }
  });

  // --- warning explanations -----------------------------------------------------------------------

  root.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches(".explain-form")) return;
    ev.preventDefault();
    var msg = form.querySelector(".expl-msg");
    var text = form.querySelector("textarea").value;
    msg.textContent = "正在提交…";
    fetch(cfg.explainUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ form: form.dataset.form, key: form.dataset.key, text: text }),
    })
      .then(function (resp) {
        return resp.json().then(function (data) {
          return { status: resp.status, data: data };
        });
      })
      .then(function (r) {
        if (r.status !== 200) {
          msg.textContent = r.data.message || "提交失败";
          msg.className = "expl-msg err";
          return;
        }
        if (r.data.findings) applyFindings(r.data.findings);
      })
      .catch(function () {
        msg.textContent = "网络异常，说明未提交，请稍后重试";
        msg.className = "expl-msg err";
      });
  });

  // --- history popover ----------------------------------------------------------------------------

  var popover = document.getElementById("history-popover");

  function closeHistory() {
    if (popover) popover.hidden = true;
  }

  function showHistory(button) {
    if (!popover) return;
    var params = new URLSearchParams({
      form: button.dataset.form,
      code: button.dataset.code,
      year: button.dataset.year,
    });
    popover.innerHTML = '<div class="pop-head">修改历史<button type="button" class="linkish pop-close">关闭</button></div><div class="muted">正在读取…</div>';
    popover.hidden = false;
    var rect = button.getBoundingClientRect();
    var left = Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - 480);
    popover.style.left = Math.max(8, left) + "px";
    popover.style.top = window.scrollY + rect.bottom + 4 + "px";
    fetch(cfg.historyUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (resp) {
        return resp.json();
      })
      .then(function (data) {
        var body = popover.querySelector(".muted");
        if (!data.ok) {
          body.textContent = data.message || "无法读取修改历史";
          return;
        }
        if (!data.changes.length) {
          body.textContent = "暂无修改记录";
          return;
        }
        var table = document.createElement("table");
        table.className = "grid hist-table";
        table.innerHTML = "<thead><tr><th>时间（北京时间）</th><th>修改人</th><th>原值 → 新值</th><th>来源</th></tr></thead>";
        var tbody = document.createElement("tbody");
        data.changes.forEach(function (ch) {
          var tr = document.createElement("tr");
          [ch.at, ch.by, (ch.old || "（空）") + " → " + (ch.new || "（空）"), ch.source].forEach(function (v) {
            var td = document.createElement("td");
            td.textContent = v;
            tr.appendChild(td);
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        body.replaceWith(table);
      })
      .catch(function () {
        var body = popover.querySelector(".muted");
        if (body) body.textContent = "网络异常，无法读取修改历史";
      });
  }

  document.addEventListener("click", function (ev) {
    if (!popover || popover.hidden) return;
    if (ev.target.matches(".pop-close") || (!popover.contains(ev.target) && !ev.target.matches(".hist"))) closeHistory();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") closeHistory();
  });

  // --- start: restore what was not saved, then send it ----------------------------------------------

  window.addEventListener("beforeunload", function (ev) {
    if (cfg.editable && hasUnsaved()) {
      ev.preventDefault();
      ev.returnValue = "有尚未保存的修改";
      return ev.returnValue;
    }
  });
  window.addEventListener("online", function () {
    failures = 0;
    schedule(0);
  });

  applyMarks(marks);
  root.querySelectorAll("textarea").forEach(updateCounter);

  if (cfg.editable) {
    var restored = 0;
    var pending = allPending();
    Object.keys(pending).forEach(function (k) {
      var e = pending[k];
      var cell = findCell(e.form, e.code, e.year);
      if (!cell) return; // another section's edit: still sent below, shown when that page opens
      if (e.currency !== undefined) {
        var tr = cell.closest("tr.item-row");
        var sel = tr ? tr.querySelector("select.currency") : null;
        if (sel) sel.value = sel.dataset.current = e.currency || "";
      }
      setRaw(cell, e.raw);
      markUnsaved(cell, true);
      restored += 1;
      if (e.conflict) {
        showConflict(cell, {
          theirs: e.theirs,
          revision: e.theirs_revision,
          theirs_by: e.theirs_by,
          theirs_at: e.theirs_at,
        });
      }
    });
    if (Object.keys(pending).length) {
      setStatus("已恢复 " + restored + " 项未保存的修改，正在保存…", "busy");
      schedule(0);
    }
  }
})();
