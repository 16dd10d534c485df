// "Tick every one on this page": a checkbox with data-tick-all="<name>" ticks or clears every
// checkbox of that name in its form (including those tied to the form by their form attribute).
// It is hidden until this script runs, so nobody without scripts meets a box that does nothing.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-tick-all]").forEach(function (box) {
      box.hidden = false;
      var label = box.labels && box.labels[0];
      if (label) label.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.tickAll || !box.form) return;
    Array.prototype.forEach.call(box.form.elements, function (el) {
      if (el instanceof HTMLInputElement && el.type === "checkbox" && el.name === box.dataset.tickAll) {
        el.checked = box.checked;
      }
    });
  });
})();
