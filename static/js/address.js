/*
 * Address entry with completion (templates/customers/partials/address_fields.html).
 *
 * While the agent types the house number, street or postcode inside [data-address-form], the
 * suggestions of customers:address-complete (data-complete-url) are fetched with htmx into
 * [data-address-suggestions]. Choosing one (.js-address-suggestion, a button: keyboard works)
 * fills the fields from its data-* attributes.
 */
(function () {
  "use strict";

  var timers = new WeakMap();

  function input(root, name) {
    return root.querySelector('input[name="' + name + '"], input[name$="-' + name + '"]');
  }

  function query(root) {
    var number = (input(root, "house_number") || {}).value || "";
    var street = (input(root, "street") || {}).value || "";
    var postcode = (input(root, "postcode") || {}).value || "";
    var place = street.trim() || postcode.trim();
    return place.length >= 2 ? (number.trim() + " " + place).trim() : "";
  }

  function suggest(root) {
    var region = root.querySelector("[data-address-suggestions]");
    var text = query(root);
    if (!region) {
      return;
    }
    if (!text || !window.htmx) {
      region.replaceChildren();
      return;
    }
    // The postcode and town travel along: for a street we do not know, the streets there are offered.
    window.htmx.ajax("GET", root.getAttribute("data-complete-url"), {
      target: region,
      swap: "innerHTML",
      values: {
        q: text,
        postcode: (input(root, "postcode") || {}).value || "",
        town: (input(root, "town") || {}).value || "",
        house_number: (input(root, "house_number") || {}).value || "",
        street: (input(root, "street") || {}).value || "",
      },
    });
  }

  document.addEventListener("input", function (event) {
    var root = event.target.closest && event.target.closest("[data-address-form]");
    if (!root || !/(house_number|street|postcode|town)$/.test(event.target.name || "")) {
      return;
    }
    window.clearTimeout(timers.get(root));
    timers.set(root, window.setTimeout(function () {
      suggest(root);
    }, 250));
  });

  // What was typed before this script arrived (a slow connection, a quick typist) is looked up now.
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.activeElement;
    var root = field && field.closest && field.closest("[data-address-form]");
    var region = root && root.querySelector("[data-address-suggestions]");
    if (region && !region.children.length && /(house_number|street|postcode)$/.test(field.name || "")) {
      suggest(root);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-address-suggestion");
    var root = button && button.closest("[data-address-form]");
    if (!root) {
      return;
    }
    event.preventDefault();
    var fields = { street: "street", postcode: "postcode", town: "town", houseNumber: "house_number" };
    Object.keys(fields).forEach(function (key) {
      var value = button.dataset[key];
      var field = input(root, fields[key]);
      if (field && value) {
        field.value = value;
      }
    });
    var region = root.querySelector("[data-address-suggestions]");
    if (region) {
      region.replaceChildren();
    }
    var number = input(root, "house_number");
    var next = number && !number.value ? number : input(root, "unit") || number;
    if (next) {
      next.focus();
    }
  });
})();
