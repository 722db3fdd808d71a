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
	var zoomed = -1, term = "", spans = [];
	// Per frame: its class ("" or, while zoomed, "v" for a frame shown and "v a" for an ancestor of
	// the zoomed frame, shown faded), whether the search matches it, and whether zooming moved it.
	// While zoomed the frames box has class "z", which hides every frame but the "v" ones, so the
	// DOM is only written for the frames that show and where state changes: zooming a graph of
	// 100k frames costs what the zoomed part holds.
	var cls = [], hit = new Uint8Array(n), moved = new Uint8Array(n);

	for (var i = 0; i < n; i++) {
		var r = frames[i].children[1];
		ox[i] = +r.getAttribute("x");
		ow[i] = +r.getAttribute("width");
		oy[i] = +r.getAttribute("y");
		frames[i].frecIndex = i;
		cls[i] = "";
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
		var g = frames[i], t = g.children[2], fit = Math.floor((w - 6) / CW), s;
		if (fit < 3) {
			if (t)
				t.textContent = "";
			return;
		}
		s = name(i);
		if (s.length > fit)
			s = shorten(s);
		if (!t) {
			t = document.createElementNS(NS, "text");
			g.appendChild(t);
		}
		t.setAttribute("x", (x + 3).toFixed(2));
		t.setAttribute("y", (oy[i] + 11).toFixed(2));
		t.textContent = s.length <= fit ? s : s.slice(0, fit - 2) + "..";
	}
	function setClass(i, c) {
		if (cls[i] === c)
			return;
		cls[i] = c;
		frames[i].setAttribute("class", c + (hit[i] ? " m" : ""));
	}
	function setHit(i, h) {
		if (hit[i] === h)
			return;
		hit[i] = h;
		frames[i].setAttribute("class", cls[i] + (h ? " m" : ""));
	}
	function place(i, x, w, c) {
		var r = frames[i].children[1];
		setClass(i, c);
		if (c === "")
			return;
		r.setAttribute("x", x.toFixed(2));
		r.setAttribute("width", w.toFixed(2));
		label(i, x, w);
		moved[i] = 1;
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
				place(i, PAD, W - 2 * PAD, "v a");
			else if (!below && inside)
				place(i, PAD + (ox[i] - x0) * scale, ow[i] * scale, "v");
			else
				setClass(i, "");
		}
		box.setAttribute("class", "z");
		zoomed = z;
		unzoomBtn.setAttribute("class", "btn");
		showMatched();
		save();
	}
	function unzoom() {
		box.removeAttribute("class");
		for (var i = 0; i < n; i++) {
			setClass(i, "");
			if (moved[i]) {
				frames[i].children[1].setAttribute("x", ox[i].toFixed(2));
				frames[i].children[1].setAttribute("width", ow[i].toFixed(2));
				label(i, ox[i], ow[i]);
				moved[i] = 0;
			}
		}
		zoomed = -1;
		unzoomBtn.setAttribute("class", "btn hide");
		showMatched();
		save();
	}

	// Highlight frames whose name matches; the matched share counts nested matches once.
	function search(t) {
		var re;
		if (!t) {
			term = "";
			spans = [];
			for (var i = 0; i < n; i++)
				setHit(i, 0);
			showMatched();
			save();
			return;
		}
		try {
			re = new RegExp(t);
		} catch (e) {
			matched.textContent = "invalid regular expression: " + t;
			return;
		}
		term = t;
		spans = [];
		for (var j = 0; j < n; j++) {
			var h = re.test(name(j)) ? 1 : 0;
			setHit(j, h);
			if (h)
				spans.push([ox[j], ox[j] + ow[j]]);
		}
		spans.sort(function (a, b) { return a[0] - b[0]; });
		showMatched();
		save();
	}
	function showMatched() {
		if (!term) {
			matched.textContent = " ";
			matched.removeAttribute("data-pct");
			searchBtn.textContent = "Search";
			return;
		}
		var pct = share(spans, ox[0], ox[0] + ow[0]), text = "Matched: " + pct.toFixed(2) + "%";
		if (zoomed >= 0)
			text += " (" + share(spans, ox[zoomed], ox[zoomed] + ow[zoomed]).toFixed(2) + "% of zoom)";
		matched.textContent = text + " for /" + term + "/";
		matched.setAttribute("data-pct", pct.toFixed(2));
		searchBtn.textContent = "Reset search";
	}
	// The part of [lo, hi] that the spans (sorted by their start) cover, in percent.
	function share(spans, lo, hi) {
		var sum = 0, end = -Infinity;
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
			search(kv.s);
		if (kv.x !== undefined && kv.y !== undefined) {
			for (var j = 0; j < n; j++)
				if (Math.abs(ox[j] - kv.x) < 0.006 && Math.abs(oy[j] - kv.y) < 0.006)
					return zoom(j);
		}
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
