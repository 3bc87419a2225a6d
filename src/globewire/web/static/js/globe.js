/* globewire home globe: an orthographic globe of article counts per country.
 * Data comes from <script type="application/json" id="globe-data"> (no inline script: CSP).
 * Mouse: drag rotates, wheel zooms, click opens a country. Keyboard: the globe is ONE focusable widget
 * (one Tab stop: arrows rotate, +/- zoom, 0 resets, Enter opens the country in the middle, which a live
 * status names); the countries themselves are not Tab stops — the country list after the stories is. */
(function () {
  "use strict";
  var dataEl = document.getElementById("globe-data");
  var host = document.getElementById("globe");
  if (!dataEl || !host || !window.d3 || !window.topojson) return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }

  var SVGNS = "http://www.w3.org/2000/svg";
  var SIZE = 600, MIN_ZOOM = 0.8, MAX_ZOOM = 8, KEY_STEP = 10, TILT_LIMIT = 85;
  var rotation = [-10, -20, 0], zoom = 1, baseScale = SIZE / 2 - 8;
  var projection = d3.geoOrthographic().translate([SIZE / 2, SIZE / 2]).scale(baseScale).rotate(rotation).clipAngle(90);
  var path = d3.geoPath(projection);
  var countries = data.countries || {};

  function el(name, attrs) {
    var node = document.createElementNS(SVGNS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    return node;
  }
  function label(cc) {
    var c = countries[cc];
    if (!c) return null;
    return c[0] + " — " + c[1] + " article" + (c[1] === 1 ? "" : "s") + " (" + data.window + ")";
  }

  var svg = el("svg", { viewBox: "0 0 " + SIZE + " " + SIZE, role: "application", tabindex: "0",
    "aria-label": "Globe of articles per country (" + data.window + "). Arrow keys turn it, plus and minus zoom, " +
      "Enter opens the country in the middle.", "aria-describedby": "globe-status" });
  var sphere = el("path", { "class": "sphere" });
  var grat = el("path", { "class": "graticule" });
  var gCountries = el("g", { "class": "countries" });
  svg.appendChild(sphere); svg.appendChild(grat); svg.appendChild(gCountries);
  var tip = document.createElement("div");
  tip.className = "tooltip"; tip.hidden = true;
  var status = document.createElement("p");
  status.id = "globe-status"; status.className = "sr"; status.setAttribute("role", "status");
  host.appendChild(svg); host.appendChild(tip); host.appendChild(status);

  var features = [], nodes = [], ccs = [], graticule = d3.geoGraticule10();
  var pending = false;
  function render() {
    pending = false;
    projection.scale(baseScale * zoom).rotate(rotation);
    sphere.setAttribute("d", path({ type: "Sphere" }));
    grat.setAttribute("d", path(graticule) || "");
    for (var i = 0; i < features.length; i++) nodes[i].setAttribute("d", path(features[i]) || "");
  }
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(render); } }

  function showTip(cc, x, y) {
    var text = label(cc);
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    var box = host.getBoundingClientRect();
    tip.style.left = (x - box.left) + "px";
    tip.style.top = (y - box.top) + "px";
    tip.hidden = false;
  }
  function open(cc) { if (cc) window.location.assign("/country/" + encodeURIComponent(cc)); }
  function rotateTo(feature) {
    var c = d3.geoCentroid(feature);
    rotation = [-c[0], Math.max(-TILT_LIMIT, Math.min(TILT_LIMIT, -c[1])), 0];
    schedule();
  }

  fetch(data.atlas, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) throw new Error("atlas " + r.status);
    return r.json();
  }).then(function (topo) {
    var fc = topojson.feature(topo, topo.objects.countries);
    var named = fc.features.map(function (f) {
      var cc = (data.ids && data.ids[f.id]) || (f.properties && f.properties.name === "Kosovo" ? "XK" : "");
      return { f: f, cc: cc, name: cc && countries[cc] ? countries[cc][0] : (f.properties && f.properties.name) || "" };
    });
    named.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }); // Tab order: by name
    named.forEach(function (n) {
      var c = n.cc ? countries[n.cc] : null;
      var node = el("path", { "class": "country" + (c ? " lvl-" + c[2] : "") });
      if (n.cc) node.setAttribute("data-cc", n.cc);
      var t = el("title", {});
      t.textContent = n.cc ? (label(n.cc) || n.name) : n.name;
      node.appendChild(t);
      gCountries.appendChild(node);
      features.push(n.f); nodes.push(node); ccs.push(n.cc);
    });
    render();
    host.classList.add("ready");
  }).catch(function () { /* the server-rendered country list stays the way in */ });

  // --- pointer: drag to rotate, click to open, hover names the country
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, r: rotation.slice(), moved: 0 };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener("pointermove", function (ev) {
    if (drag) {
      var k = 0.25 / zoom, dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      drag.moved = Math.max(drag.moved, Math.abs(dx) + Math.abs(dy));
      rotation = [drag.r[0] + dx * k, Math.max(-TILT_LIMIT, Math.min(TILT_LIMIT, drag.r[1] - dy * k)), 0];
      tip.hidden = true;
      schedule();
      return;
    }
    var cc = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-cc");
    if (cc) showTip(cc, ev.clientX, ev.clientY); else tip.hidden = true;
  });
  function endDrag(ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    if (moved < 4 && ev.type === "pointerup") {
      var target = document.elementFromPoint(ev.clientX, ev.clientY);
      var cc = target && target.getAttribute && target.getAttribute("data-cc");
      if (cc) open(cc);
    }
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("pointerleave", function () { if (!drag) tip.hidden = true; });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    setZoom(zoom * Math.exp(-ev.deltaY * 0.0015));
  }, { passive: false });

  function setZoom(z) { zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)); schedule(); }
  function reset() { rotation = [-10, -20, 0]; zoom = 1; schedule(); }

  // --- keyboard on the globe itself: the country under the middle of the view is the "current" one
  function centred() {
    var p = projection.invert([SIZE / 2, SIZE / 2]);
    if (!p) return -1;
    for (var i = 0; i < features.length; i++) if (ccs[i] && d3.geoContains(features[i], p)) return i;
    return -1;
  }
  var marked = -1;
  function announce() {
    if (marked >= 0) nodes[marked].classList.remove("active");
    marked = centred();
    if (marked < 0) { status.textContent = "No country in the middle of the globe"; tip.hidden = true; return; }
    nodes[marked].classList.add("active");
    status.textContent = label(ccs[marked]) || ccs[marked];
    var b = svg.getBoundingClientRect();
    showTip(ccs[marked], b.left + b.width / 2, b.top + b.height / 2);
  }
  svg.addEventListener("focus", function () { requestAnimationFrame(announce); });
  svg.addEventListener("blur", function () {
    tip.hidden = true;
    if (marked >= 0) nodes[marked].classList.remove("active");
    marked = -1;
  });
  svg.addEventListener("keydown", function (ev) {
    if (ev.target !== svg) return;
    if (ev.key === "Enter" || ev.key === " ") {
      var i = centred();
      if (i >= 0) { ev.preventDefault(); open(ccs[i]); }
      return;
    }
    var step = KEY_STEP / zoom, handled = true;
    switch (ev.key) {
      case "ArrowLeft": rotation[0] += step; break;
      case "ArrowRight": rotation[0] -= step; break;
      case "ArrowUp": rotation[1] = Math.max(-TILT_LIMIT, rotation[1] - step); break;
      case "ArrowDown": rotation[1] = Math.min(TILT_LIMIT, rotation[1] + step); break;
      case "+": case "=": setZoom(zoom * 1.25); break;
      case "-": case "_": setZoom(zoom / 1.25); break;
      case "0": reset(); break;
      default: handled = false;
    }
    if (handled) { ev.preventDefault(); schedule(); requestAnimationFrame(function () { requestAnimationFrame(announce); }); }
  });

  // --- buttons and the country select (the select's form still opens the page without JS)
  document.querySelectorAll(".js-only").forEach(function (n) { n.hidden = false; });
  document.querySelectorAll(".globe-controls button").forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-act");
      if (act === "zoom-in") setZoom(zoom * 1.25);
      else if (act === "zoom-out") setZoom(zoom / 1.25);
      else reset();
    });
  });
  var select = document.getElementById("cc-select");
  if (select) select.addEventListener("change", function () {
    var cc = select.value;
    for (var i = 0; i < nodes.length; i++) {
      var on = nodes[i].getAttribute("data-cc") === cc;
      nodes[i].classList.toggle("active", on);
      if (on) rotateTo(features[i]);
    }
  });
  document.body.classList.add("js");
})();
