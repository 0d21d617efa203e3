// Copy buttons of acquisition links: <button type="button" data-copy="text" data-copied-label="Copied">.
// One delegated listener, no inline handlers, so a strict Content-Security-Policy can stay strict.
(function () {
  "use strict";

  var SHOWN_MS = 1500;

  function copyWithSelection(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(field);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    // The Clipboard API needs a secure context (HTTPS or localhost); older ways still work elsewhere.
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    event.preventDefault();
    copy(button.getAttribute("data-copy")).then(function () {
      if (!button.hasAttribute("data-label")) {
        button.setAttribute("data-label", button.textContent);
      }
      button.textContent = button.getAttribute("data-copied-label") || "✓";
      window.setTimeout(function () {
        button.textContent = button.getAttribute("data-label");
      }, SHOWN_MS);
    }, function () {
      window.prompt("", button.getAttribute("data-copy"));
    });
  });
})();
