// Accessibility glue (docs/accessibility.md). No inline script: base.html loads this with defer.
//
// 1. A failed submit: the error summary (includes/error_summary.html) takes focus on load, and
//    its links move focus to the field, scrolling its label or legend into view.
// 2. htmx swaps: focus stays on, or returns to, the control that acted (found again by id in
//    the new content), or goes to the element named by data-focus-fallback, or to the swapped
//    area. The server says what happened with an HX-Trigger-After-Settle "announce" event
//    ({"announce": {"message": "…"}}), which is read out from the live region #announcer.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) { return; }
    // Emptied first, then filled a moment later: the same message twice is read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    return Boolean(summary);
  }

  // A table that is wider than its box scrolls inside .table-wrap. Keyboard users can only
  // scroll it if the box takes focus, and then it needs a name: the table's caption, else the
  // heading of the section it is in. Boxes that fit are left out of the tab order.
  var tableCount = 0;
  function labelScrollBoxes(root) {
    root.querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (!scrolls) {
        if (box.dataset.a11yRegion) {
          box.removeAttribute("tabindex"); box.removeAttribute("role");
          box.removeAttribute("aria-label"); box.removeAttribute("aria-labelledby");
          delete box.dataset.a11yRegion;
        }
        return;
      }
      if (box.hasAttribute("tabindex") && !box.dataset.a11yRegion) { return; }  // set in HTML
      var caption = box.querySelector("caption");
      var section = box.closest("section, article, .card");
      var heading = section && section.querySelector("h2, h3");
      if (caption) {
        if (!caption.id) { tableCount += 1; caption.id = "table-caption-" + tableCount; }
        box.setAttribute("aria-labelledby", caption.id);
      } else if (heading) {
        if (!heading.id) { tableCount += 1; heading.id = "table-heading-" + tableCount; }
        box.setAttribute("aria-labelledby", heading.id);
      } else {
        box.setAttribute("aria-label", box.dataset.label || document.title.split(" · ")[0]);
      }
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.dataset.a11yRegion = "1";
    });
  }

  // 3. A search or filter form that reloads the page (a plain GET form, no htmx): the new page
  //    puts focus back on the control that submitted it and reads out what the list now holds
  //    (an element marked data-result-count, else the first table caption), so a keyboard or
  //    screen-reader user is not sent back to the top of the page.
  var FILTER_KEY = "upward:filter-focus";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") { return; }
    if (form.hasAttribute("hx-get")) { return; }  // swapped in place: handled below
    // The control that acted, else the form's search box (a click on "Search" lands there).
    var active = document.activeElement;
    var control = active && active.id && form.contains(active) ? active : event.submitter;
    if (!control || !control.id) {
      control = form.querySelector("input[type=search][id], input[type=text][id], select[id]");
    }
    if (!control) { return; }
    try {
      window.sessionStorage.setItem(FILTER_KEY, JSON.stringify({
        path: new URL(form.action || window.location.href, window.location.href).pathname,
        id: control.id
      }));
    } catch (e) { /* storage may be off: the page still works, focus starts at the top */ }
  });

  function restoreFilterFocus() {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(FILTER_KEY) || "null");
      window.sessionStorage.removeItem(FILTER_KEY);
    } catch (e) { return; }
    if (!saved || saved.path !== window.location.pathname) { return; }
    var control = document.getElementById(saved.id);
    if (!control) { return; }
    control.focus();
    var counted = document.querySelector("main [data-result-count]") ||
      document.querySelector("main caption") || document.querySelector("main .empty h2");
    if (counted) { announce(counted.textContent.replace(/\s+/g, " ").trim()); }
  }

  function onReady() {
    labelScrollBoxes(document);
    if (!focusSummary(document)) { restoreFilterFocus(); }
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { labelScrollBoxes(document); }, 200);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) { return; }
    event.preventDefault();
    var context = control.closest("fieldset") || control.closest(".field") || control;
    context.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  });

  // htmx: remember who acted, put focus back after the swap.
  var actedId = null;
  var fallbackId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var active = document.activeElement;
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    var acted = null;
    if (active && active !== document.body && (active === elt || elt.contains(active))) {
      acted = active;
    } else if (trigger && trigger.submitter) {
      acted = trigger.submitter;
    }
    actedId = acted && acted.id ? acted.id : null;
    var withFallback = elt.closest("[data-focus-fallback]");
    fallbackId = withFallback ? withFallback.getAttribute("data-focus-fallback") : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    labelScrollBoxes(document);
    // With an outerHTML swap the old target is gone; the event fires on the new content.
    var target = event.target instanceof Element && event.target.isConnected ? event.target
      : event.detail.target;
    if (target && target.isConnected && focusSummary(target)) { return; }
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    if (!lost) { return; }  // e.g. still typing in a search box outside the swapped area
    var next = (actedId && document.getElementById(actedId)) ||
      (fallbackId && document.getElementById(fallbackId));
    if (!next && target && target.isConnected) {
      next = target;
      if (!next.hasAttribute("tabindex")) { next.setAttribute("tabindex", "-1"); }
    }
    if (next) { next.focus(); }
  });

  document.addEventListener("announce", function (event) {
    announce(event.detail && event.detail.message);
  });
}());
