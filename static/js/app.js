/*
 * OrderDesk: the product's own scripts. The Content-Security-Policy allows no inline script and no
 * onclick="..." attributes: behaviour is attached here, through data- attributes.
 *
 *   <form data-confirm="Cancel this order?">   asks before submitting (also on a <button> or <a>)
 *   <div id="request-error">                  (in base.html) where a failed htmx request is reported
 */
(function () {
  "use strict";

  // Ask for confirmation before a destructive submit or link.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A failed htmx request must not fail silently: say so, in a live region screen readers announce.
  function showRequestError(text) {
    var region = document.getElementById("request-error");
    if (!region) {
      return;
    }
    region.replaceChildren();
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible shadow-sm mb-0";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    region.appendChild(alert);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403) {
      showRequestError("You don't have permission to do that. Reload the page, or sign in again.");
    } else if (status === 503) {
      showRequestError("The service is temporarily unavailable. Try again in a moment.");
    } else {
      showRequestError("Something went wrong (error " + status + "). Try again; if it keeps happening, reload the page.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showRequestError("The server could not be reached. Check your connection and try again.");
  });
})();
