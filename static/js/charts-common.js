/* What coprod's charts share: plain colours and text, no motion for people who ask for
   none, and labels wrapped onto lines so that narrow screens do not cut them off. Loaded
   before the page's own chart script. */
(function () {
  "use strict";

  if (typeof Chart === "undefined") {
    return;
  }

  window.coprodCharts = {
    INK: "#0b0c0c",
    BLUE: "#1d70b8",
    GREY: "#b1b4b6",

    setUp: function (fontSize) {
      Chart.defaults.color = this.INK;
      Chart.defaults.font.size = fontSize;
      if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
        Chart.defaults.animation = false;
      }
    },

    // A label as lines of at most `width` characters, breaking between words.
    wrapWords: function (label, width) {
      var lines = [];
      label.split(" ").forEach(function (word) {
        var last = lines.length - 1;
        if (last >= 0 && (lines[last] + " " + word).length <= width) {
          lines[last] += " " + word;
        } else {
          lines.push(word);
        }
      });
      return lines;
    },

    readData: function (id) {
      var element = document.getElementById(id);
      return element ? JSON.parse(element.textContent) : null;
    }
  };
})();
