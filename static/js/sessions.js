/* Sessions: autosave the facilitator's notes as they type (the form still saves without
   JavaScript). Posts the notes with an HX-Request header; the server answers a short status. */
(function () {
  "use strict";

  var DELAY = 1500;

  function setUp(form) {
    var url = form.dataset.autosave;
    var notes = form.querySelector("textarea[name=notes]");
    var status = document.getElementById("notes-status");
    if (!url || !notes) return;
    var timer = null;
    notes.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        var data = new FormData();
        data.append("notes", notes.value);
        data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
        fetch(url, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (text) { if (status && text) status.textContent = text.trim(); })
          .catch(function () { if (status) status.textContent = "Not saved yet: check your connection."; });
      }, DELAY);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(setUp);
})();
