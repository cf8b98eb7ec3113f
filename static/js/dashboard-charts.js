/* Draws the dashboard's small charts from the figures the page carries in a json_script
   block (the Content-Security-Policy allows no inline script). Each chart has a table
   below it with the same figures, for people who cannot see the chart. */
(function () {
  "use strict";

  var common = window.coprodCharts;
  if (typeof Chart === "undefined" || !common) {
    return;
  }
  var INK = common.INK;
  var COLOURS = [common.BLUE, common.GREY];

  var charts = common.readData("dashboard-chart-data");
  if (!charts) {
    return;
  }
  common.setUp(12);

  // The cards are narrow: long labels on one line were cut off at the left edge.
  function wrapWords(label) {
    return common.wrapWords(label, 12);
  }

  document.querySelectorAll("canvas[data-chart-key]").forEach(function (canvas) {
    var chart = charts[canvas.dataset.chartKey];
    if (!chart || !chart.labels.length) {
      return;
    }
    var valueAxis = chart.horizontal ? "x" : "y";
    var scales = {};
    // Every label shown: Chart.js would otherwise drop some where the card is short.
    scales[chart.horizontal ? "y" : "x"] = { ticks: { autoSkip: false } };
    scales[valueAxis] = {
      beginAtZero: true,
      ticks: { precision: 0 },
      title: { display: true, text: chart.axis }
    };
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.horizontal ? chart.labels.map(wrapWords) : chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: COLOURS[index % COLOURS.length],
            borderColor: INK,
            borderWidth: index ? 1 : 0
          };
        })
      },
      options: {
        indexAxis: chart.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        plugins: { legend: { display: chart.datasets.length > 1 } },
        scales: scales
      }
    });
  });
})();
