// The base-profile picker: goes to the chosen base's profile page (URL pattern in data-profile-base).
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function (event) {
    var pk = document.getElementById("profile-base").value;
    event.preventDefault();
    if (pk) {
      window.location.href = form.getAttribute("data-profile-base").replace(/\/0\/$/, "/" + pk + "/");
    }
  });
})();
