/*
 * OrderDesk order capture (loaded by templates/console/capture/base.html).
 *
 *   [data-group] / [data-row]          repeatable groups (grids): Add, Copy and Remove work in place. The
 *                                      buttons are real submit buttons (capture-add / capture-copy /
 *                                      capture-remove), so without this script the server does the same.
 *                                      Rows are renumbered: "Handset 3 › Extension" names follow them.
 *   [data-live-price]                  an item's price recounted from its grids' rows ([data-per-entry])
 *   details[data-multi]                a multiple choice in a grid cell: its summary lists what is ticked
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

  function rowTemplateHtml(group) {
    // A nested grid of an entry (a handset's speed dials) carries no template of its own: it is the
    // nested grid's template in the outer group's template row, with this entry's key in its names.
    var template = templateOf(group);
    if (template) {
      return template.innerHTML;
    }
    var row = group.closest("[data-row]");
    var outer = row && row.parentElement.closest("[data-group]");
    var outerTemplate = outer && templateOf(outer);
    if (!outerTemplate) {
      return "";
    }
    var rowPrefix = row.getAttribute("data-row") + "-";
    var templatePrefix = outer.getAttribute("data-group") + "-" + outer.getAttribute("data-placeholder") + "-";
    var nestedName = group.getAttribute("data-group").split(rowPrefix).join(templatePrefix);
    var nested = outerTemplate.content.querySelector('[data-group="' + nestedName + '"]');
    var nestedTemplate = nested && templateOf(nested);
    return nestedTemplate ? nestedTemplate.innerHTML.split(templatePrefix).join(rowPrefix) : "";
  }

  function ownedBy(row, selector) {
    return Array.prototype.filter.call(row.querySelectorAll(selector), function (element) {
      return element.closest("[data-row]") === row;
    });
  }

  function relabel(group) {
    // Rows numbered in page order; a nested grid's rows carry their entry's title too, so an input
    // reads "Handset 3 › Speed dial 1 › Number" wherever it is.
    var noun = group.getAttribute("data-row-noun");
    var rows = rowsOf(group);
    var entry = group.parentElement.closest("[data-row]");
    var entryTitle = entry && ownedBy(entry, "[data-row-title]")[0];
    var context = entryTitle ? entryTitle.textContent + " \u203a " : "";
    rows.forEach(function (row, index) {
      var title = context + noun + " " + (index + 1);
      ownedBy(row, "[data-row-title]").forEach(function (element) {
        element.textContent = title;
      });
      ownedBy(row, "[data-row-number]").forEach(function (element) {
        element.textContent = String(index + 1);
      });
      ownedBy(row, "[data-cell-label]").forEach(function (element) {
        element.setAttribute("aria-label", title + " \u203a " + element.getAttribute("data-cell-label"));
      });
      ownedBy(row, "[data-cell-prefix]").forEach(function (element) {
        element.textContent = title + " \u203a " + element.getAttribute("data-cell-prefix") + ": ";
      });
    });
    own(group, "[data-row-count]").forEach(function (count) {
      count.textContent = String(rows.length);
    });
    var name = group.getAttribute("data-group");
    var nounLower = noun.toLowerCase();
    document.querySelectorAll('[data-entry-count-for="' + name + '"]').forEach(function (summary) {
      summary.textContent = rows.length + " " + nounLower + (rows.length === 1 ? "" : "s");
    });
    var max = parseInt(group.getAttribute("data-max") || "0", 10);
    own(group, "[data-capture-add]").forEach(function (button) {
      button.disabled = Boolean(max) && rows.length >= max;
    });
  }

  function refresh(group) {
    relabel(group);
    // The nested grids of renumbered entries take their entries' new titles.
    group.querySelectorAll("[data-group]").forEach(relabel);
    updatePrices();
  }

  function firstField(container) {
    return container.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea, input[type=checkbox]");
  }

  function nextKey(group) {
    var key = parseInt(group.getAttribute("data-next-key") || "0", 10);
    group.setAttribute("data-next-key", String(key + 1));
    return String(key);
  }

  function addRow(group) {
    var html = rowTemplateHtml(group);
    if (!html) {
      return;
    }
    var key = nextKey(group);
    // Parsed by a <template>, so a grid's <tr> survives (a <div> would drop it).
    var holder = document.createElement("template");
    holder.innerHTML = html.split(group.getAttribute("data-placeholder")).join(key).trim();
    var row = holder.content.firstElementChild;
    rowsHolder(group).appendChild(row);
    refresh(group);
    refreshChoices(group.closest("[data-characteristics]"));
    var field = firstField(row);
    if (field) {
      field.focus();
    }
    announce(group.getAttribute("data-row-noun") + " " + rowsOf(group).length + " added.");
  }

  var RENAMED = ["name", "id", "for", "aria-describedby", "data-row", "data-group", "data-capture-add",
    "data-capture-copy", "data-capture-remove", "data-entry-count-for", "value"];

  function renamed(text, from, to) {
    return text === from ? to : text.split(from + "-").join(to + "-");
  }

  function copyRow(row) {
    // A copy starts from the row's values (typed or chosen since the page loaded), under a new key,
    // with its unique fields (the extension) left empty for the agent to type.
    var group = row.parentElement.closest("[data-group]");
    var max = parseInt(group.getAttribute("data-max") || "0", 10);
    if (max && rowsOf(group).length >= max) {
      announce("No more than " + max + " " + group.getAttribute("data-row-noun").toLowerCase() + "s.");
      return;
    }
    var from = row.getAttribute("data-row");
    var key = nextKey(group);
    var to = from.slice(0, from.lastIndexOf("-") + 1) + key;
    var copy = row.cloneNode(true);
    var sources = row.querySelectorAll("input, select, textarea");
    copy.querySelectorAll("input, select, textarea").forEach(function (field, index) {
      var source = sources[index];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = source.checked;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option, i) {
          option.selected = source.options[i].selected;
        });
      } else if (field.type !== "hidden") {
        field.value = source.value;
      }
    });
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("*"))).forEach(function (element) {
      RENAMED.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && (attribute !== "value" || element.tagName === "BUTTON")) {
          element.setAttribute(attribute, renamed(value, from, to));
        }
      });
      if (element.tagName === "TEMPLATE") {
        element.innerHTML = renamed(element.innerHTML, from, to);
      }
    });
    ownedBy(copy, 'input[type="hidden"][name="' + group.getAttribute("data-group") + '"]').forEach(function (input) {
      input.value = key;
    });
    copy.querySelectorAll("[data-unique]").forEach(function (field) {
      field.value = "";
    });
    copy.querySelectorAll(".is-invalid").forEach(function (field) {
      field.classList.remove("is-invalid");
    });
    copy.querySelectorAll(".invalid-feedback").forEach(function (error) {
      error.remove();
    });
    copy.classList.remove("is-invalid");
    row.after(copy);
    refresh(group);
    refreshChoices(group.closest("[data-characteristics]"));
    var first = copy.querySelector("[data-unique]") || firstField(copy);
    if (first) {
      first.focus();
    }
    var copied = rowsOf(group).indexOf(copy);
    announce(group.getAttribute("data-row-noun") + " " + (copied + 1) + " added, a copy of " +
      group.getAttribute("data-row-noun") + " " + copied + ".");
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency }).format(amount);
    } catch (error) {
      return currency + " " + amount.toFixed(2);
    }
  }

  function updatePrices() {
    document.querySelectorAll("[data-live-price]").forEach(function (price) {
      var currency = price.getAttribute("data-currency");
      var oneOff = parseFloat(price.getAttribute("data-one-off"));
      var recurring = parseFloat(price.getAttribute("data-recurring"));
      price.querySelectorAll("[data-per-entry]").forEach(function (charge) {
        var group = document.querySelector('[data-group="' + charge.getAttribute("data-counts-group") + '"]');
        if (!group) {
          return;
        }
        var count = rowsOf(group).length;
        oneOff += count * parseFloat(charge.getAttribute("data-one-off"));
        recurring += count * parseFloat(charge.getAttribute("data-recurring"));
        charge.querySelectorAll("[data-entry-count]").forEach(function (element) {
          element.textContent = String(count);
        });
      });
      price.querySelectorAll("[data-price-one-off]").forEach(function (element) {
        element.textContent = money(oneOff, currency);
      });
      price.querySelectorAll("[data-price-recurring]").forEach(function (element) {
        element.textContent = money(recurring, currency);
      });
    });
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
    var copy = target.closest("[data-capture-copy]");
    if (copy) {
      event.preventDefault();
      copyRow(copy.closest("[data-row]"));
      return;
    }
    var link = target.closest('a[href^="#"]');
    var linked = link && link.getAttribute("href").length > 1 && document.getElementById(link.getAttribute("href").slice(1));
    if (linked) {
      // A field named in the error summary may sit in a closed panel (a handset's speed dials): open it.
      for (var panel = linked.closest("details"); panel; panel = panel.parentElement.closest("details")) {
        panel.open = true;
      }
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

  function syncMultiSummary(details) {
    var labels = [];
    details.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var label = details.querySelector('label[for="' + box.id + '"]');
      labels.push(label ? label.textContent.trim() : box.value);
    });
    details.querySelector("[data-multi-summary]").textContent = labels.length ? labels.join(", ") : "None";
  }

  document.addEventListener("change", function (event) {
    var details = event.target.closest && event.target.closest("details[data-multi]");
    if (details) {
      syncMultiSummary(details);
    }
  });

  document.addEventListener("keydown", function (event) {
    // Escape closes a cell's panel and gives the focus back to its summary.
    if (event.key !== "Escape" || !event.target.closest) {
      return;
    }
    var details = event.target.closest("details.capture-cell-popover[open]");
    if (details) {
      event.preventDefault();
      details.open = false;
      details.querySelector("summary").focus();
    }
  });

  // A cell's panel opened inside a scrolled grid (a tablet: app.css opens it in place) is brought into view.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.matches || !details.matches("details.capture-cell-popover") || !details.open) {
        return;
      }
      var panel = details.querySelector(".capture-popover-panel");
      if (panel && getComputedStyle(panel).position === "static") {
        panel.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    },
    true
  );

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
  // The grids' rows as drawn (a fresh group shows its minimum of blank rows) are what is priced.
  updatePrices();

  // After a failed save, start keyboard and screen-reader users at the list of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
