/* Draws the charts of a page with Apache ECharts (served by the application itself; `make` fetches it, see
 * scripts/fetch_assets.py). Each <div data-chart="bar" data-chart-source="ID"> gets a horizontal bar chart
 * of the JSON in <script type="application/json" id="ID"> (Django's json_script):
 *   {"labels": [...], "values": [number or null, ...], "below": [bool, ...], "max": 100, "suffix": "%",
 *    "name": "...", "mark": {"value": number, "label": "..."}}
 * the bars in the page's order, top to bottom; a bar under the mark (`below`) in the page's "bad" colour,
 * and the mark (a threshold) as a dashed line. `"links": ["/path", ...]` makes a click on a bar open that page
 * (a drill-down; the table beside it has the same links).
 * <div data-chart="line" data-chart-source="ID"> gets a line chart of
 *   {"labels": [...], "series": [{"name": "...", "values": [number, ...]}, ...]}  (a monthly trend).
 *
 * Progressive enhancement: the chart only repeats a table of the page, which stays the accessible source
 * (the chart's container is aria-hidden). Without this script, without ECharts or with bad data nothing is
 * drawn and nothing is thrown. Under the Content Security Policy (no inline script or style, no eval):
 * the SVG renderer, no animation, and sizes set through the style object, never a style attribute.
 */
(function () {
  "use strict";

  var ROW_HEIGHT = 32;
  var PADDING = 56;

  function cssVar(name, fallback) {
    var value = window.getComputedStyle ? window.getComputedStyle(document.documentElement).getPropertyValue(name) : "";
    return (value && value.trim()) || fallback;
  }

  function dataFor(element) {
    var id = element.getAttribute("data-chart-source");
    var source = id ? document.getElementById(id) : null;
    if (!source) {
      return null;
    }
    try {
      var data = JSON.parse(source.textContent);
      if (!data || !Array.isArray(data.labels)) {
        return null;
      }
      if (element.getAttribute("data-chart") === "line") {
        return Array.isArray(data.series) && data.series.every(function (s) { return s && Array.isArray(s.values); })
          ? data
          : null;
      }
      return Array.isArray(data.values) ? data : null;
    } catch (error) {
      return null;
    }
  }

  function barOption(data) {
    var ok = cssVar("--ok", "#1b5e20");
    var bad = cssVar("--bad", "#a61b1b");
    var ink = cssVar("--ink", "#1b1b1b");
    var muted = cssVar("--muted", "#4a4a4a");
    var suffix = data.suffix || "";
    var below = Array.isArray(data.below) ? data.below : [];
    var series = {
      type: "bar",
      name: data.name || "",
      barMaxWidth: 20,
      data: data.values.map(function (value, i) {
        return { value: value, itemStyle: { color: below[i] ? bad : ok } };
      }),
      label: {
        show: true,
        position: "right",
        color: ink,
        formatter: function (item) {
          return item.value === null || item.value === undefined ? "—" : item.value + suffix;
        },
      },
    };
    if (data.mark && typeof data.mark.value === "number") {
      series.markLine = {
        silent: true,
        symbol: "none",
        lineStyle: { color: ink, type: "dashed", width: 2 },
        // the category axis runs top to bottom (inverse), so the line starts at the top
        label: { position: "start", color: ink, formatter: String(data.mark.label || data.mark.value) },
        data: [{ xAxis: data.mark.value }],
      };
    }
    return {
      animation: false,
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: "value",
        min: 0,
        max: typeof data.max === "number" ? data.max : null,
        axisLabel: { color: muted, formatter: "{value}" + suffix },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        axisLabel: { color: ink, width: 120, overflow: "truncate" },
      },
      series: [series],
    };
  }

  function lineOption(data) {
    var ink = cssVar("--ink", "#1b1b1b");
    var muted = cssVar("--muted", "#4a4a4a");
    var colours = [cssVar("--ok", "#1b5e20"), cssVar("--bad", "#a61b1b"), cssVar("--muted", "#4a4a4a")];
    return {
      animation: false,
      color: colours,
      legend: { top: 0, textStyle: { color: ink } },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { color: muted } },
      yAxis: { type: "value", min: 0, axisLabel: { color: muted } },
      series: data.series.map(function (s) {
        return { type: "line", name: s.name || "", data: s.values, symbolSize: 6 };
      }),
    };
  }

  /* The height of a chart: a bar per row for the bar chart, a fixed one for a line chart. */
  function heightFor(kind, data) {
    return kind === "line" ? 320 : data.labels.length * ROW_HEIGHT + PADDING;
  }

  /* Bars that name a page (`links`, same order, paths of this site only) open it when clicked: the table
   * beside the chart has the same links, for keyboards and screen readers. */
  function follow(chart, data) {
    if (!Array.isArray(data.links)) {
      return;
    }
    chart.on("click", function (item) {
      var url = data.links[item.dataIndex];
      // a path of this site only: not "//host" nor "/\\host" (which browsers read as "//host")
      if (typeof url === "string" && /^\/(?![\/\\])/.test(url)) {
        window.location.assign(url);
      }
    });
  }

  var OPTIONS = { bar: barOption, line: lineOption };

  function draw(element, echarts) {
    var build = OPTIONS[element.getAttribute("data-chart")];
    var data = build ? dataFor(element) : null;
    if (!data || data.labels.length === 0) {
      return null;
    }
    element.style.width = "100%";
    element.style.margin = "1rem 0";
    element.style.height = heightFor(element.getAttribute("data-chart"), data) + "px";
    var chart = null;
    try {
      chart = echarts.init(element, null, { renderer: "svg" });
      chart.setOption(build(data));
      follow(chart, data);
      return chart;
    } catch (error) {
      if (chart) {
        chart.dispose();
      }
      element.style.height = "";
      return null;
    }
  }

  function start() {
    var echarts = window.echarts;
    if (!echarts || typeof echarts.init !== "function") {
      return;
    }
    var charts = [];
    var elements = document.querySelectorAll("[data-chart][data-chart-source]");
    for (var i = 0; i < elements.length; i++) {
      var chart = draw(elements[i], echarts);
      if (chart) {
        charts.push(chart);
      }
    }
    if (charts.length === 0) {
      return;
    }
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) {
        return;
      }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        charts.forEach(function (chart) {
          chart.resize();
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
