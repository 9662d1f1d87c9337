// Draws every chart on the page: each <div data-chart-option="ID"> reads its ECharts option from the
// json_script element with that id. No inline script: the data comes through json_script (CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var charts = [];
  document.querySelectorAll("[data-chart-option]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart-option"));
    if (!source) {
      return;
    }
    el.style.height = (parseInt(el.getAttribute("data-height"), 10) || 360) + "px";
    var option = JSON.parse(source.textContent);
    option.textStyle = { fontFamily: "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };
    option.animation = false;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-drawn", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
