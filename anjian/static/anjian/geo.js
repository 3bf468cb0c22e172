/* Fill the hidden position inputs of forms marked data-geolocate from the phone's GPS and show
   the accuracy. The form works without it: the server takes no position as "unknown". */
(function () {
  "use strict";

  var NAMES = { lat: ["latitude", "lat"], lng: ["longitude", "lng"] };

  function setAll(form, names, value) {
    names.forEach(function (name) {
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        input.value = value;
      });
    });
  }

  function say(form, key, value) {
    var box = form.querySelector("[data-geo-status]");
    if (!box) return;
    var text = (box.dataset[key] || "").replace("%s", value === undefined ? "" : value);
    var span = box.querySelector("span") || box;
    span.textContent = text;
    box.classList.toggle("text-success", key === "located");
    box.classList.toggle("text-muted", key !== "located");
  }

  function locate(form) {
    if (form.dataset.geoStarted) return;
    form.dataset.geoStarted = "1";
    if (!("geolocation" in navigator)) {
      say(form, "unavailable");
      return;
    }
    say(form, "locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        setAll(form, NAMES.lat, c.latitude.toFixed(6));
        setAll(form, NAMES.lng, c.longitude.toFixed(6));
        say(form, "located", Math.max(1, Math.round(c.accuracy)));
      },
      function () {
        say(form, "failed");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function init(root) {
    if (root.matches && root.matches("form[data-geolocate]")) locate(root);
    if (root.querySelectorAll) root.querySelectorAll("form[data-geolocate]").forEach(locate);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
})();
