// Starts Swagger UI (vendored from the swagger-ui-dist npm package) on /api/docs.
"use strict";
window.addEventListener("load", () => {
  const el = document.getElementById("swagger");
  if (el && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: el.dataset.url, dom_id: "#swagger", deepLinking: false });
  }
});
