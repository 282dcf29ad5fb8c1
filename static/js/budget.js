/* The budget step counts for the resident: the total of the cost lines and the amount to ask
   (total minus the own contribution in money), updated while typing. Without JavaScript the
   server shows the same figures after saving and checks them when the step is submitted. */
(function () {
  "use strict";

  var euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });

  // "1.250,50", "1250,50", "1250.50", "€ 1250" -> 1250.5; anything else -> null.
  function parseAmount(text) {
    var value = (text || "").replace(/[\s€]/g, "");
    if (!value) { return 0; }
    if (value.indexOf(",") !== -1) {
      value = value.replace(/\./g, "").replace(",", ".");
    } else if ((value.match(/\./g) || []).length > 1) {
      value = value.replace(/\./g, "");
    }
    if (!/^-?\d+(\.\d{1,2})?$/.test(value)) { return null; }
    return Math.round(parseFloat(value) * 100);
  }

  function update(form) {
    var total = 0;
    var valid = true;
    form.querySelectorAll("[data-budget-amount]").forEach(function (input) {
      var cents = parseAmount(input.value);
      if (cents === null) { valid = false; } else { total += cents; }
    });
    var own = parseAmount((form.querySelector("[data-budget-own]") || {}).value);
    var totalText = form.querySelector("[data-budget-total]");
    var askText = form.querySelector("[data-budget-ask]");
    if (totalText) {
      totalText.textContent = valid ? totalText.getAttribute("data-label") + " " + euro.format(total / 100)
                                    : totalText.getAttribute("data-invalid");
    }
    if (askText) {
      askText.textContent = valid && own !== null
        ? askText.getAttribute("data-label") + " " + euro.format((total - own) / 100)
        : "";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-budget-form]");
    if (!form) { return; }
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
