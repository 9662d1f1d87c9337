// The page that waits for a printout: follow the render's state (poll.js) and show its progress;
// once it is ready, fetch the print (the same address now serves the PDF); if the material changed
// while it was rendered, ask again for the current version.
(function () {
  "use strict";
  var box = document.getElementById("printout");
  if (!box || !document.getElementById("printout-failed").hidden) { return; }
  var bar = document.getElementById("printout-progress");
  var percent = document.getElementById("printout-percent");
  var step = document.getElementById("printout-step");
  window.sfjdPoll(box.dataset.stateUrl, function (state) {
    bar.value = state.percent;
    percent.textContent = state.percent + "%";
    step.textContent = state.step || "";
    if (state.ready) {
      document.getElementById("printout-wait").hidden = true;
      document.getElementById("printout-ready").hidden = false;
      window.location.assign(box.dataset.printUrl);
      return true;
    }
    if (state.stale) { window.location.replace(box.dataset.printUrl); return true; }
    if (state.failed) {
      document.getElementById("printout-wait").hidden = true;
      document.getElementById("printout-message").textContent = state.message;
      document.getElementById("printout-failed").hidden = false;
      return true;
    }
    return false;
  });
})();
