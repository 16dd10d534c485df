// Person picker on the match review (pairing/_picker.html). htmx fetches the list of people as
// the manager types; this file only makes the keyboard behave: Enter in the search box searches
// now instead of submitting the rule form, and the down arrow moves to the list of people.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) {
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      if (window.htmx) {
        window.htmx.trigger(input, "search");
      }
    } else if (event.key === "ArrowDown") {
      var results = document.getElementById(input.getAttribute("aria-controls") || "");
      var first = results && (results.querySelector("input[type=radio]:checked") ||
        results.querySelector("input[type=radio]"));
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
})();
