/*
 * OrderDesk order capture (loaded by templates/console/capture/base.html).
 *
 *   [data-group] / [data-row]          repeatable groups: Add and Remove work in place. The buttons are
 *                                      real submit buttons (capture-add / capture-remove), so without
 *                                      this script the server adds or removes the row instead.
 *   select[data-choices-from="g.f"]    options follow the values typed in the inputs [data-spec-path="g.f"]
 *   a[data-goto][data-form]            a stepper link saves the step's form first (goto=<step>)
 *   [data-revealed-by="name=value"]    shown only while that radio button is chosen
 *   [data-picker-search]               Enter searches instead of submitting the form
 *   [data-submit-once]                 its form is submitted once, however often it is pressed
 *   #error-summary                     takes the focus when the page shows one
 */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("capture-announcer");
    if (!region) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 60);
  }

  function own(group, selector) {
    // Elements of this group, not of a group nested in one of its rows.
    return Array.prototype.filter.call(group.querySelectorAll(selector), function (element) {
      return element.closest("[data-group]") === group;
    });
  }

  function rowsOf(group) {
    return own(group, "[data-row]").filter(function (row) {
      return row.parentElement.closest("[data-group]") === group;
    });
  }

  function rowsHolder(group) {
    return own(group, "[data-rows]")[0];
  }

  function templateOf(group) {
    return Array.prototype.find.call(group.children, function (child) {
      return child.matches("template[data-row-template]");
    });
  }

  function refresh(group) {
    var noun = group.getAttribute("data-row-noun");
    var rows = rowsOf(group);
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-row-title]").forEach(function (title) {
        if (title.closest("[data-row]") === row) {
          title.textContent = noun + " " + (index + 1);
        }
      });
    });
    own(group, "[data-row-count]").forEach(function (count) {
      count.textContent = String(rows.length);
    });
    var max = parseInt(group.getAttribute("data-max") || "0", 10);
    own(group, "[data-capture-add]").forEach(function (button) {
      button.disabled = Boolean(max) && rows.length >= max;
    });
  }

  function firstField(container) {
    return container.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea, input[type=checkbox]");
  }

  function addRow(group) {
    var template = templateOf(group);
    if (!template) {
      return;
    }
    var key = parseInt(group.getAttribute("data-next-key") || "0", 10);
    group.setAttribute("data-next-key", String(key + 1));
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split(group.getAttribute("data-placeholder")).join(String(key)).trim();
    var row = holder.firstElementChild;
    rowsHolder(group).appendChild(row);
    refresh(group);
    refreshChoices(group.closest("[data-characteristics]"));
    var field = firstField(row);
    if (field) {
      field.focus();
    }
    announce(group.getAttribute("data-row-noun") + " " + rowsOf(group).length + " added.");
  }

  function removeRow(row) {
    var group = row.parentElement.closest("[data-group]");
    var rows = rowsOf(group);
    var index = rows.indexOf(row);
    var title = row.querySelector("[data-row-title]");
    var removed = title ? title.textContent : "Row";
    row.remove();
    refresh(group);
    refreshChoices(group.closest("[data-characteristics]"));
    var remaining = rowsOf(group);
    var next = remaining[Math.min(index, remaining.length - 1)];
    var target = next ? own(group, "[data-capture-remove]").find(function (button) {
      return button.closest("[data-row]") === next;
    }) : own(group, "[data-capture-add]")[0];
    if (target) {
      target.focus();
    }
    announce(removed + " removed.");
  }

  function refreshChoices(root) {
    if (!root) {
      return;
    }
    root.querySelectorAll("select[data-choices-from]").forEach(function (select) {
      var values = [];
      root.querySelectorAll('[data-spec-path="' + select.getAttribute("data-choices-from") + '"]').forEach(function (input) {
        var value = input.value.trim();
        if (value && values.indexOf(value) < 0) {
          values.push(value);
        }
      });
      var current = select.value;
      while (select.options.length > 1) {
        select.remove(1);
      }
      values.forEach(function (value) {
        select.add(new Option(value, value, false, value === current));
      });
      if (current && values.indexOf(current) < 0) {
        // Keep a choice whose source was renamed: the server reports it, nothing is lost silently.
        select.add(new Option(current, current, false, true));
      }
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    var add = target.closest("[data-capture-add]");
    if (add) {
      event.preventDefault();
      addRow(add.closest("[data-group]"));
      return;
    }
    var remove = target.closest("[data-capture-remove]");
    if (remove) {
      event.preventDefault();
      removeRow(remove.closest("[data-row]"));
      return;
    }
    var step = target.closest("a[data-goto]");
    var form = step && document.getElementById(step.getAttribute("data-form"));
    if (form) {
      event.preventDefault();
      var goto = document.createElement("input");
      goto.type = "hidden";
      goto.name = "goto";
      goto.value = step.getAttribute("data-goto");
      form.appendChild(goto);
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-spec-path]")) {
      return;
    }
    var root = input.closest("[data-characteristics]");
    if (root && root.querySelector('select[data-choices-from="' + input.getAttribute("data-spec-path") + '"]')) {
      refreshChoices(root);
    }
  });

  function syncRevealed() {
    document.querySelectorAll("[data-revealed-by]").forEach(function (element) {
      var parts = element.getAttribute("data-revealed-by").split("=");
      var chosen = document.querySelector('input[name="' + parts[0] + '"]:checked');
      element.hidden = !(chosen && chosen.value === parts[1]);
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=radio]")) {
      syncRevealed();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-picker-search]")) {
      event.preventDefault();
      if (window.htmx) {
        window.htmx.trigger(event.target, "search");
      }
    }
  });

  // A search typed before the scripts had loaded is run now: htmx takes the text already in the box
  // as its starting point and would only search on the next key.
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.activeElement;
    if (window.htmx && field && field.matches && field.matches("[data-picker-search]") && field.value.trim()) {
      window.htmx.trigger(field, "search");
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("[data-submit-once]");
    if (!button) {
      return;
    }
    if (form.getAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "1");
    button.classList.add("disabled");
    button.setAttribute("aria-disabled", "true");
  });

  syncRevealed();
  document.querySelectorAll("[data-characteristics]").forEach(refreshChoices);

  // After a failed save, start keyboard and screen-reader users at the list of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
