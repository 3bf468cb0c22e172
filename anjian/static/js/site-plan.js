/* The four-colour map (四色图): draw a zone on the site plan (pointer events: mouse, pen and
 * touch), name it, tick its risk points, save it as JSON; the server answers with every zone and
 * the colour it computed, and the overlay and the table are drawn again from that answer.
 * Texts come from data- attributes of #plan-page (translated in the template). */
(function () {
  "use strict";
  var page = document.getElementById("plan-page");
  if (!page) return;
  var NS = "http://www.w3.org/2000/svg";
  var data = page.dataset;
  var width = Number(data.width);
  var height = Number(data.height);
  var fontSize = data.fontSize;
  var canDraw = data.canDraw === "1";
  var map = document.getElementById("plan-map");
  var svg = document.getElementById("plan-svg");
  var zoneLayer = document.getElementById("zone-layer");
  var draftLayer = document.getElementById("draft-layer");
  var rows = document.getElementById("zone-rows");
  var status = document.getElementById("plan-status");
  var printButton = document.getElementById("plan-print");
  var vertices = [];
  var drawing = false;
  var closed = false;

  function byId(id) {
    return document.getElementById(id);
  }

  function show(el, visible) {
    if (el) el.classList.toggle("d-none", !visible);
  }

  function svgEl(name, attrs) {
    var el = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      el.setAttribute(key, attrs[key]);
    });
    return el;
  }

  function say(text) {
    if (!status) return;
    status.textContent = text;
    show(status, Boolean(text));
  }

  // --- rendering the zones the server sent -------------------------------------------------------

  function renderZones(zones) {
    while (zoneLayer.firstChild) zoneLayer.removeChild(zoneLayer.firstChild);
    zones.forEach(function (zone) {
      var group = svgEl("g", { class: "zone", "data-zone-id": zone.id });
      var shape = svgEl("polygon", {
        class: "zone-shape",
        points: zone.points,
        fill: zone.fill,
        "fill-opacity": "0.45",
        stroke: zone.fill,
        "stroke-width": "2",
        "vector-effect": "non-scaling-stroke",
        "data-colour": zone.colour,
        "data-level": zone.level,
      });
      var title = svgEl("title");
      title.textContent = zone.name + " · " + zone.level_label;
      shape.appendChild(title);
      var label = svgEl("text", {
        x: zone.label_x,
        y: zone.label_y,
        "text-anchor": "middle",
        "dominant-baseline": "middle",
        "font-size": fontSize,
        fill: "#212529",
        stroke: "#fff",
        "stroke-width": "3",
        "paint-order": "stroke",
      });
      label.textContent = zone.name;
      group.appendChild(shape);
      group.appendChild(label);
      zoneLayer.appendChild(group);
    });
    renderRows(zones);
  }

  function cell(row, content) {
    var td = document.createElement("td");
    if (typeof content === "string") td.textContent = content;
    else if (content) td.appendChild(content);
    row.appendChild(td);
    return td;
  }

  function renderRows(zones) {
    while (rows.firstChild) rows.removeChild(rows.firstChild);
    if (!zones.length) {
      var empty = document.createElement("tr");
      empty.className = "zone-empty";
      cell(empty, data.msgNoZones).colSpan = 4;
      empty.firstChild.className = "text-muted";
      rows.appendChild(empty);
      return;
    }
    zones.forEach(function (zone) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-zone-id", zone.id);
      cell(tr, zone.name);
      var level = cell(tr, null);
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = zone.fill;
      level.appendChild(swatch);
      level.appendChild(document.createTextNode(" " + zone.level_label));
      var points = cell(tr, null);
      if (!zone.risk_points.length) {
        var none = document.createElement("span");
        none.className = "text-muted";
        none.textContent = data.msgNoPoints;
        points.appendChild(none);
      }
      zone.risk_points.forEach(function (point) {
        var line = document.createElement("div");
        line.textContent = point.name + " ";
        var small = document.createElement("small");
        small.className = "text-muted";
        small.textContent = point.level_label;
        line.appendChild(small);
        points.appendChild(line);
      });
      if (canDraw) {
        var actions = cell(tr, null);
        actions.className = "text-end";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-outline-danger btn-sm zone-remove";
        remove.setAttribute("data-zone-id", zone.id);
        remove.setAttribute("data-zone-name", zone.name);
        remove.textContent = data.msgRemove;
        actions.appendChild(remove);
      }
      rows.appendChild(tr);
    });
  }

  if (printButton) {
    printButton.addEventListener("click", function () {
      window.print();
    });
  }

  if (!canDraw) return;

  // --- talking to the server ---------------------------------------------------------------------

  function post(body) {
    return fetch(data.zonesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
    });
  }

  function messagesOf(answer) {
    var errors = (answer && answer.errors) || {};
    var lines = [];
    Object.keys(errors).forEach(function (field) {
      lines = lines.concat(errors[field]);
    });
    return lines.length ? lines : [data.msgFailed];
  }

  // --- drawing -----------------------------------------------------------------------------------

  var startButton = byId("draw-start");
  var undoButton = byId("draw-undo");
  var finishButton = byId("draw-finish");
  var cancelButton = byId("draw-cancel");
  var hint = byId("draw-hint");
  var count = byId("draw-count");
  var form = byId("zone-form");
  var nameInput = byId("zone-name");
  var formErrors = byId("zone-errors");
  var saveButton = byId("zone-save");
  var radius = Math.max(width, height) / 150;

  function renderDraft() {
    while (draftLayer.firstChild) draftLayer.removeChild(draftLayer.firstChild);
    var points = vertices
      .map(function (v) {
        return (v[0] * width).toFixed(1) + "," + (v[1] * height).toFixed(1);
      })
      .join(" ");
    if (vertices.length > 1) {
      draftLayer.appendChild(
        svgEl(closed ? "polygon" : "polyline", {
          id: "draft-shape",
          points: points,
          fill: closed ? "#0d6efd" : "none",
          "fill-opacity": "0.2",
          stroke: "#0d6efd",
          "stroke-width": "2",
          "stroke-dasharray": closed ? "" : "6 4",
          "vector-effect": "non-scaling-stroke",
        })
      );
    }
    vertices.forEach(function (v) {
      draftLayer.appendChild(
        svgEl("circle", {
          class: "draft-vertex",
          cx: v[0] * width,
          cy: v[1] * height,
          r: radius,
          fill: "#fff",
          stroke: "#0d6efd",
          "stroke-width": "2",
          "vector-effect": "non-scaling-stroke",
        })
      );
    });
    if (count) count.textContent = data.msgVertices.replace("%s", vertices.length);
    finishButton.disabled = vertices.length < 3 || closed;
    undoButton.disabled = !vertices.length || closed;
  }

  function setDrawing(on) {
    drawing = on;
    closed = false;
    vertices = [];
    map.classList.toggle("drawing", on);
    show(startButton, !on);
    [undoButton, finishButton, cancelButton, hint].forEach(function (el) {
      show(el, on);
    });
    show(form, false);
    show(formErrors, false);
    renderDraft();
  }

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  svg.addEventListener("pointerdown", function (event) {
    if (!drawing || closed || !event.isPrimary || event.button > 0) return;
    event.preventDefault();
    var box = svg.getBoundingClientRect();
    var x = clamp((event.clientX - box.left) / box.width);
    var y = clamp((event.clientY - box.top) / box.height);
    vertices.push([Math.round(x * 100000) / 100000, Math.round(y * 100000) / 100000]);
    say("");
    renderDraft();
  });

  startButton.addEventListener("click", function () {
    say("");
    setDrawing(true);
  });
  cancelButton.addEventListener("click", function () {
    setDrawing(false);
  });
  undoButton.addEventListener("click", function () {
    vertices.pop();
    renderDraft();
  });
  finishButton.addEventListener("click", function () {
    if (vertices.length < 3) {
      say(data.msgNeedThree);
      return;
    }
    closed = true;
    renderDraft();
    show(undoButton, false);
    show(finishButton, false);
    show(hint, false);
    form.reset();
    show(formErrors, false);
    show(form, true);
    nameInput.focus();
  });
  byId("zone-cancel").addEventListener("click", function () {
    setDrawing(false);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = Array.prototype.map.call(form.querySelectorAll("input[name=risk_points]:checked"), function (box) {
      return Number(box.value);
    });
    saveButton.disabled = true;
    post({ name: nameInput.value, polygon: vertices, risk_points: chosen })
      .then(function (result) {
        if (!result.ok) {
          formErrors.textContent = messagesOf(result.answer).join(" ");
          show(formErrors, true);
          return;
        }
        renderZones(result.answer.zones || []);
        setDrawing(false);
        say(data.msgSaved);
      })
      .catch(function () {
        formErrors.textContent = data.msgFailed;
        show(formErrors, true);
      })
      .then(function () {
        saveButton.disabled = false;
      });
  });

  // --- removing a zone ---------------------------------------------------------------------------

  rows.addEventListener("click", function (event) {
    var button = event.target.closest(".zone-remove");
    if (!button) return;
    if (!window.confirm(data.msgConfirmArchive.replace("%s", button.getAttribute("data-zone-name")))) return;
    button.disabled = true;
    post({ archive: Number(button.getAttribute("data-zone-id")) })
      .then(function (result) {
        if (!result.ok) {
          say(messagesOf(result.answer).join(" "));
          button.disabled = false;
          return;
        }
        renderZones(result.answer.zones || []);
        say(data.msgArchived);
      })
      .catch(function () {
        say(data.msgFailed);
        button.disabled = false;
      });
  });
})();
