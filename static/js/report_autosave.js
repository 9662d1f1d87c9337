/* The development report saves itself like the entry pages: a pause in typing (or leaving a field)
 * sends the whole form to the same view as the 保存 button (X-Requested-With: fetch, answered in
 * JSON); the header's status says what happened. Someone else's newer version is never overwritten:
 * the page reloads to show both (the server's stale check). The button still works without this. */
(function () {
  "use strict";

  var form = document.querySelector("form.report-form[data-autosave]");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.fetch || !window.FormData) return;
  var DEBOUNCE_MS = 1500;
  var timer = null;
  var dirty = false;
  var inFlight = false;
  var again = false;
  var submitAfter = false; // the 保存 button pressed while an autosave was on its way
  var lastSaved = snapshot();

  // What the user wrote, without the bookkeeping fields: a change event after an input already
  // saved is not a change.
  function snapshot() {
    var out = [];
    new FormData(form).forEach(function (v, k) {
      if (k !== "revision" && k !== "csrfmiddlewaretoken") out.push(k + "=" + v);
    });
    return out.join("&");
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "eh-status" + (kind ? " " + kind : "");
  }

  function save() {
    clearTimeout(timer);
    if (!dirty) return;
    if (inFlight) {
      again = true;
      return;
    }
    var sending = snapshot();
    if (sending === lastSaved) {
      dirty = false;
      return;
    }
    inFlight = true;
    dirty = false;
    say("正在保存…", "busy");
    fetch(form.action || window.location.href, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      body: new FormData(form),
    })
      .then(function (resp) {
        return resp.json().then(function (data) {
          return { status: resp.status, data: data };
        });
      })
      .then(function (r) {
        inFlight = false;
        if (submitAfter && r.data.ok) {
          form.querySelector("input[name=revision]").value = r.data.revision;
          window.removeEventListener("beforeunload", warn);
          form.submit();
          return;
        }
        if (r.data.ok) {
          lastSaved = sending;
          form.querySelector("input[name=revision]").value = r.data.revision;
          say("已保存 " + r.data.saved_at + (r.data.problems ? "（还有 " + r.data.problems + " 处待补充）" : ""), "ok");
        } else if (r.data.stale) {
          say(r.data.message || "他人已保存了新的版本", "err");
          window.removeEventListener("beforeunload", warn);
          form.submit(); // the normal save shows both versions and keeps this text
          return;
        } else {
          dirty = true;
          say(r.data.message || "保存失败", "err");
        }
        if (again) {
          again = false;
          save();
        }
      })
      .catch(function () {
        inFlight = false;
        dirty = true;
        say("保存失败，将自动重试", "err");
        timer = setTimeout(save, 5000);
      });
  }

  function changed() {
    dirty = snapshot() !== lastSaved;
    if (!dirty) return;
    clearTimeout(timer);
    timer = setTimeout(save, DEBOUNCE_MS);
  }

  function warn(ev) {
    if (dirty || inFlight) {
      ev.preventDefault();
      ev.returnValue = "有尚未保存的修改";
      return ev.returnValue;
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () {
    if (dirty) save();
  });
  form.addEventListener("submit", function (ev) {
    clearTimeout(timer);
    if (inFlight) {
      // Its revision is about to change: send the button's save right after, with the new one.
      ev.preventDefault();
      submitAfter = true;
      return;
    }
    dirty = false;
    window.removeEventListener("beforeunload", warn);
  });
  form.addEventListener("click", function (ev) {
    // Removing an item changes the report without an input event.
    if (ev.target.closest && ev.target.closest(".remove-item")) window.setTimeout(changed, 0);
  });
  window.addEventListener("beforeunload", warn);
  say("自动保存已开启", "");
})();
