/* Progressive enhancement only: every page works without this file.
   After an htmx swap: move focus where the new content asks for it, and tell
   screen reader users what changed through the #live-region. */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  function liveRegion() {
    return document.getElementById("live-region");
  }

  function announce(text, isError) {
    var region = liveRegion();
    if (!region || !text) {
      return;
    }
    region.classList.toggle("visually-hidden", !isError);
    region.classList.toggle("live-region--error", !!isError);
    // Clearing first makes screen readers announce a repeated message again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function clearError() {
    var region = liveRegion();
    if (region && region.classList.contains("live-region--error")) {
      region.classList.remove("live-region--error");
      region.classList.add("visually-hidden");
      region.textContent = "";
    }
  }

  function find(root, selector) {
    if (root.matches && root.matches(selector)) {
      return root;
    }
    return root.querySelector ? root.querySelector(selector) : null;
  }

  function focusElement(element) {
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    clearError();
    // An error summary wins: the user has to fix something first.
    var target = find(root, "[data-error-summary]") || find(root, "[data-focus-after-swap]");
    if (target) {
      focusElement(target);
    }
    var status = find(root, "[data-announce]");
    if (status) {
      announce(status.getAttribute("data-announce") || status.textContent.trim(), false);
    }
  });

  // A page that comes back with errors (a form posted without htmx): the summary gets focus,
  // so keyboard and screen-reader users start at what needs fixing (GOV.UK error summary).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      focusElement(summary);
    }
  });

  // The server answers an htmx request that fails with the same words as its error page
  // (a fragment); show those, else the general sentence (no answer at all: a network error).
  function failed(event) {
    var region = liveRegion();
    var text = "";
    var xhr = event && event.detail ? event.detail.xhr : null;
    if (xhr && xhr.responseText && /text\/html/.test(xhr.getResponseHeader("Content-Type") || "")) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      text = (doc.body.textContent || "").replace(/\s+/g, " ").trim();
    }
    announce(text || (region ? region.getAttribute("data-error-text") : ""), true);
  }

  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
