// SPDX-License-Identifier: MIT
// frec flame graph interaction: zoom, search, details, URL state.  Embedded by render/flame.c.
// Every frame is a <g> holding <title> (first line: the full name), <rect> and an optional
// <text>.  Names are only ever read from the DOM and written back with textContent.
(function () {
	"use strict";
	var NS = "http://www.w3.org/2000/svg", CW = 7.3, EPS = 0.02;
	var svg = document.documentElement, cfg = svg.getAttribute("data-frec").split(" ");
	var W = +cfg[0], PAD = +cfg[1], ICICLE = cfg[2] === "1";
	var box = document.getElementById("frames"), frames = box.children, n = frames.length;
	var ox = new Float64Array(n), ow = new Float64Array(n), oy = new Float64Array(n), names = [];
	var details = document.getElementById("details"), matched = document.getElementById("matched");
	var unzoomBtn = document.getElementById("unzoom"), searchBtn = document.getElementById("search");
	var zoomed = -1, term = "";

	for (var i = 0; i < n; i++) {
		var r = frames[i].children[1];
		ox[i] = +r.getAttribute("x");
		ow[i] = +r.getAttribute("width");
		oy[i] = +r.getAttribute("y");
		frames[i].frecIndex = i;
	}
	function name(i) {
		if (names[i] === undefined)
			names[i] = frames[i].children[0].textContent.split("\n")[0];
		return names[i];
	}
	// As in render/flame.c: outermost <...> and (...) become <..> and (..) when a name is too long.
	function shorten(s) {
		if (s.indexOf("operator") >= 0)
			return s;
		var out = "", i = 0;
		while (i < s.length) {
			var open = s[i], close = open === "<" ? ">" : ")", depth = 0, j = i;
			if (open !== "<" && open !== "(") {
				out += open;
				i++;
				continue;
			}
			for (; j < s.length; j++) {
				if (s[j] === open)
					depth++;
				else if (s[j] === close && --depth === 0)
					break;
			}
			if (j === s.length)
				return s;
			out += j - i > 3 ? open + ".." + close : s.slice(i, j + 1);
			i = j + 1;
		}
		return out;
	}
	function label(i, x, w) {
		var g = frames[i], t = g.children[2], fit = Math.floor((w - 6) / CW), s = name(i);
		if (s.length > fit)
			s = shorten(s);
		if (fit < 3) {
			if (t)
				t.textContent = "";
			return;
		}
		if (!t) {
			t = document.createElementNS(NS, "text");
			g.appendChild(t);
		}
		t.setAttribute("x", (x + 3).toFixed(2));
		t.setAttribute("y", (oy[i] + 11).toFixed(2));
		t.textContent = s.length <= fit ? s : s.slice(0, fit - 2) + "..";
	}
	function place(i, x, w, cls) {
		var g = frames[i], r = g.children[1];
		g.setAttribute("class", cls);
		if (cls === "hide")
			return;
		r.setAttribute("x", x.toFixed(2));
		r.setAttribute("width", w.toFixed(2));
		label(i, x, w);
	}
	function frameOf(e) {
		for (var el = e.target; el && el !== box; el = el.parentNode)
			if (el.frecIndex !== undefined)
				return el.frecIndex;
		return -1;
	}

	function zoom(z) {
		var x0 = ox[z], w0 = ow[z], y0 = oy[z], scale = (W - 2 * PAD) / w0;
		if (!(w0 > 0))
			return;
		for (var i = 0; i < n; i++) {
			var inside = ox[i] >= x0 - EPS && ox[i] + ow[i] <= x0 + w0 + EPS;
			var covers = ox[i] <= x0 + EPS && ox[i] + ow[i] >= x0 + w0 - EPS;
			var below = ICICLE ? oy[i] < y0 : oy[i] > y0;
			if (below && covers)
				place(i, PAD, W - 2 * PAD, "a");
			else if (!below && inside)
				place(i, PAD + (ox[i] - x0) * scale, ow[i] * scale, "");
			else
				place(i, 0, 0, "hide");
		}
		zoomed = z;
		unzoomBtn.setAttribute("class", "btn");
		if (term)
			search(term);
		save();
	}
	function unzoom() {
		for (var i = 0; i < n; i++)
			place(i, ox[i], ow[i], "");
		zoomed = -1;
		unzoomBtn.setAttribute("class", "btn hide");
		if (term)
			search(term);
		save();
	}

	// Highlight frames whose name matches; the matched share counts nested matches once.
	function search(t) {
		var re, spans = [];
		term = t || "";
		if (!term) {
			for (var i = 0; i < n; i++)
				frames[i].classList.remove("m");
			matched.textContent = " ";
			searchBtn.textContent = "Search";
			save();
			return;
		}
		try {
			re = new RegExp(term);
		} catch (e) {
			matched.textContent = "invalid regular expression: " + term;
			return;
		}
		for (var j = 0; j < n; j++) {
			var hit = re.test(name(j));
			frames[j].classList.toggle("m", hit);
			if (hit)
				spans.push([ox[j], ox[j] + ow[j]]);
		}
		var pct = share(spans, ox[0], ox[0] + ow[0]), text = "Matched: " + pct.toFixed(2) + "%";
		if (zoomed >= 0)
			text += " (" + share(spans, ox[zoomed], ox[zoomed] + ow[zoomed]).toFixed(2) + "% of zoom)";
		matched.textContent = text + " for /" + term + "/";
		matched.setAttribute("data-pct", pct.toFixed(2));
		searchBtn.textContent = "Reset search";
		save();
	}
	function share(spans, lo, hi) {
		var sum = 0, end = -Infinity;
		spans.sort(function (a, b) { return a[0] - b[0]; });
		for (var k = 0; k < spans.length; k++) {
			var a = Math.max(spans[k][0], lo, end), b = Math.min(spans[k][1], hi);
			if (b > a)
				sum += b - a;
			end = Math.max(end, spans[k][1]);
		}
		return hi > lo ? Math.min(100, 100 * sum / (hi - lo)) : 0;
	}
	function ask() {
		var t = window.prompt("Search for functions (regular expression):", term);
		if (t !== null)
			search(t);
	}

	// URL state: #x=LEFT&y=TOP&s=REGEX (the zoomed frame's original rectangle, and the search).
	function save() {
		var h = [];
		if (zoomed >= 0)
			h.push("x=" + ox[zoomed].toFixed(2), "y=" + oy[zoomed].toFixed(2));
		if (term)
			h.push("s=" + encodeURIComponent(term));
		var url = location.href.split("#")[0] + (h.length ? "#" + h.join("&") : "");
		try {
			history.replaceState(null, "", url);
		} catch (e) {
			/* some viewers forbid it: the view still works, it just is not linkable */
		}
	}
	function load() {
		var kv = {}, parts = location.hash.slice(1).split("&");
		for (var i = 0; i < parts.length; i++) {
			var eq = parts[i].indexOf("=");
			if (eq > 0) {
				try {
					kv[parts[i].slice(0, eq)] = decodeURIComponent(parts[i].slice(eq + 1));
				} catch (e) {
					/* a malformed escape: ignore that parameter */
				}
			}
		}
		if (kv.s)
			term = kv.s;
		if (kv.x !== undefined && kv.y !== undefined) {
			for (var j = 0; j < n; j++)
				if (Math.abs(ox[j] - kv.x) < 0.006 && Math.abs(oy[j] - kv.y) < 0.006)
					return zoom(j);
		}
		if (term)
			search(term);
	}

	box.addEventListener("click", function (e) {
		var i = frameOf(e);
		if (i >= 0)
			i === 0 ? unzoom() : zoom(i);
	});
	box.addEventListener("mouseover", function (e) {
		var i = frameOf(e);
		if (i < 0)
			return;
		var lines = frames[i].children[0].textContent.split("\n"), text = lines.join("; ");
		if (zoomed >= 0 && ow[zoomed] > 0)
			text += "; " + (100 * Math.min(ow[i], ow[zoomed]) / ow[zoomed]).toFixed(2) + "% of zoom";
		details.textContent = text;
	});
	box.addEventListener("mouseout", function () {
		details.textContent = " ";
	});
	unzoomBtn.addEventListener("click", unzoom);
	searchBtn.addEventListener("click", function () {
		term ? search("") : ask();
	});
	window.addEventListener("keydown", function (e) {
		if (e.key === "F3" || ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F"))) {
			e.preventDefault();
			ask();
		} else if (e.key === "Escape") {
			search("");
			unzoom();
		}
	});
	window.frec = { zoom: zoom, unzoom: unzoom, search: search, frames: n };
	load();
})();
