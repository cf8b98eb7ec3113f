// The error summary after a failed form (GOV.UK Design System): it takes the focus when the
// page loads, so a screen reader reads it and the page scrolls to it, and each of its links
// moves the focus to its field with the field's label or question in view.
(function () {
  "use strict";

  function questionOf(field) {
    var fieldset = field.closest("fieldset");
    if (fieldset && fieldset.querySelector("legend")) {
      return fieldset.querySelector("legend");
    }
    var labels = field.labels;
    if (labels && labels.length) {
      return labels[0];
    }
    return field.closest(".mb-3") || field;
  }

  function focusField(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    if (!field.matches("input, select, textarea, button, a[href], [tabindex]")) {
      // A whole question (a card, a group), not one field: it can take the focus too.
      field.setAttribute("tabindex", "-1");
    }
    questionOf(field).scrollIntoView();
    field.focus({ preventScroll: true });
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", focusField);
    summary.focus();
    summary.scrollIntoView();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
