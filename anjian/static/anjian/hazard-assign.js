/* The assign form: the criteria picker and the governance plan show only when the hazard is
   major (level "major" chosen or a criterion ticked; ticking one chooses "major"). The server
   validates the same rules, so this only saves the officer from scrolling. */
(function () {
  "use strict";

  function isMajor(form) {
    var level = form.querySelector('input[name="level"]:checked');
    return (level && level.value === "major") || !!form.querySelector('input[name="criteria"]:checked');
  }

  function toggle(form) {
    var show = isMajor(form);
    form.querySelectorAll("[data-major-only]").forEach(function (el) {
      el.hidden = !show;
    });
  }

  function filterCriteria(form, text) {
    text = text.trim().toLowerCase();
    form.querySelectorAll(".criteria-group").forEach(function (group) {
      var title = group.firstElementChild ? group.firstElementChild.textContent.toLowerCase() : "";
      var any = false;
      group.querySelectorAll(".criterion").forEach(function (item) {
        var hit = !text || title.indexOf(text) >= 0 || item.textContent.toLowerCase().indexOf(text) >= 0;
        item.hidden = !hit;
        any = any || hit;
      });
      group.hidden = !any;
    });
  }

  function setup(form) {
    if (form.dataset.assignReady) return;
    form.dataset.assignReady = "1";
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.name === "criteria" && t.checked) {
        var major = form.querySelector('input[name="level"][value="major"]');
        if (major) major.checked = true;
      }
      if (t.name === "level" && t.value === "general") {
        form.querySelectorAll('input[name="criteria"]:checked').forEach(function (box) {
          box.checked = false;
        });
      }
      if (t.name === "level" || t.name === "criteria") toggle(form);
    });
    var filter = form.querySelector("[data-criteria-filter]");
    if (filter) {
      filter.addEventListener("input", function () {
        filterCriteria(form, filter.value);
      });
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    }
    toggle(form);
  }

  function init(root) {
    if (root.matches && root.matches("form[data-assign]")) setup(root);
    if (root.querySelectorAll) root.querySelectorAll("form[data-assign]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
})();
