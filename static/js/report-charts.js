/* Draws the commissioner report's charts from the figures the page carries in json_script
   blocks (the Content-Security-Policy allows no inline script). Each chart has a table
   beside it with the same figures, for people who cannot see the chart. */
(function () {
  "use strict";

  if (typeof Chart === "undefined") {
    return;
  }

  var INK = "#0b0c0c";
  var BLUE = "#1d70b8";
  var GREY = "#b1b4b6";

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  Chart.defaults.color = INK;
  Chart.defaults.font.size = 14;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  // Long group names on one line were cut off at the left edge of a phone screen.
  function wrapWords(label) {
    var lines = [];
    label.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 16) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
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
