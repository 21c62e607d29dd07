/* Placing a story on a triad (templates/cycles/signifiers/place.html). A click (or a tap) in
   the triangle fills the three shares below it, in percent, which are what the form sends:
   without this script the person types them. Arrow keys move the point when the triangle has
   the focus. A point outside the triangle is refused with a message, never moved inside.
   The geometry is cycles/signifiers/definition.py's: a at the top, b bottom left, c bottom
   right, sides of 1, y downwards. */
(function () {
  "use strict";
  var HEIGHT = Math.sqrt(3) / 2;
  var TOLERANCE = 0.001;

  function weights(x, y) {
    var a = 1 - y / HEIGHT;
    var c = x - a / 2;
    var b = 1 - a - c;
    if (Math.min(a, b, c) < -TOLERANCE) return null;
    a = Math.max(a, 0); b = Math.max(b, 0); c = Math.max(c, 0);
    var total = a + b + c;
    var pa = Math.round((a / total) * 1000) / 10;
    var pb = Math.round((b / total) * 1000) / 10;
    var pc = Math.round((100 - pa - pb) * 10) / 10;
    if (pc < 0) { pb = Math.round((pb + pc) * 10) / 10; pc = 0; }
    return { a: pa, b: pb, c: pc };
  }

  function pointOf(shares) {
    var a = shares.a / 100, c = shares.c / 100;
    return { x: a / 2 + c, y: (1 - a) * HEIGHT };
  }

  function setUp(box) {
    var key = box.getAttribute("data-triad");
    var svg = box.querySelector("svg");
    var marker = svg.querySelector(".triad-marker");
    var message = box.querySelector(".triad-message");
    var left = parseFloat(svg.getAttribute("data-left"));
    var top = parseFloat(svg.getAttribute("data-top"));
    var side = parseFloat(svg.getAttribute("data-side"));
    var form = box.closest("form");
    var inputs = {
      a: form.querySelector('[name="' + key + '__a"]'),
      b: form.querySelector('[name="' + key + '__b"]'),
      c: form.querySelector('[name="' + key + '__c"]')
    };
    var na = form.querySelector('[name="' + key + '__na"]');
    var current = null;

    function show(point) {
      current = point;
      marker.setAttribute("cx", String(left + point.x * side));
      marker.setAttribute("cy", String(top + point.y * side));
      marker.removeAttribute("hidden");
    }

    function place(point) {
      var shares = weights(point.x, point.y);
      if (shares === null) {
        message.textContent = "That point is outside the triangle: place the story inside it.";
        return;
      }
      inputs.a.value = shares.a;
      inputs.b.value = shares.b;
      inputs.c.value = shares.c;
      if (na) na.checked = false;
      message.textContent = inputs.a.labels[0].textContent.trim() + " " + shares.a + "%, " +
        inputs.b.labels[0].textContent.trim() + " " + shares.b + "%, " +
        inputs.c.labels[0].textContent.trim() + " " + shares.c + "%";
      show(point);
    }

    function fromInputs() {
      var shares = { a: parseFloat(inputs.a.value), b: parseFloat(inputs.b.value),
                     c: parseFloat(inputs.c.value) };
      if ([shares.a, shares.b, shares.c].some(isNaN)) return;
      if (Math.abs(shares.a + shares.b + shares.c - 100) > 0.1) return;
      if (Math.min(shares.a, shares.b, shares.c) < 0) return;
      show(pointOf(shares));
    }

    svg.addEventListener("click", function (event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return;
      var p = svg.createSVGPoint();
      p.x = event.clientX;
      p.y = event.clientY;
      var local = p.matrixTransform(matrix.inverse());
      place({ x: (local.x - left) / side, y: (local.y - top) / side });
    });

    svg.addEventListener("keydown", function (event) {
      var step = 0.02;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step],
                    ArrowDown: [0, step] };
      var move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      var from = current || { x: 0.5, y: HEIGHT * 2 / 3 };
      place({ x: from.x + move[0], y: from.y + move[1] });
    });

    ["a", "b", "c"].forEach(function (corner) {
      inputs[corner].addEventListener("input", fromInputs);
    });
    fromInputs();
  }

  document.querySelectorAll("[data-triad]").forEach(setUp);
})();
