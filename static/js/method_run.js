/* A method run's page (templates/stewardship/methods/run.html): the step's timer counts down,
   and an earlier step's folded answer form opens when it holds a draft offered back.

   - The timer: the server says "about N minutes left" (data-ends-at is when the step's time is
     up); here the words follow the clock, every few seconds, in the page's own language (the
     texts come from the element's data-left, data-one and data-done). No JavaScript: the
     server's words stay, and a reload updates them.
   - Drafts (static/js/drafts.js) keep what is typed in each answer form. When the facilitator
     moves the group, the live region asks the page to reload; a draft typed into the step the
     group left is then offered back beside that step's form, which sits folded under "Add to
     or change my answer": the fold opens so the offer is seen. */
(function () {
  "use strict";

  function tick(el) {
    var ends = Date.parse(el.dataset.endsAt || "");
    if (isNaN(ends)) return;
    var left = Math.ceil((ends - Date.now()) / 60000);
    if (left <= 0) el.textContent = el.dataset.done;
    else if (left === 1) el.textContent = el.dataset.one;
    else el.textContent = (el.dataset.left || "").replace("{n}", String(left));
  }

  function timers() {
    Array.prototype.forEach.call(document.querySelectorAll(".run-timer[data-ends-at]"), tick);
  }

  function openOffered() {
    Array.prototype.forEach.call(document.querySelectorAll("details.run-earlier"), function (d) {
      if (d.querySelector("[data-local-draft-offer]")) d.open = true;
    });
  }

  function start() {
    timers();
    window.setInterval(timers, 5000);
    openOffered();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
