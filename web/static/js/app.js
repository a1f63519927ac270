// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Vehicle selector: choosing a make/model/vehicle submits its step form at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value && select.form) {
        if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
      }
    });
  });
  // Confirm destructive buttons (e.g. remove from cart) that carry a data-confirm text.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
