/* The screen of one inspection item (form[data-run-form]):
   - a measured value outside the allowed range is shown as a failure before it is saved;
   - big photos are made smaller on the phone before they leave it (weak connections);
   - a second tap while the answer is being sent does not send it (and its photos) twice.
   The page works without this script: the server judges the value and takes the photos as sent. */
(function () {
  "use strict";

  var SHRINK_OVER = 1200 * 1024; // bytes; smaller photos are sent as taken
  var MAX_SIDE = 2048; // pixels of the longer side after shrinking
  var QUALITY = 0.85;

  function verdict(input) {
    var box = document.getElementById("number-verdict");
    var text = input.value.trim().replace(",", ".");
    input.classList.remove("is-valid", "is-invalid");
    if (!box) return;
    box.textContent = "";
    box.classList.remove("text-success", "text-danger");
    if (text === "" || isNaN(Number(text))) return;
    var value = Number(text);
    var low = input.dataset.min === undefined ? -Infinity : Number(input.dataset.min);
    var high = input.dataset.max === undefined ? Infinity : Number(input.dataset.max);
    var inside = value >= low && value <= high;
    input.classList.add(inside ? "is-valid" : "is-invalid");
    box.classList.add(inside ? "text-success" : "text-danger");
    box.textContent = inside ? box.dataset.in : box.dataset.out;
  }

  function shrinkOne(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|webp)$/.test(file.type) || file.size <= SHRINK_OVER) return resolve(file);
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(
          function (blob) {
            if (!blob || blob.size >= file.size) return resolve(file);
            // The server checks the extension against the content: a JPEG is named .jpg.
            var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
            resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
          },
          "image/jpeg",
          QUALITY
        );
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        resolve(file);
      };
      img.src = url;
    });
  }

  function shrink(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (typeof DataTransfer === "undefined" || typeof File === "undefined") return;
    if (!files.some(function (f) { return f.size > SHRINK_OVER; })) return;
    var form = input.form;
    form.dataset.shrinking = "1";
    Promise.all(files.map(shrinkOne)).then(function (smaller) {
      try {
        var transfer = new DataTransfer();
        smaller.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        input.dataset.shrunk = "1";
        input.dispatchEvent(new Event("change", { bubbles: true })); // refresh the previews
      } catch (e) {
        /* keep the photos as taken */
      }
      delete form.dataset.shrinking;
      if (form.dataset.pending) {
        var button = document.getElementById(form.dataset.pending);
        delete form.dataset.pending;
        if (form.requestSubmit) form.requestSubmit(button || undefined);
        else form.submit();
      }
    });
  }

  function init(form) {
    var number = form.querySelector("input[data-min], input[data-max]");
    if (number) {
      number.addEventListener("input", function () { verdict(number); });
      verdict(number);
    }
    form.querySelectorAll("input[type=file][data-shrink]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.dataset.shrunk) {
          delete input.dataset.shrunk;
          return;
        }
        shrink(input);
      });
    });
    form.addEventListener("submit", function (event) {
      if (form.dataset.shrinking) {
        // Wait for the smaller photos, then send with the button that was pressed.
        event.preventDefault();
        if (event.submitter && event.submitter.id) form.dataset.pending = event.submitter.id;
        return;
      }
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.classList.add("disabled"); // the class, not the attribute: the pressed value is sent
      });
      if (event.submitter) {
        event.submitter.insertAdjacentHTML("beforeend", ' <span class="spinner-border spinner-border-sm" aria-hidden="true"></span>');
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-run-form]").forEach(init);
  });
  // Back to a page kept in the browser's cache: it may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-run-form]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.classList.remove("disabled"); });
      form.querySelectorAll(".spinner-border").forEach(function (s) { s.remove(); });
    });
  });
})();
