/* System map: draws the map data (json_script#map-data) with cytoscape.js.
   The list view is the text alternative; everything here is an enhancement. */
(function () {
  "use strict";

  var ACTOR_SHAPES = { person: "ellipse", group: "round-rectangle", organisation: "hexagon", service: "diamond" };
  // Colours come from the design tokens (static/css/app.css :root), as the map's key does.
  function token(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  var ACTOR_COLOURS = { person: "--accent", group: "--ok", organisation: "--map-organisation", service: "--map-service" };
  var cy = null;
  var picked = [];

  function readData() {
    var el = document.getElementById("map-data");
    return el ? JSON.parse(el.textContent) : { actors: [], factors: [], relationships: [] };
  }

  function elements(data) {
    var items = [];
    data.actors.forEach(function (a) {
      items.push({ group: "nodes", data: { id: a.id, label: a.name, type: "actor", kind: a.kind } });
    });
    data.factors.forEach(function (f) {
      items.push({ group: "nodes", data: { id: f.id, label: f.name, type: "factor" } });
    });
    data.relationships.forEach(function (r) {
      var sign = r.sign === "-" ? "\u2212" : r.sign;
      var label = [sign, r.label].filter(Boolean).join(" ");
      items.push({ group: "edges", data: { id: "r" + r.id, source: r.source, target: r.target, label: label, type: r.kind, sign: r.sign } });
    });
    return items;
  }

  function style() {
    var rules = [
      { selector: "node", style: { label: "data(label)", "font-size": 13, "text-wrap": "wrap", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 5, color: "#1d2a33", "text-background-color": "#ffffff", "text-background-opacity": 0.9, "text-background-padding": 2, "text-background-shape": "round-rectangle", width: 34, height: 34, "border-width": 2, "border-color": "#ffffff" } },
      { selector: "node[type = 'factor']", style: { shape: "round-rectangle", "background-color": "#ffbf47", "border-color": "#1d2a33", width: 46, height: 26 } },
      { selector: "node.picked", style: { "border-width": 5, "border-color": "#a4262c" } },
      { selector: "edge", style: { width: 2, "line-color": "#4f5f6b", "curve-style": "bezier", label: "data(label)", "font-size": 11, color: "#3a4750", "text-background-color": "#fbfaf7", "text-background-opacity": 1, "text-background-padding": 2, "text-rotation": "autorotate" } },
      // Focus on a node's neighbourhood: the rest fades back, still there for context.
      { selector: ".faded", style: { opacity: 0.15, "text-opacity": 0 } },
      { selector: "node.focused", style: { "border-width": 5, "border-color": "#1d2a33" } },
      { selector: "edge[type = 'factor']", style: { "target-arrow-shape": "triangle", "target-arrow-color": "#4f5f6b" } },
      { selector: "edge[sign = '-']", style: { "line-style": "dashed", "line-color": "#a4262c", "target-arrow-color": "#a4262c" } },
    ];
    Object.keys(ACTOR_SHAPES).forEach(function (kind) {
      rules.push({ selector: "node[kind = '" + kind + "']", style: { shape: ACTOR_SHAPES[kind], "background-color": token(ACTOR_COLOURS[kind]) } });
    });
    return rules;
  }

  function layout() {
    // Labels count as part of each node, so the layout keeps them apart (no overlapping names).
    return { name: "cose", animate: false, padding: 40, nodeDimensionsIncludeLabels: true, randomize: false, nodeRepulsion: function () { return 16000; }, idealEdgeLength: function () { return 120; }, componentSpacing: 80 };
  }

  // The layout keeps nodes apart but not always their names: push apart any two whose boxes
  // (with their labels) still overlap, along the shorter way, until none do.
  function separate() {
    var nodes = cy.nodes();
    for (var round = 0; round < 60; round++) {
      var moved = false;
      for (var i = 0; i < nodes.length; i++) {
        for (var j = i + 1; j < nodes.length; j++) {
          var a = nodes[i].boundingBox({ includeEdges: false });
          var b = nodes[j].boundingBox({ includeEdges: false });
          var dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
          var dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
          if (dx <= 0 || dy <= 0) { continue; }
          var pa = nodes[i].position(), pb = nodes[j].position();
          var shift = { x: 0, y: 0 };
          if (dx < dy) { shift.x = (dx / 2 + 4) * (pa.x <= pb.x ? 1 : -1); }
          else { shift.y = (dy / 2 + 4) * (pa.y <= pb.y ? 1 : -1); }
          nodes[i].position({ x: pa.x - shift.x, y: pa.y - shift.y });
          nodes[j].position({ x: pb.x + shift.x, y: pb.y + shift.y });
          moved = true;
        }
      }
      if (!moved) { break; }
    }
    cy.fit(undefined, 40);
  }

  function arrange() {
    var running = cy.layout(layout());
    running.one("layoutstop", separate);
    running.run();
  }

  function setSelect(name, value) {
    var form = document.getElementById("link-form");
    var select = form && form.querySelector("select[name$='" + name + "']");
    if (select) { select.value = value; }
    return select;
  }

  // Focus ------------------------------------------------------------------------------------

  function say(message) {
    var status = document.getElementById("map-focus-status");
    if (status) { status.textContent = message; }
  }

  function focusOn(id) {
    var select = document.getElementById("map-focus-select");
    if (!cy) { return; }
    cy.elements().removeClass("faded focused");
    var node = id ? cy.getElementById(id) : null;
    if (!node || node.empty()) {
      if (select) { select.value = ""; }
      say(text("all", "Showing the whole map."));
      return;
    }
    var around = node.closedNeighborhood();
    cy.elements().not(around).addClass("faded");
    node.addClass("focused");
    cy.animate({ fit: { eles: around, padding: 60 } }, { duration: 0 });
    if (select) { select.value = id; }
    var links = node.connectedEdges().length;
    say(text("focused", "Showing {name} and what it is linked to ({count} links).")
      .replace("{name}", node.data("label")).replace("{count}", String(links)));
  }

  function text(name, fallback) {
    var box = document.getElementById("map-focus");
    return (box && box.dataset[name]) || fallback;
  }

  function fillFocus(data) {
    var select = document.getElementById("map-focus-select");
    if (!select) { return; }
    var current = select.value;
    while (select.options.length > 1) { select.remove(1); }
    data.actors.concat(data.factors).slice().sort(function (a, b) {
      return a.name.localeCompare(b.name);
    }).forEach(function (item) {
      select.add(new Option(item.name, item.id));
    });
    select.value = current;
    document.getElementById("map-focus").hidden = false;
  }

  function onTap(event) {
    var node = event.target;
    focusOn(node.id());
    picked.push(node.id());
    if (picked.length > 2) { picked = [node.id()]; }
    cy.nodes().removeClass("picked");
    picked.forEach(function (id) { cy.getElementById(id).addClass("picked"); });
    setSelect("source", picked[0]);
    if (picked.length === 2) {
      var target = setSelect("target", picked[1]);
      if (target) { target.focus(); }
      picked = [];
    }
  }

  function draw() {
    var container = document.getElementById("map-canvas");
    if (!container || typeof window.cytoscape !== "function") { return; }
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      // cytoscape would otherwise inject an inline <style> (refused by our CSP); app.css has it.
      var marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.appendChild(marker);
    }
    cy = window.cytoscape({
      container: container,
      elements: elements(readData()),
      style: style(),
      minZoom: 0.2,
      maxZoom: 3,
    });
    arrange();
    cy.on("tap", "node", onTap);
    cy.on("tap", function (event) { if (event.target === cy) { focusOn(""); } });
    container.cy = cy; // for the browser tests, which check the drawing itself
    fillFocus(readData());
    var select = document.getElementById("map-focus-select");
    if (select) { select.addEventListener("change", function () { focusOn(select.value); }); }
    var whole = document.getElementById("map-focus-clear");
    if (whole) { whole.addEventListener("click", function () { focusOn(""); }); }
  }

  function refresh() {
    if (!cy) { return; }
    var positions = {};
    cy.nodes().forEach(function (n) { positions[n.id()] = n.position(); });
    cy.elements().remove();
    cy.add(elements(readData()));
    var fresh = cy.nodes().filter(function (n) { return !positions[n.id()]; });
    cy.nodes().forEach(function (n) { if (positions[n.id()]) { n.position(positions[n.id()]); } });
    if (fresh.length) { arrange(); }
    picked = [];
    var select = document.getElementById("map-focus-select");
    fillFocus(readData());
    focusOn(select ? select.value : "");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    // The browser leaves style="" on typed-in fields; htmx would copy it onto the new fields
    // (settling), which the CSP reports. Drop the empty attributes first.
    document.querySelectorAll("#map-panel [style='']").forEach(function (el) { el.removeAttribute("style"); });
    // A form with errors answers 422 with the panel re-rendered: show it (errors beside fields).
    if (event.detail.xhr.status === 422 && event.detail.target && event.detail.target.id === "map-panel") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("map-data")) { refresh(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
