// The single sign-on pages go on by themselves after a moment: the "Continue with ..." form is
// sent (it posts to Upward, which sends the browser to the provider), the "Sign out of ..."
// link is followed. Both work as a plain button or link without this script; a click on a
// link marked data-cancel-auto-continue stops it.
(function () {
  var form = document.querySelector("form[data-auto-continue]");
  var link = document.querySelector("a[data-auto-follow]");
  if (!form && !link) { return; }
  var cancelled = false;
  document.querySelectorAll("[data-cancel-auto-continue]").forEach(function (other) {
    other.addEventListener("click", function () { cancelled = true; });
  });
  window.setTimeout(function () {
    if (cancelled) { return; }
    if (form) { form.submit(); } else { window.location.assign(link.href); }
  }, 1200);
})();
