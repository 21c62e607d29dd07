/* Sessions: autosave the facilitator's notes as they type (the form still saves without
   JavaScript). Posts the notes and the revision they started from with an HX-Request header;
   the server answers a short status and the new revision (X-Revision). One save at a time, so
   a tab never races itself. If someone else saved the notes meanwhile the server answers 409:
   autosave stops for good on this page, says so plainly and leaves the text as typed; the
   "Save notes" button then shows both versions to combine (hls/conflicts.py). */
(function () {
  "use strict";

  var DELAY = 1500;

  function setUp(form) {
    var url = form.dataset.autosave;
    var notes = form.querySelector("textarea[name=notes]");
    var revision = form.querySelector("input[name=revision]");
    var status = document.getElementById("notes-status");
    if (!url || !notes) return;
    var timer = null;
    var busy = false;
    var again = false;
    var stopped = false;

    function say(text, urgent) {
      if (!status || !text) return;
      status.textContent = text.trim();
      if (urgent) {
        status.setAttribute("role", "alert");
        status.classList.add("error");
      }
    }

    function save() {
      if (stopped) return;
      if (busy) { again = true; return; }
      busy = true;
      var data = new FormData();
      data.append("notes", notes.value);
      if (revision) data.append("revision", revision.value);
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(url, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            if (response.status === 409) {
              stopped = true;
              again = false;
              say(text || "Not saved: someone else saved these notes meanwhile. Your text is still here; press Save notes to combine them.", true);
              return;
            }
            if (!response.ok) {
              say("Not saved yet: the server did not answer. Your text is still here.", false);
              return;
            }
            var next = response.headers.get("X-Revision");
            if (revision && next) revision.value = next;
            say(text, false);
          });
        })
        .catch(function () { say("Not saved yet: check your connection.", false); })
        .then(function () {
          busy = false;
          if (again && !stopped) { again = false; save(); }
        });
    }

    notes.addEventListener("input", function () {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(setUp);
})();
