/* The start screen: a long list of applicable checklists is narrowed by typing a few characters
   (input[data-checklist-filter="<list id>"]). Without the script the whole list is shown. */
(function () {
  "use strict";

  function filter(input) {
    var list = document.getElementById(input.dataset.checklistFilter);
    if (!list) return;
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    list.querySelectorAll("label").forEach(function (label) {
      var text = label.textContent.toLowerCase();
      var radio = label.querySelector("input[type=radio]");
      var match = (radio && radio.checked) || words.every(function (w) { return text.indexOf(w) !== -1; });
      label.classList.toggle("d-none", !match);
      if (match) shown += 1;
    });
    var none = document.getElementById("checklist-none");
    if (none) none.classList.toggle("d-none", shown > 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-checklist-filter]").forEach(function (input) {
      input.addEventListener("input", function () { filter(input); });
      // Enter in the filter must not start an inspection.
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  });
})();
