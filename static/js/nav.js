/* The workspace navigation's menus (<details>, templates/workspace_nav.html) work without this;
   with it they close as menus do: on Escape (focus back on the menu's button), on a click
   outside, and when another of them opens. */
(function () {
  "use strict";

  function menus() {
    return document.querySelectorAll(".workspace-nav details[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    Array.prototype.forEach.call(menus(), function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });

  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(menus(), function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
