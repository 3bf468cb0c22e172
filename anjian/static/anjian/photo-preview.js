/* Thumbnails of the photos chosen in an <input type=file data-preview="<container id>">, so the
   worker sees what he is about to send before it leaves the phone. */
(function () {
  "use strict";

  var urls = new WeakMap();

  function render(input) {
    var box = document.getElementById(input.dataset.preview);
    if (!box) return;
    (urls.get(input) || []).forEach(function (url) {
      URL.revokeObjectURL(url);
    });
    var made = [];
    box.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    files.forEach(function (file) {
      var col = document.createElement("div");
      col.className = "col-4 col-sm-3";
      var frame = document.createElement("div");
      frame.className = "ratio ratio-1x1 border rounded overflow-hidden bg-light";
      if (/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
        var img = document.createElement("img");
        var url = URL.createObjectURL(file);
        made.push(url);
        img.src = url;
        img.alt = file.name;
        img.className = "object-fit-cover w-100 h-100";
        frame.appendChild(img);
      } else {
        var name = document.createElement("span");
        name.className = "d-flex align-items-center justify-content-center small text-muted p-1 text-break";
        name.textContent = file.name;
        frame.appendChild(name);
      }
      col.appendChild(frame);
      box.appendChild(col);
    });
    urls.set(input, made);
    if (files.length) {
      var note = document.createElement("div");
      note.className = "col-12 small text-muted";
      note.textContent = (input.dataset.countText || "%s").replace("%s", files.length);
      var max = parseInt(input.dataset.maxFiles || "0", 10);
      if (max && files.length > max) note.className = "col-12 small text-danger";
      box.appendChild(note);
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("input[type=file][data-preview]")) render(input);
  });
})();
