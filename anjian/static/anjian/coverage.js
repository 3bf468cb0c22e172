// Chart of the coverage board: per inspector or town, a stacked bar of done / pending / due soon /
// overdue, drawn from <script id="coverage-data" type="application/json"> (no inline script: CSP).
(function () {
  "use strict";

  var COLOURS = { done: "#198754", pending: "#adb5bd", due_soon: "#ffc107", overdue: "#dc3545" };

  function draw() {
    var source = document.getElementById("coverage-data");
    var target = document.getElementById("chart-coverage");
    if (!source || !target || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(target);
    var series = Object.keys(COLOURS).map(function (status) {
      return {
        name: data.labels[status],
        type: "bar",
        stack: "status",
        data: data.series[status] || [],
        itemStyle: { color: COLOURS[status] },
      };
    });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 72 },
      xAxis: {
        type: "category",
        data: data.names,
        axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 },
      },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: data.names.length > 20 ? [{ type: "slider", bottom: 28, height: 14 }] : [],
      series: series,
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { chart.resize(); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
