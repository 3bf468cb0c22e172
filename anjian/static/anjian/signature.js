/* A handwritten signature on <canvas data-signature="<hidden input id>">: drawn with a finger,
   a pen or the mouse, kept as a PNG data: URL in the hidden input (the server decodes it and the
   attachment service checks it by its content). "#signature-clear" starts again. */
(function () {
  "use strict";

  var MAX_WIDTH = 600; // pixels of the stored image; enough to read, small to send

  function init(canvas) {
    var input = document.getElementById(canvas.dataset.signature);
    var hint = document.getElementById(canvas.dataset.hint || "");
    var clear = document.getElementById("signature-clear");
    if (!input) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var dirty = false;
    var last = null;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(rect.width * ratio));
      canvas.height = Math.max(1, Math.round(rect.height * ratio));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2.6;
      blank();
    }

    function blank() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
    }

    function showHint() {
      if (hint) hint.classList.toggle("d-none", dirty);
    }

    function store() {
      if (!dirty) {
        input.value = "";
        return;
      }
      // Store at (at most) CSS size: a small PNG for a weak connection.
      var rect = canvas.getBoundingClientRect();
      var width = Math.min(MAX_WIDTH, Math.round(rect.width));
      var height = Math.round((width * canvas.height) / canvas.width);
      var out = document.createElement("canvas");
      out.width = width;
      out.height = height;
      out.getContext("2d").drawImage(canvas, 0, 0, width, height);
      input.value = out.toDataURL("image/png");
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      dirty = true;
      showHint();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!events.length) events = [event];
      events.forEach(function (e) {
        var p = point(e);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        last = p;
      });
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      store();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    if (clear) {
      clear.addEventListener("click", function () {
        dirty = false;
        blank();
        store();
        showHint();
      });
    }

    // A rotated phone changes the box: start again only while nothing is drawn.
    window.addEventListener("resize", function () {
      if (!dirty) size();
    });

    size();
    // A form sent back with errors keeps the signature that was drawn.
    if (/^data:image\/png;base64,/.test(input.value)) {
      var img = new Image();
      img.onload = function () {
        var rect = canvas.getBoundingClientRect();
        ctx.drawImage(img, 0, 0, rect.width, rect.height);
        dirty = true;
        showHint();
      };
      img.src = input.value;
    }
    var form = canvas.closest("form");
    if (form) form.addEventListener("submit", store);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-signature]").forEach(init);
  });
})();
