// A background job's page: follow its state (poll.js) until it ends, then reload to show the outcome.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  window.sfjdPoll(box.dataset.stateUrl, function (state) {
    document.getElementById("job-status").textContent = state.status_display;
    document.getElementById("job-progress").value = state.percent;
    document.getElementById("job-percent").textContent = state.percent + "%";
    document.getElementById("job-count").textContent = state.total ? state.done + " / " + state.total : "";
    document.getElementById("job-step").textContent = state.step || "";
    if (state.finished) { window.location.reload(); return true; }
    return false;
  });
})();
