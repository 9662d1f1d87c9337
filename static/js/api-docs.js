/* The API docs page (/api/v1/docs): start Swagger UI with the settings the page carries in
 * data-swagger-settings (no inline script, so it runs under the site's Content-Security-Policy). */
(function () {
  "use strict";
  var settings = JSON.parse(document.body.dataset.swaggerSettings);
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.SwaggerUIBundle(settings);
})();
