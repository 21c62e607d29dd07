/* Local drafts and client tokens for every form that takes free text (docs/architecture.md,
   "Client tokens"; the user guide's "Nothing you type is lost").

   A form opts in by itself: any POST form with a <textarea>, or a text input that may hold 100
   characters or more, or the attribute data-local-draft. data-no-local-draft (on the form or
   around it) opts out, and a form with a password field never takes part.

   - Each such form gets a hidden client_token: a random UUID for this render of the form, kept
     while the text stays the same, so a retry (after a timeout, a lost connection, a double
     click) is recognised by the server (hls/client_tokens.py) and saved once. Text changed
     after a failed send gets a new token.
   - What is typed is kept in this browser (localStorage) under the page's path, the form's
     action and its token, until the server confirms the save: a successful answer sets the
     cookie hls_saved naming the token, and the draft under that token is forgotten here.
   - When a page shows a form that has a draft not confirmed (after an error page, a timeout, a
     lost connection or a closed tab), and the form does not already hold that text, it offers
     it back: "restore it" fills the form (with the draft's token, so the retry is still
     recognised), "discard" forgets it.
   Texts come from #local-draft-texts (templates/base.html), so they are translated. */
(function () {
  "use strict";

  var PREFIX = "hls-draft:";
  var COOKIE = "hls_saved";
  var KEEP_DAYS = 30;
  var DELAY = 400;
  var SKIPPED_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  var store = (function () {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null; // private mode or storage refused: forms work as before, without drafts
    }
  })();

  function text(name, fallback) {
    var el = document.getElementById("local-draft-texts");
    return (el && el.dataset[name]) || fallback;
  }

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // The server's confirmations ------------------------------------------------------------

  function confirmedTokens() {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + COOKIE + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]).replace(/"/g, "").split(".").filter(Boolean) : [];
  }

  function eachDraft(callback) {
    if (!store) return;
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    keys.forEach(function (key) {
      var draft = null;
      try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
      callback(key, draft);
    });
  }

  function forgetConfirmed() {
    var tokens = confirmedTokens();
    var oldest = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
    eachDraft(function (key, draft) {
      if (!draft || !draft.token || tokens.indexOf(draft.token) !== -1 || (draft.at || 0) < oldest) {
        store.removeItem(key);
      }
    });
    if (tokens.length) document.cookie = COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
  }

  // Forms -----------------------------------------------------------------------------------

  function optedIn(form) {
    if (!form || form.tagName !== "FORM") return false;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return false;
    if (form.closest("[data-no-local-draft]")) return false;
    if (form.querySelector("input[type=password]")) return false;
    if (form.hasAttribute("data-local-draft")) return true;
    if (form.querySelector("textarea")) return true;
    return Array.prototype.some.call(form.querySelectorAll("input[type=text], input:not([type])"), function (input) {
      return input.name !== "" && (input.maxLength >= 100 || !input.hasAttribute("maxlength"));
    });
  }

  // The version an edit started from (hls/conflicts.py) travels with its draft: a draft restored
  // after someone else saved meanwhile is then refused with both versions shown, not saved over.
  var VERSION_FIELD = /(^|_)(revision|version)$/;

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "client_token") return false;
      if (el.type === "hidden") return VERSION_FIELD.test(el.name);
      return SKIPPED_TYPES.indexOf(el.type) === -1;
    });
  }

  function isText(el) {
    return el.tagName === "TEXTAREA" || ["text", "search", "email", "url", "tel", ""].indexOf(el.type) !== -1 || !el.type;
  }

  function snapshot(form) {
    return fields(form).map(function (el) {
      var value;
      if (el.type === "checkbox" || el.type === "radio") value = el.checked;
      else if (el.type === "select-multiple") value = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      else value = el.value;
      return { n: el.name, t: isText(el), v: value };
    });
  }

  function typed(values) {
    return values.filter(function (f) { return f.t; }).map(function (f) { return String(f.v); }).join("\u0000");
  }

  function sameTyped(a, b) {
    return typed(a).replace(/\s+/g, " ").trim() === typed(b).replace(/\s+/g, " ").trim();
  }

  function apply(form, values) {
    var els = fields(form);
    var used = [];
    values.forEach(function (f) {
      for (var i = 0; i < els.length; i++) {
        var el = els[i];
        if (used.indexOf(i) !== -1 || el.name !== f.n) continue;
        if (el.type === "radio") {
          if (f.v) el.checked = true;
          if (!f.v) continue; // the checked one of the group carries the value
        } else if (el.type === "checkbox") {
          el.checked = !!f.v;
        } else if (el.type === "select-multiple") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = f.v.indexOf(o.value) !== -1; });
        } else {
          el.value = f.v;
        }
        used.push(i);
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
        break;
      }
    });
  }

  function baseKey(form) {
    var action = form.getAttribute("action") || "";
    var path = action ? new URL(action, location.href).pathname : location.pathname;
    var same = Array.prototype.filter.call(document.querySelectorAll("form"), function (f) {
      return (f.getAttribute("action") || "") === (form.getAttribute("action") || "");
    });
    var which = form.id || String(Math.max(0, same.indexOf(form)));
    return PREFIX + location.pathname + "|" + path + "|" + which + "#";
  }

  function tokenInput(form) {
    var input = form.querySelector("input[name=client_token]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "client_token";
      form.appendChild(input);
    }
    return input;
  }

  function preview(values) {
    var longest = "";
    values.forEach(function (f) {
      if (f.t && String(f.v).length > longest.length) longest = String(f.v);
    });
    return longest.length > 280 ? longest.slice(0, 280) + "…" : longest;
  }

  function offer(form, key, draft) {
    var box = document.createElement("div");
    box.className = "draft-notice local-draft";
    box.setAttribute("role", "status");
    box.setAttribute("data-local-draft-offer", "");
    var when = new Date(draft.at);
    var p = document.createElement("p");
    p.textContent = text("offer", "You typed this here and it was not saved ({time}):").replace(
      "{time}", when.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }));
    var quote = document.createElement("blockquote");
    quote.textContent = preview(draft.fields);
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button small";
    restore.textContent = text("restore", "Restore it");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button small secondary";
    discard.textContent = text("discard", "Discard");
    box.appendChild(p);
    box.appendChild(quote);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.parentNode.insertBefore(box, form);

    restore.addEventListener("click", function () {
      store.removeItem(key);
      form.localDraft.adopt(draft);
      var said = document.createElement("p");
      said.className = "draft-notice local-draft";
      said.setAttribute("role", "status");
      said.textContent = text("restored", "Restored. Check it, then save.");
      box.replaceWith(said);
      var first = form.querySelector("textarea, input[type=text]");
      if (first) first.focus();
    });
    discard.addEventListener("click", function () {
      store.removeItem(key);
      box.remove();
    });
  }

  function setUp(form) {
    if (form.localDraft || !optedIn(form)) return;
    var token = tokenInput(form);
    if (!token.value) token.value = newToken();
    var initial = snapshot(form);
    var base = baseKey(form);
    var timer = null;
    var sentText = null; // the typed text at the last send, to know a retry from a change
    var keep = false; // kept even if unchanged: the text is on the page but not saved yet

    function key() { return base + token.value; }

    function save() {
      clearTimeout(timer);
      if (!store || !document.body.contains(form)) return;
      var now = snapshot(form);
      if (!keep && sameTyped(now, initial)) {
        store.removeItem(key());
        return;
      }
      try {
        store.setItem(key(), JSON.stringify({ token: token.value, at: Date.now(), fields: now }));
      } catch (e) { /* full: the server-side draft (where there is one) still works */ }
    }

    function adopt(draft) {
      // The draft's text, under the draft's token: sending it again is a retry of that send.
      if (store) store.removeItem(key());
      apply(form, draft.fields);
      token.value = draft.token;
      keep = true;
      save();
    }

    form.localDraft = { save: save, adopt: adopt };
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });

    // Drafts of this form not confirmed by the server: offer them back. One the form already
    // holds (a form shown again with its errors, an edit saved but not confirmed) is kept under
    // this form's token, silently, until the server confirms a save.
    var found = [];
    eachDraft(function (k, draft) {
      if (k.indexOf(base) === 0 && draft && draft.token !== token.value) found.push([k, draft]);
    });
    found.sort(function (a, b) { return b[1].at - a[1].at; });
    found.forEach(function (pair) {
      if (!sameTyped(pair[1].fields, initial)) {
        offer(form, pair[0], pair[1]);
      } else if (!keep) {
        store.removeItem(pair[0]);
        token.value = pair[1].token; // sent again as it is: a retry of that send
        keep = true;
        save();
      } else {
        store.removeItem(pair[0]);
      }
    });

    form.sent = function () {
      var now = typed(snapshot(form));
      if (sentText !== null && sentText !== now) {
        store && store.removeItem(key());
        token.value = newToken(); // changed since the last send: a new submission
      }
      sentText = now;
      save();
    };
  }

  function scan(root) {
    forgetConfirmed();
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.tagName === "FORM") setUp(scope);
    Array.prototype.forEach.call(scope.querySelectorAll("form"), setUp);
  }

  // Before the form is sent (and before htmx reads it): the token is settled and the draft kept.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.sent) form.sent();
  }, true);
  document.addEventListener("htmx:afterRequest", forgetConfirmed);
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt); });
  window.addEventListener("pagehide", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (form.localDraft) form.localDraft.save();
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) forgetConfirmed(); // back to a page kept in memory
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();
