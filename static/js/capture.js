/* Quick capture and entry forms: autosave drafts to the server, so a closed tab or a lost
   connection loses nothing. Forms opt in with data-draft-url and data-draft-key.
   Also lets htmx swap 400/422 answers (a form re-rendered with errors beside the fields). */
(function () {
  "use strict";

  var DELAY = 1000;

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function timeNow() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function setUp(form) {
    if (form.dataset.draftReady) return;
    form.dataset.draftReady = "1";
    var url = form.dataset.draftUrl;
    var status = form.querySelector("[data-draft-status]");
    var timer = null;
    var dirty = false;
    var submitting = false;

    function say(message) {
      if (status) status.textContent = message;
    }

    function text(name, fallback) {
      return (status && status.dataset[name]) || fallback;
    }

    function payload() {
      var data = new FormData(form);
      data.set("draft_key", form.dataset.draftKey);
      data.delete("client_token"); // a draft is not a submission (static/js/drafts.js)
      if (!data.get("csrfmiddlewaretoken")) data.set("csrfmiddlewaretoken", csrfToken());
      return data;
    }

    function save(leaving) {
      clearTimeout(timer);
      if (!dirty || submitting || !document.body.contains(form)) return;
      var data = payload();
      dirty = false;
      if (leaving && navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: !!leaving,
        headers: { "X-CSRFToken": csrfToken() }
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          say(text("savedText", "Draft saved at {time}.").replace("{time}", timeNow()));
        })
        .catch(function () {
          dirty = true;
          say(text("unsavedText", "Not saved to the server yet (no connection). What you typed stays here."));
        });
    }
    form.draftSave = save;

    function changed() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(function () { save(false); }, DELAY);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // Typed before this script ran (it is deferred; a quick thumb can beat it): save that too.
    var typedEarly = Array.prototype.some.call(form.elements, function (field) {
      return (field.tagName === "TEXTAREA" || field.type === "text") &&
        field.value !== field.defaultValue;
    });
    if (typedEarly) changed();
    form.addEventListener("submit", function (event) {
      if (navigator.onLine === false) {
        // Offline: keep the page (and the text) as it is rather than lose it to an error page.
        event.preventDefault();
        say(text("offlineText", "No connection: nothing was sent. What you typed stays here."));
        return;
      }
      submitting = true;
      clearTimeout(timer);
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      submitting = false;
      if (!event.detail.successful) {
        dirty = true;
        if (!event.detail.xhr || !event.detail.xhr.status) {
          say(text("offlineText", "No connection: nothing was sent. What you typed stays here."));
        }
      }
    });
  }

  // Who can see it: only the levels up to the chosen person's consent (each person option's
  // data-ceiling) are offered, and the ceiling is said beside the list before saving. The
  // server renders the same and refuses a level past it (cycles.services), so without this
  // script a wrong choice comes back with the error beside the field and the text kept.
  function setUpLevels(form) {
    var note = form.querySelector("[data-ceiling-note]");
    var person = form.querySelector("select[name=person]");
    var level = form.querySelector("select[name=visibility]");
    var summary = form.querySelector("[data-level-summary]");
    if (!note || !person || !level || form.dataset.levelsReady) return;
    form.dataset.levelsReady = "1";

    function showLevel() {
      var chosen = level.options[level.selectedIndex];
      if (summary) summary.textContent = chosen ? "(" + chosen.text + ")" : "";
    }

    function applyCeiling() {
      var option = person.options[person.selectedIndex];
      var raw = option ? option.getAttribute("data-ceiling") : null;
      var ceiling = raw === null ? Infinity : Number(raw);
      var lowered = Number(level.value) > ceiling;
      var label = "";
      Array.prototype.forEach.call(level.options, function (item) {
        var over = Number(item.value) > ceiling;
        item.disabled = over;
        item.hidden = over;
        if (Number(item.value) === ceiling) label = item.text;
      });
      if (lowered) {
        level.value = String(ceiling);
        level.dispatchEvent(new Event("change", { bubbles: true })); // the draft keeps it too
      }
      if (raw === null) {
        note.textContent = "";
      } else {
        var text = lowered ? note.dataset.loweredText : note.dataset.ceilingText;
        note.textContent = text.replace("{person}", option.text).replace("{level}", label);
      }
      showLevel();
    }

    person.addEventListener("change", applyCeiling);
    level.addEventListener("change", showLevel);
  }

  function scan(root) {
    var forms = (root.querySelectorAll ? root : document).querySelectorAll("form[data-draft-url]");
    Array.prototype.forEach.call(forms, setUp);
    Array.prototype.forEach.call(forms, setUpLevels);
    if (root.matches && root.matches("form[data-draft-url]")) {
      setUp(root);
      setUpLevels(root);
    }
  }

  function saveAll() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-url]"), function (form) {
      if (form.draftSave) form.draftSave(true);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveAll();
  });
  window.addEventListener("pagehide", saveAll);

  // A form answered with errors (400/422) is swapped in, so the errors show beside the fields.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if (code === 400 || code === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();
