// Charts of the hazard statistics page, drawn from the JSON the page carries in
// <script id="stats-data" type="application/json"> (no inline script: CSP).
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("stats-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels || {};
    var charts = [];

    var towns = document.getElementById("chart-towns");
    if (towns && data.towns) {
      var bar = echarts.init(towns);
      bar.setOption({
        title: { text: labels.towns, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0 },
        grid: { left: 48, right: 16, top: 40, bottom: 64 },
        xAxis: {
          type: "category",
          data: data.towns.names,
          axisLabel: { interval: 0, rotate: data.towns.names.length > 6 ? 30 : 0 },
        },
        yAxis: { type: "value", minInterval: 1 },
        dataZoom: data.towns.names.length > 20 ? [{ type: "slider", bottom: 24, height: 16 }] : [],
        series: [
          { name: labels.open, type: "bar", data: data.towns.open, itemStyle: { color: "#0d6efd" } },
          { name: labels.overdue, type: "bar", data: data.towns.overdue, itemStyle: { color: "#dc3545" } },
        ],
      });
      charts.push(bar);
    }

    var months = document.getElementById("chart-months");
    if (months && data.months) {
      var line = echarts.init(months);
      line.setOption({
        title: { text: labels.months, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 48, right: 16, top: 40, bottom: 48 },
        xAxis: { type: "category", boundaryGap: false, data: data.months.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: labels.found, type: "line", smooth: true, data: data.months.found, itemStyle: { color: "#fd7e14" } },
          { name: labels.closed, type: "line", smooth: true, data: data.months.closed, itemStyle: { color: "#198754" } },
        ],
      });
      charts.push(line);
    }

    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
