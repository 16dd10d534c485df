// "Continue with your organisation's sign-in": the page's form goes on by itself after a
// moment, unless the person chose otherwise (the button works without this script too).
(function () {
  var form = document.querySelector("form[data-auto-continue]");
  if (!form) { return; }
  var cancelled = false;
  document.querySelectorAll("[data-cancel-auto-continue]").forEach(function (link) {
    link.addEventListener("click", function () { cancelled = true; });
  });
  window.setTimeout(function () {
    if (!cancelled) { form.submit(); }
  }, 1200);
})();
