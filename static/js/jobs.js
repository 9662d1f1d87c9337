// A background job's page: poll its state every second until it ends, then reload to show the outcome.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.stateUrl;
  function show(state) {
    document.getElementById("job-status").textContent = state.status_display;
    document.getElementById("job-progress").value = state.percent;
    document.getElementById("job-percent").textContent = state.percent + "%";
    document.getElementById("job-count").textContent = state.total ? state.done + " / " + state.total : "";
    document.getElementById("job-step").textContent = state.step || "";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (state) {
        show(state);
        if (state.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
