// Following background work (a job, a scan's check, a printout's render) from its page: ask for its
// state every second until `handle(state)` answers true; after a failed request ask again in three.
window.sfjdPoll = function (url, handle) {
  "use strict";
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (state) { if (!handle(state)) { window.setTimeout(poll, 1000); } })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
};
