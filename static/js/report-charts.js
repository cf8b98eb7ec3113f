/* Draws the commissioner report's charts from the figures the page carries in json_script
   blocks (the Content-Security-Policy allows no inline script). Each chart has a table
   beside it with the same figures, for people who cannot see the chart. */
(function () {
  "use strict";

  var common = window.coprodCharts;
  if (typeof Chart === "undefined" || !common) {
    return;
  }
  var INK = common.INK;
  var BLUE = common.BLUE;
  var GREY = common.GREY;
  var readData = common.readData;
  common.setUp(14);

  // Long group names on one line were cut off at the left edge of a phone screen.
  function wrapWords(label) {
    return common.wrapWords(label, 16);
  }

  function drawEngagement() {
    var canvas = document.getElementById("engagement-chart");
    var data = readData("engagement-chart-data");
    if (!canvas || !data || !data.labels.length) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels.map(wrapWords),
        datasets: [
          { label: "Active people", data: data.active, backgroundColor: BLUE },
          {
            label: "Target",
            data: data.target,
            backgroundColor: GREY,
            borderColor: INK,
            borderWidth: 1
          }
        ]
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "People" } }
        }
      }
    });
  }

  function drawOutcomes() {
    var outcomes = readData("outcomes-chart-data") || [];
    document.querySelectorAll("canvas[data-outcome-index]").forEach(function (canvas) {
      var outcome = outcomes[Number(canvas.dataset.outcomeIndex)];
      if (!outcome) {
        return;
      }
      new Chart(canvas, {
        type: "line",
        data: {
          labels: outcome.labels,
          datasets: [
            {
              label: outcome.unit ? outcome.name + " (" + outcome.unit + ")" : outcome.name,
              data: outcome.values,
              borderColor: BLUE,
              backgroundColor: BLUE,
              pointRadius: 5,
              pointHoverRadius: 7
            }
          ]
        },
        options: {
          scales: {
            y: { title: { display: Boolean(outcome.unit), text: outcome.unit } }
          }
        }
      });
    });
  }

  drawEngagement();
  drawOutcomes();
})();
