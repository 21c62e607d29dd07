/* System map: draws the map data (json_script#map-data) with cytoscape.js.
   The list view is the text alternative; everything here is an enhancement. */
(function () {
  "use strict";

  var ACTOR_SHAPES = { person: "ellipse", group: "round-rectangle", organisation: "hexagon", service: "diamond" };
  var ACTOR_COLOURS = { person: "#1b5e7a", group: "#2d6a3e", organisation: "#6b3d8f", service: "#8a4b08" };
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
      { selector: "node", style: { label: "data(label)", "font-size": 12, "text-wrap": "wrap", "text-max-width": 110, "text-valign": "bottom", "text-margin-y": 4, color: "#1d2a33", width: 34, height: 34, "border-width": 2, "border-color": "#ffffff" } },
      { selector: "node[type = 'factor']", style: { shape: "round-rectangle", "background-color": "#ffbf47", "border-color": "#1d2a33", width: 46, height: 26 } },
      { selector: "node.picked", style: { "border-width": 5, "border-color": "#a4262c" } },
      { selector: "edge", style: { width: 2, "line-color": "#4f5f6b", "curve-style": "bezier", label: "data(label)", "font-size": 12, "text-background-color": "#fbfaf7", "text-background-opacity": 1, "text-background-padding": 2 } },
      { selector: "edge[type = 'factor']", style: { "target-arrow-shape": "triangle", "target-arrow-color": "#4f5f6b" } },
      { selector: "edge[sign = '-']", style: { "line-style": "dashed", "line-color": "#a4262c", "target-arrow-color": "#a4262c" } },
    ];
    Object.keys(ACTOR_SHAPES).forEach(function (kind) {
      rules.push({ selector: "node[kind = '" + kind + "']", style: { shape: ACTOR_SHAPES[kind], "background-color": ACTOR_COLOURS[kind] } });
    });
    return rules;
  }

  function layout() {
    return { name: "cose", animate: false, padding: 30, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 90; } };
  }

  function setSelect(name, value) {
    var form = document.getElementById("link-form");
    var select = form && form.querySelector("select[name$='" + name + "']");
    if (select) { select.value = value; }
    return select;
  }

  function onTap(event) {
    var node = event.target;
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
      layout: layout(),
      minZoom: 0.2,
      maxZoom: 3,
    });
    cy.on("tap", "node", onTap);
  }

  function refresh() {
    if (!cy) { return; }
    var positions = {};
    cy.nodes().forEach(function (n) { positions[n.id()] = n.position(); });
    cy.elements().remove();
    cy.add(elements(readData()));
    var fresh = cy.nodes().filter(function (n) { return !positions[n.id()]; });
    cy.nodes().forEach(function (n) { if (positions[n.id()]) { n.position(positions[n.id()]); } });
    if (fresh.length) { cy.layout(layout()).run(); }
    picked = [];
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
