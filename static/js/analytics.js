// Draws every chart on the page: each <div data-chart-option="…"> carries its ECharts option as JSON
// in that attribute. No inline script at all (CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var charts = [];
  document.querySelectorAll("[data-chart-option]").forEach(function (el) {
    el.style.height = (parseInt(el.getAttribute("data-height"), 10) || 360) + "px";
    var option = JSON.parse(el.getAttribute("data-chart-option"));
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
