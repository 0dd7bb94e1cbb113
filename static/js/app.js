/*
 * OrderDesk: the product's own scripts. The Content-Security-Policy allows no inline script and no
 * onclick="..." attributes: behaviour is attached here, through data- attributes.
 *
 *   <form data-confirm="Cancel this order?">   asks before submitting (also on a <button> or <a>)
 *   <div id="request-error">                  (in base.html) where a failed htmx request is reported
 *   <div class="table-responsive">            focusable by keyboard while its table scrolls sideways
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

  // A table wider than the screen scrolls inside its .table-responsive box. While it does, the box takes the
  // keyboard focus (Tab, then the arrow keys scroll it), so that nobody needs a mouse to read its last columns.
  // It is a group named after the table's caption or its section's heading: not a region, which would add a
  // landmark repeating the section's own.
  function scrollBoxName(box) {
    var caption = box.querySelector("caption");
    var section = box.closest("section, article, .card, main");
    var heading = section && section.querySelector("h1, h2, h3, h4, h5, h6");
    var text = (caption || heading || {}).textContent || "";
    return text.replace(/\s+/g, " ").trim() || "Table";
  }

  function makeScrollingTablesFocusable(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", scrollBoxName(box));
        box.setAttribute("data-scroll-region", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  makeScrollingTablesFocusable(document);
  var resizing;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { makeScrollingTablesFocusable(document); }, 150);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    makeScrollingTablesFocusable(event.target.parentNode || document);
  });
})();
