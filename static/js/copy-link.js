// "Copy link" buttons: <button data-copy="input-id" data-copied="…" data-fallback="…">.
// The texts come from data- attributes so the page needs no inline script (strict CSP).
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.status || "copy-status");
    function fallback() {
      input.select();
      status.textContent = button.dataset.fallback || "";
    }
    if (!navigator.clipboard) { fallback(); return; }
    navigator.clipboard.writeText(input.value).then(function () {
      status.textContent = button.dataset.copied || "";
    }, fallback);
  });
});
