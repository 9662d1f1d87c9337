// The page that waits for a printout: poll the render's state every second and show its progress;
// once it is ready, fetch the print (the same address now serves the PDF); if the material changed
// while it was rendered, ask again for the current version.
(function () {
  "use strict";
  var box = document.getElementById("printout");
  if (!box) { return; }
  var bar = document.getElementById("printout-progress");
  var percent = document.getElementById("printout-percent");
  var step = document.getElementById("printout-step");
  function show(state) {
    bar.value = state.percent;
    percent.textContent = state.percent + "%";
    step.textContent = state.step || "";
  }
  function poll() {
    fetch(box.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (state) {
        show(state);
        if (state.ready) {
          document.getElementById("printout-wait").hidden = true;
          document.getElementById("printout-ready").hidden = false;
          window.location.assign(box.dataset.printUrl);
          return;
        }
        if (state.stale) { window.location.replace(box.dataset.printUrl); return; }
        if (state.failed) {
          document.getElementById("printout-wait").hidden = true;
          document.getElementById("printout-message").textContent = state.message;
          document.getElementById("printout-failed").hidden = false;
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (!document.getElementById("printout-failed").hidden) { return; }
  window.setTimeout(poll, 500);
})();
