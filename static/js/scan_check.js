// The sealed scans page: while an upload is being checked, follow its state (poll.js) and show the
// progress; once the verdict is in, reload the page so it shows the outcome (accepted or refused).
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".scan-check[data-state-url]");
  Array.prototype.forEach.call(boxes, function (box) {
    var bar = box.querySelector(".scan-check-progress");
    var percent = box.querySelector(".scan-check-percent");
    var step = box.querySelector(".scan-check-step");
    window.sfjdPoll(box.dataset.stateUrl, function (state) {
      bar.value = state.percent;
      percent.textContent = state.percent + "%";
      step.textContent = state.step || (state.queued ? "排队等待核验…" : "");
      if (state.finished) { window.location.reload(); return true; }
      return false;
    });
  });
})();
