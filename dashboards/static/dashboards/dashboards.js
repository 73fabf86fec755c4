/* Draw the server-built figures with the project's own plotly.js; a click opens the items. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  Plotly.register({
    moduleType: "locale", name: "zh-CN",
    dictionary: {
      "Download plot as a png": "下载图片(PNG)", "Download plot": "下载图片",
      "Zoom": "缩放", "Pan": "平移", "Reset axes": "重置坐标轴", "Autoscale": "自动缩放",
      "Zoom in": "放大", "Zoom out": "缩小", "Reset view": "重置视图",
      "Double-click to zoom back out": "双击恢复原始比例"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
               "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月",
                    "12月"],
      date: "%Y-%m-%d"
    }
  });
  var config = {
    responsive: true, displaylogo: false, locale: "zh-CN",
    modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
    toImageButtonOptions: {format: "png", scale: 2}
  };
  // The drill-down link of a clicked point: its customdata, or the last element when the
  // customdata is a list (hover texts first). A pie slice's event carries no customdata of its
  // own: plotly reports the slice's point numbers, so read the trace's customdata by number.
  function urlOf(point) {
    if (!point) { return ""; }
    var data = point.customdata;
    if (data === undefined && point.data && point.data.customdata) {
      var n = point.pointNumber !== undefined ? point.pointNumber
        : (point.pointNumbers || [])[0];
      data = point.data.customdata[n];
    }
    if (Array.isArray(data)) { data = data[data.length - 1]; }
    return typeof data === "string" ? data : "";
  }
  document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
    var figure = JSON.parse(document.getElementById(el.dataset.figure).textContent);
    Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.on("plotly_click", function (event) {
        var url = urlOf(event.points && event.points[0]);
        if (url) { window.location.assign(url); }
      });
    });
  });
  // A changed filter applies at once; the button stays for keyboards and old browsers.
  document.querySelectorAll("form.dash-filter select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
