/* Draws the dashboard's small charts from the figures the page carries in a json_script
   block (the Content-Security-Policy allows no inline script). Each chart has a table
   below it with the same figures, for people who cannot see the chart. */
(function () {
  "use strict";

  if (typeof Chart === "undefined") {
    return;
  }

  var INK = "#0b0c0c";
  var COLOURS = ["#1d70b8", "#b1b4b6"];

  var element = document.getElementById("dashboard-chart-data");
  if (!element) {
    return;
  }
  var charts = JSON.parse(element.textContent);

  Chart.defaults.color = INK;
  Chart.defaults.font.size = 12;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  // The cards are narrow: long labels on one line were cut off at the left edge.
  function wrapWords(label) {
    var lines = [];
    label.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 12) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
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
