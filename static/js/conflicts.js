/* Edit conflicts (hls/conflicts.py): a stale save answers 409 with both versions and the
   person's text kept in the form. htmx does not swap error answers by default; this one is
   meant to be read, so swap it in like a form with errors. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
