// The sealed scans page: while an upload is being checked, poll its state every second and show the
// progress; once the verdict is in, reload the page so it shows the outcome (accepted or refused).
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".scan-check[data-state-url]");
  Array.prototype.forEach.call(boxes, function (box) {
    var url = box.dataset.stateUrl;
    var bar = box.querySelector(".scan-check-progress");
    var percent = box.querySelector(".scan-check-percent");
    var step = box.querySelector(".scan-check-step");
    function show(state) {
      bar.value = state.percent;
      percent.textContent = state.percent + "%";
      step.textContent = state.step || (state.queued ? "排队等待核验…" : "");
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
  });
})();
