// SPDX-License-Identifier: MIT
// frec flame graph interaction, embedded by render/flame.c: zoom, search, details, views (callers,
// focus, hide, collapsed recursion, merged JIT tiers, legend classes), width that follows the
// window, URL state.  Every frame is a <g> holding <title> (first line: the full name; last line
// of a plain graph: its weights), <rect> and an optional <text>.  Names are only ever read from
// the DOM and written back with textContent.
(function () {
	"use strict";
	var NS = "http://www.w3.org/2000/svg", CW = 7.3, EPS = 0.02, FH = 16, LH = 14;
	var svg = document.documentElement, cfg = svg.getAttribute("data-frec").split(" ");
	var W0 = +cfg[0], PAD = +cfg[1], ICICLE = cfg[2] === "1", DIFF = cfg[3] === "1";
	var TOP = +cfg[4] || 60, BOTTOM = +cfg[5] || 48, H0 = +svg.getAttribute("height"), H = H0, W = W0;
	var $ = function (id) { return document.getElementById(id); };
	var details = $("details"), matched = $("matched"), help = $("help"), notes = $("notes");
	var unzoomBtn = $("unzoom"), searchBtn = $("search"), caseBtn = $("case");
	var term = "", sensitive = false, spans = [], hits = [], cur = -1, hover = -1, menu = null;
	// The view: which transformation of the graph is shown (see buildView()); "back" pops it.
	var V = blank(), past = [], M = null, dimmed = {}, keys = {};
	var KEYHELP = "Keys: click zoom \u00b7 Ctrl-F search \u00b7 n/N next/previous match \u00b7 i case \u00b7 " +
		"c callers \u00b7 f focus \u00b7 h hide \u00b7 r recursion \u00b7 t JIT tiers \u00b7 right-click menu \u00b7 Esc back";

	// A layer is a set of frames drawn in one <g>: the graph as written (the base), or a view the
	// script built.  Coordinates are in the units of the document as written (W0 wide); k maps
	// them to the window's width.  Per frame: its class ("" or, while zoomed, "v" for a frame shown
	// and "v a" for an ancestor of the zoomed frame, shown faded), whether the search matches it,
	// and whether its rectangle moved.  While zoomed the box has class "z", which hides every frame
	// but the "v" ones, so the DOM is only written where state changes.
	function layer(box, ox, ow, oy, grow) {
		var n = box.children.length;
		return { box: box, frames: box.children, n: n, ox: ox, ow: ow, oy: oy, grow: grow, names: [],
			 cls: new Array(n).fill(""), hit: new Uint8Array(n), moved: new Uint8Array(n),
			 kind: null, zoomed: -1 };
	}
	var base = (function () {
		var box = $("frames"), f = box.children, n = f.length;
		var ox = new Float64Array(n), ow = new Float64Array(n), oy = new Float64Array(n);
		for (var i = 0; i < n; i++) {
			var r = f[i].children[1];
			ox[i] = +r.getAttribute("x");
			ow[i] = +r.getAttribute("width");
			oy[i] = +r.getAttribute("y");
			f[i].frecIndex = i;
		}
		return layer(box, ox, ow, oy, null);
	})();
	var L = base;

	function blank() {
		return { callers: "", focus: "", hide: [], hideCls: [], rec: false, tiers: false };
	}
	function name(i) {
		if (L.names[i] === undefined)
			L.names[i] = L.frames[i].children[0].textContent.split("\n")[0];
		return L.names[i];
	}
	function lines(i) { return L.frames[i].children[0].textContent.split("\n"); }
	function k() { return (W - 2 * PAD) / (W0 - 2 * PAD); }
	function X(x) { return PAD + (x - PAD) * k(); }
	// A frame's growth: +1 when its children are drawn below it (icicle, callers), -1 above.
	function grow(i) { return L.grow ? L.grow[i] : ICICLE ? 1 : -1; }

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
		var g = L.frames[i], t = g.children[2], fit = Math.floor((w - 6) / CW), s;
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
		t.setAttribute("y", (L.oy[i] + 11).toFixed(2));
		t.textContent = s.length <= fit ? s : s.slice(0, fit - 2) + "..";
	}
	function paint(i) {
		var c = L.cls[i] + (L.hit[i] ? " m" : "") + (i === cur ? " cur" : "") + (L.kind && dimmed[L.kind[i]] ? " d" : "");
		if (c)
			L.frames[i].setAttribute("class", c);
		else
			L.frames[i].removeAttribute("class");
	}
	function setClass(i, c) {
		if (L.cls[i] === c)
			return;
		L.cls[i] = c;
		paint(i);
	}
	function place(i, x, w, c) {
		var r = L.frames[i].children[1];
		setClass(i, c);
		if (c === "")
			return;
		r.setAttribute("x", x.toFixed(2));
		r.setAttribute("width", w.toFixed(2));
		label(i, x, w);
		L.moved[i] = 1;
	}
	// Every frame where it belongs unzoomed: as written when the window is as wide as the document.
	function home() {
		var same = Math.abs(W - W0) < 0.5;
		for (var i = 0; i < L.n; i++) {
			setClass(i, "");
			if (L.moved[i] || !same) {
				var x = X(L.ox[i]), w = L.ow[i] * k();
				L.frames[i].children[1].setAttribute("x", x.toFixed(2));
				L.frames[i].children[1].setAttribute("width", w.toFixed(2));
				label(i, x, w);
				L.moved[i] = same ? 0 : 1;
			}
		}
	}
	function frameOf(e) {
		for (var el = e.target; el && el !== svg; el = el.parentNode)
			if (el.frecIndex !== undefined && el.parentNode === L.box)
				return el.frecIndex;
		return -1;
	}

	function zoom(z) {
		var x0 = L.ox[z], w0 = L.ow[z], y0 = L.oy[z], gz = grow(z), scale = (W - 2 * PAD) / w0;
		if (!(w0 > 0))
			return;
		if (z === 0)
			return unzoom();
		for (var i = 0; i < L.n; i++) {
			var inside = L.ox[i] >= x0 - EPS && L.ox[i] + L.ow[i] <= x0 + w0 + EPS;
			var covers = L.ox[i] <= x0 + EPS && L.ox[i] + L.ow[i] >= x0 + w0 - EPS;
			var below = (L.oy[i] - y0) * gz < 0, same = i === 0 || grow(i) === gz;
			if (below && covers && same)
				place(i, PAD, W - 2 * PAD, "v a");
			else if (!below && inside && same)
				place(i, PAD + (L.ox[i] - x0) * scale, L.ow[i] * scale, "v");
			else
				setClass(i, "");
		}
		L.box.setAttribute("class", "z");
		L.zoomed = z;
		unzoomBtn.setAttribute("class", "btn");
		showMatched();
		save();
	}
	function unzoom() {
		L.box.removeAttribute("class");
		home();
		L.zoomed = -1;
		unzoomBtn.setAttribute("class", "btn hide");
		showMatched();
		save();
	}

	// ---- Search: highlight frames whose name matches; the matched share counts nested matches once.
	function search(t) {
		var re;
		setCur(-1);
		if (!t) {
			term = "";
			spans = [];
			hits = [];
			for (var i = 0; i < L.n; i++)
				setHit(i, 0);
			showMatched();
			save();
			return;
		}
		try {
			re = new RegExp(t, sensitive ? "" : "i");
		} catch (e) {
			matched.textContent = "invalid regular expression: " + t;
			return;
		}
		term = t;
		spans = [];
		hits = [];
		for (var j = 0; j < L.n; j++) {
			var h = re.test(name(j)) ? 1 : 0;
			setHit(j, h);
			if (h) {
				spans.push([L.ox[j], L.ox[j] + L.ow[j]]);
				hits.push(j);
			}
		}
		spans.sort(function (a, b) { return a[0] - b[0]; });
		showMatched();
		save();
	}
	function setHit(i, h) {
		if (L.hit[i] === h)
			return;
		L.hit[i] = h;
		paint(i);
	}
	function setCur(c) {
		var old = cur;
		cur = c;
		if (old >= 0 && old < L.n)
			paint(old);
		if (c >= 0)
			paint(c);
	}
	// n / N: the next or previous match in drawing order (callers before callees), zoomed to.
	function step(d) {
		if (!hits.length)
			return;
		var at = hits.indexOf(cur), next = hits[((at < 0 ? (d > 0 ? -1 : 0) : at) + d + hits.length) % hits.length];
		zoom(next);
		setCur(next);
		showMatched();
		show(next);
	}
	function showMatched() {
		if (!term) {
			matched.textContent = " ";
			matched.removeAttribute("data-pct");
			searchBtn.textContent = "Search";
			return;
		}
		var pct = share(spans, L.ox[0], L.ox[0] + L.ow[0]), z = L.zoomed;
		var text = "Matched: " + pct.toFixed(2) + "%";
		if (z >= 0)
			text += " (" + share(spans, L.ox[z], L.ox[z] + L.ow[z]).toFixed(2) + "% of zoom)";
		text += " for /" + term + "/" + (sensitive ? "" : "i");
		if (cur >= 0 && hits.indexOf(cur) >= 0)
			text += ", " + (hits.indexOf(cur) + 1) + " of " + hits.length;
		matched.textContent = text;
		matched.setAttribute("data-pct", pct.toFixed(2));
		searchBtn.textContent = "Reset search";
	}
	// The part of [lo, hi] that the spans (sorted by their start) cover, in percent.
	function share(s, lo, hi) {
		var sum = 0, end = -Infinity;
		for (var q = 0; q < s.length; q++) {
			var a = Math.max(s[q][0], lo, end), b = Math.min(s[q][1], hi);
			if (b > a)
				sum += b - a;
			end = Math.max(end, s[q][1]);
		}
		return hi > lo ? Math.min(100, 100 * sum / (hi - lo)) : 0;
	}
	function ask() {
		var t = window.prompt("Search for functions (regular expression" + (sensitive ? ", case-sensitive" : "") + "):", term);
		if (t !== null)
			search(t);
	}
	function setSensitive(s) {
		sensitive = s;
		caseBtn.setAttribute("class", "btn" + (s ? " on" : ""));
		search(term);
	}

	// ---- The details line: one line when it fits, else wrapped lines in a box over the frames.
	function show(i) {
		var ls = lines(i), z = L.zoomed;
		if (z >= 0 && L.ow[z] > 0)
			ls.push((100 * Math.min(L.ow[i], L.ow[z]) / L.ow[z]).toFixed(2) + "% of zoom");
		setDetails(ls);
	}
	function setDetails(ls) {
		var text = ls.join("; "), room = Math.floor((W - 2 * PAD) / CW), box = $("detailsbox");
		while (details.firstChild)
			details.removeChild(details.firstChild);
		if (box)
			box.parentNode.removeChild(box);
		setHeight(H);
		if (text.length <= room) {
			details.textContent = text;
			return;
		}
		var rows = [];
		for (var q = 0; q < ls.length; q++) {
			var s = ls[q];
			do {
				rows.push(s.slice(0, room));
				s = s.slice(room);
			} while (s.length);
		}
		var y = +details.getAttribute("y"), top = y - (rows.length - 1) * LH - 13;
		if (top < 4) {
			setHeight(H + 4 - top);
			y = +details.getAttribute("y");
			top = y - (rows.length - 1) * LH - 13;
		}
		box = document.createElementNS(NS, "rect");
		box.setAttribute("id", "detailsbox");
		box.setAttribute("x", PAD - 4);
		box.setAttribute("y", top);
		box.setAttribute("width", W - 2 * PAD + 8);
		box.setAttribute("height", (rows.length - 1) * LH + 18);
		details.parentNode.insertBefore(box, details);
		for (var r = 0; r < rows.length; r++) {
			var ts = document.createElementNS(NS, "tspan");
			ts.setAttribute("x", PAD);
			ts.setAttribute("y", y - (rows.length - 1 - r) * LH);
			ts.textContent = rows[r];
			details.appendChild(ts);
		}
	}
	// The document's height, with the lines under the frames (details, matched, help) at its foot.
	function setHeight(h) {
		if (h === +svg.getAttribute("height"))
			return;
		svg.setAttribute("height", h);
		svg.setAttribute("viewBox", "0 0 " + W + " " + h);
		details.setAttribute("y", h - BOTTOM + 22);
		matched.setAttribute("y", h - BOTTOM + 22);
		help.setAttribute("y", h - BOTTOM + 40);
	}
	// The width of the window, when the document is shown in one; the graph is laid out anew.
	function fit() {
		svg.setAttribute("width", "100%");
		var w = Math.round(svg.getBoundingClientRect().width);
		if (!(w > 2 * PAD + 100))
			w = W0;
		if (w === W) {
			svg.setAttribute("width", W);
			return;
		}
		W = w;
		svg.setAttribute("width", W);
		svg.setAttribute("viewBox", "0 0 " + W + " " + svg.getAttribute("height"));
		$("title").setAttribute("x", W / 2);
		$("subtitle").setAttribute("x", W / 2);
		searchBtn.setAttribute("x", W - PAD);
		caseBtn.setAttribute("x", W - PAD - 100);
		matched.setAttribute("x", W - PAD);
		if (L.zoomed >= 0)
			zoom(L.zoomed);
		else
			home();
	}

	// ---- Views: a tree model of the base graph, transformed and drawn as a new layer.
	// Per base frame: parent, first child and next sibling, total and self weight (exact for a
	// plain graph, from its tooltip; the widths for a diff) and the weight of children too narrow
	// to draw ("gap"), and its class (from the tooltip's kind line).
	function model() {
		if (M)
			return M;
		var n = base.n, par = new Int32Array(n), first = new Int32Array(n).fill(-1), next = new Int32Array(n).fill(-1);
		var last = new Int32Array(n).fill(-1), tot = new Float64Array(n), self = new Float64Array(n);
		var gap = new Float64Array(n), kind = [], stack = [], unit = "samples", save = L;
		L = base;
		for (var i = 0; i < n; i++) {
			var d = Math.round(Math.abs(base.oy[i] - base.oy[0]) / FH), ls = lines(i);
			stack[d] = i;
			par[i] = d ? stack[d - 1] : -1;
			if (par[i] >= 0) {
				if (last[par[i]] < 0)
					first[par[i]] = i;
				else
					next[last[par[i]]] = i;
				last[par[i]] = i;
			}
			var m = DIFF ? null : /^([\d,]+) (\S+) \(.*\), self ([\d,]+)/.exec(ls[ls.length - 1]);
			tot[i] = m ? +m[1].replace(/,/g, "") : base.ow[i];
			self[i] = m ? +m[3].replace(/,/g, "") : 0;
			if (m && i === 0)
				unit = m[2];
			kind[i] = kindOf(ls);
		}
		for (i = n - 1; i >= 0; i--) {
			var sum = 0;
			for (var c = first[i]; c >= 0; c = next[c])
				sum += tot[c];
			if (DIFF)
				self[i] = Math.max(0, tot[i] - sum);
			else
				gap[i] = Math.max(0, tot[i] - self[i] - sum);
		}
		base.kind = kind;
		L = save;
		M = { par: par, first: first, next: next, tot: tot, self: self, gap: gap, kind: kind, unit: unit };
		return M;
	}
	// The legend's word: the tooltip's "[off CPU]" is the key "off CPU" (words with blanks), "[JIT,
	// optimised]" the key "JIT", "[no symbol]" the key "unknown".
	function kindOf(ls) {
		for (var q = ls.length - 1; q > 0; q--) {
			var m = /^\[([^\],]+)/.exec(ls[q]);
			if (m)
				return m[1] === "no symbol" ? "unknown" : /^thread\b/.test(m[1]) ? "process" : m[1];
		}
		return "program";
	}
	// V8 marks a JIT function's tier before its name: "JS:*f" (optimised), "~" interpreted, "^"
	// baseline, "+" Maglev.  Merged, they are one frame.
	function key(i) {
		var s = base.names[i];
		if (s === undefined)
			s = base.names[i] = base.frames[i].children[0].textContent.split("\n")[0];
		return V.tiers && M.kind[i] === "JIT" ? s.replace(/^(\w+:)[*~^+]/, "$1") : s;
	}
	function node(nm, rep) { return { name: nm, rep: rep, self: 0, gap: 0, tot: 0, kids: {}, list: [] }; }
	function kid(p, nm, rep) {
		var c = p.kids[nm];
		if (!c) {
			c = p.kids[nm] = node(nm, rep);
			p.list.push(c);
		}
		return c;
	}
	function hidden(i) {
		return V.hide.indexOf(key(i)) >= 0 || V.hideCls.indexOf(M.kind[i]) >= 0;
	}
	// Add base frame @i's subtree under @o: hidden frames give their weight to the frame above,
	// collapsed recursion merges a frame into its caller of the same name, and with a focus only
	// the part of stacks through the focused function counts (@inside: an ancestor is it).
	function merge(i, o, inside, through) {
		for (var c = M.first[i]; c >= 0; c = M.next[c]) {
			var nm = key(c), inC = inside || nm === V.focus;
			if (!inC && !through[c])
				continue;
			var t = o;
			if (!hidden(c) && !(V.rec && nm === o.name))
				t = kid(o, nm, c);
			if (inC) {
				t.self += M.self[c];
				t.gap += M.gap[c];
			}
			merge(c, t, inC, through);
		}
	}
	// Per base frame, whether stacks through the focused function pass it (all do without a focus).
	function throughFocus() {
		var n = base.n, t = new Uint8Array(n);
		for (var i = n - 1; i >= 0; i--) {
			if (!V.focus || key(i) === V.focus)
				t[i] = 1;
			if (t[i] && M.par[i] >= 0)
				t[M.par[i]] = 1;
		}
		return t;
	}
	// The callers view of V.callers: its outermost calls merged into one frame, their callees above
	// it and their callers below it, inverted (in an icicle graph the other way round).
	function sandwich(through) {
		var f = V.callers, mid = null, up = node("", 0), n = base.n, inF = new Uint8Array(n);
		for (var i = 0; i < n; i++) {
			var p = M.par[i];
			inF[i] = p >= 0 && (inF[p] || key(p) === f) ? 1 : 0;
			if (key(i) !== f || inF[i] || !through[i] || hidden(i))
				continue;
			if (!mid)
				mid = node(f, i);
			mid.self += M.self[i];
			mid.gap += M.gap[i];
			merge(i, mid, true, through);
			// the callers, innermost first, each with this call's weight
			var o = up;
			for (var a = p; a > 0; a = M.par[a]) {
				if (hidden(a) || (V.rec && key(a) === o.name))
					continue;
				o = kid(o, key(a), a);
			}
			o.self += M.tot[i];
		}
		return mid ? { mid: mid, up: up } : null;
	}
	function totals(o) {
		o.tot = o.self + o.gap;
		for (var q = 0; q < o.list.length; q++)
			o.tot += totals(o.list[q]);
		o.list.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
		return o.tot;
	}
	function empty() {
		return !V.callers && !V.focus && !V.hide.length && !V.hideCls.length && !V.rec && !V.tiers;
	}
	// Draw the view V as a new layer (or go back to the base for an empty view).
	function buildView() {
		var old = $("view"), root, sw = null, through;
		if (old)
			old.parentNode.removeChild(old);
		base.box.style.display = "";
		if (notes)
			notes.style.display = "";
		L = base;
		base.box.removeAttribute("class");
		base.zoomed = -1;
		home();
		if (empty()) {
			H = H0;
			setHeight(H0);
			return;
		}
		model();
		through = throughFocus();
		if (V.callers) {
			sw = sandwich(through);
			if (!sw) {
				V.callers = "";
				return buildView();
			}
			root = sw.mid;
			totals(sw.up);
		} else {
			root = node("all", 0);
			if (!V.focus) {
				root.self = M.self[0];
				root.gap = M.gap[0];
			}
			merge(0, root, !V.focus, through);
		}
		var scale = totals(root) > 0 ? (W0 - 2 * PAD) / root.tot : 0, out = [], depth = [0, 0];
		// pre-order: the middle (or root) frame, then its callees, then its callers
		(function walk(o, x, d, g) {
			if (o.tot * scale < 0.1 && out.length)
				return;
			out.push({ o: o, x: x, w: o.tot * scale, d: d, g: g });
			depth[0] = Math.max(depth[0], d);
			for (var q = 0; q < o.list.length; q++) {
				walk(o.list[q], x, d + 1, g);
				x += o.list[q].tot * scale;
			}
		})(root, PAD, 0, ICICLE ? 1 : -1);
		if (sw) {
			var x = PAD;
			for (var q = 0; q < sw.up.list.length; q++) {
				(function walk(o, x, d) {
					if (o.tot * scale < 0.1)
						return;
					out.push({ o: o, x: x, w: o.tot * scale, d: d, g: ICICLE ? -1 : 1 });
					depth[1] = Math.max(depth[1], d);
					for (var r = 0; r < o.list.length; r++) {
						walk(o.list[r], x, d + 1);
						x += o.list[r].tot * scale;
					}
				})(sw.up.list[q], x, 1);
				x += sw.up.list[q].tot * scale;
			}
		}
		// rows: the root's (or the middle frame's) row, frames growing up from it and down from it
		var rowMid = TOP + (ICICLE ? (sw ? depth[1] : 0) : depth[0]) * FH;
		H = TOP + (depth[0] + (sw ? depth[1] : 0) + 1) * FH + BOTTOM;
		draw(out, rowMid);
	}
	function draw(out, rowMid) {
		var box = document.createElementNS(NS, "g"), n = out.length;
		var ox = new Float64Array(n), ow = new Float64Array(n), oy = new Float64Array(n), g = new Int8Array(n);
		var unit = M.unit, all = out[0].o.tot, kind = [];
		box.setAttribute("id", "view");
		for (var i = 0; i < n; i++) {
			var e = out[i], o = e.o, fr = document.createElementNS(NS, "g"), t = document.createElementNS(NS, "title");
			var r = document.createElementNS(NS, "rect"), rep = base.frames[o.rep], info;
			ox[i] = e.x;
			ow[i] = e.w;
			oy[i] = rowMid + e.g * e.d * FH;
			g[i] = e.g;
			kind[i] = M.kind[o.rep];
			L = base;
			info = o.rep ? lines(o.rep).slice(1, DIFF ? undefined : -1).filter(function (s) {
				return /^(module|source): |^\[/.test(s);
			}) : [];
			t.textContent = [o.name].concat(info, weights(o, unit, all)).join("\n");
			r.setAttribute("x", X(e.x).toFixed(2));
			r.setAttribute("y", oy[i].toFixed(2));
			r.setAttribute("width", (e.w * k()).toFixed(2));
			r.setAttribute("height", "15");
			r.setAttribute("fill", rep.children[1].getAttribute("fill"));
			fr.appendChild(t);
			fr.appendChild(r);
			fr.frecIndex = i;
			box.appendChild(fr);
		}
		base.box.parentNode.insertBefore(box, base.box.nextSibling);
		base.box.style.display = "none";
		if (notes)
			notes.style.display = "none";
		L = layer(box, ox, ow, oy, g);
		L.kind = kind;
		setHeight(H);
		for (i = 0; i < n; i++) {
			label(i, X(ox[i]), ow[i] * k());
			L.moved[i] = Math.abs(W - W0) < 0.5 ? 0 : 1;
			paint(i);
		}
	}
	function group(v) { return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
	function weights(o, unit, all) {
		var pct = function (v) { return (all > 0 ? 100 * v / all : 0).toFixed(2) + "%"; };
		if (DIFF)
			return pct(o.tot) + " of this view, self " + pct(o.self);
		return group(o.tot) + " " + (o.tot === 1 && unit === "samples" ? "sample" : unit) + " (" + pct(o.tot) +
			"), self " + group(o.self) + " (" + pct(o.self) + ")";
	}
	function setView(change) {
		past.push(JSON.stringify(V));
		change(V);
		apply();
	}
	function apply() {
		var t = term;
		hover = -1;
		closeMenu();
		setCur(-1);
		buildView();
		unzoomBtn.setAttribute("class", "btn hide");
		hits = [];
		spans = [];
		search(t);
		setDetails([" "]);
		status();
		save();
	}
	function back() {
		if (!past.length && empty())
			return false;
		V = past.length ? JSON.parse(past.pop()) : blank();
		apply();
		return true;
	}
	function toggle(list, x) {
		var at = list.indexOf(x);
		if (at >= 0)
			list.splice(at, 1);
		else
			list.push(x);
	}
	function status() {
		var s = [];
		if (V.callers)
			s.push("callers and callees of " + V.callers);
		if (V.focus)
			s.push("only stacks through " + V.focus);
		if (V.hide.length)
			s.push("hidden: " + V.hide.join(", "));
		if (V.hideCls.length)
			s.push("hidden: " + V.hideCls.join(", ") + " frames");
		if (V.rec)
			s.push("recursion collapsed");
		if (V.tiers)
			s.push("JIT tiers merged");
		help.textContent = s.length ? "View: " + s.join("; ") + "  (Esc or click: back)" : KEYHELP;
		help.setAttribute("class", s.length ? "btn" : "");
		for (var w in keys)
			keys[w].setAttribute("class", "key" + (V.hideCls.indexOf(w) >= 0 ? " off" : dimmed[w] ? " dim" : ""));
	}
	// Legend keys: a click dims the frames of that class, a second hides them, a third shows them.
	function legend(word) {
		if (V.hideCls.indexOf(word) >= 0)
			return setView(function (v) { toggle(v.hideCls, word); });
		model();
		if (dimmed[word]) {
			delete dimmed[word];
			// undim the base graph too: shown again, its frames must not keep the dimmed class
			var was = L;
			L = base;
			for (var j = 0; j < L.n; j++)
				paint(j);
			L = was;
			return setView(function (v) { toggle(v.hideCls, word); });
		}
		dimmed[word] = 1;
		if (!L.kind)
			L.kind = base.kind;
		for (var i = 0; i < L.n; i++)
			paint(i);
		status();
		save();
	}

	// ---- The context menu: what the keys do, on the frame right-clicked.
	function openMenu(i, x, y) {
		var nm = name(i), items = [["Zoom", function () { zoom(i); }],
			["Callers of " + nm, function () { callers(i); }],
			["Focus on " + nm, function () { focus(i); }],
			["Hide " + nm, function () { hide(i); }]];
		closeMenu();
		menu = document.createElementNS(NS, "g");
		menu.setAttribute("id", "menu");
		var wide = 0;
		for (var q = 0; q < items.length; q++)
			wide = Math.max(wide, Math.min(items[q][0].length, 60));
		var bg = document.createElementNS(NS, "rect"), w = wide * CW + 16;
		x = Math.max(0, Math.min(x, W - w));
		bg.setAttribute("x", x);
		bg.setAttribute("y", y);
		bg.setAttribute("width", w);
		bg.setAttribute("height", items.length * 18 + 6);
		menu.appendChild(bg);
		items.forEach(function (it, n) {
			var t = document.createElementNS(NS, "text");
			t.setAttribute("x", x + 8);
			t.setAttribute("y", y + 17 + n * 18);
			t.setAttribute("class", "btn");
			t.textContent = it[0].length > 60 ? it[0].slice(0, 58) + ".." : it[0];
			t.addEventListener("click", function (e) {
				e.stopPropagation();
				closeMenu();
				it[1]();
			});
			menu.appendChild(t);
		});
		svg.appendChild(menu);
	}
	function closeMenu() {
		if (menu)
			menu.parentNode.removeChild(menu);
		menu = null;
	}
	function nameKey(i) {
		var nm = name(i);
		return V.tiers && L.kind && L.kind[i] === "JIT" ? nm.replace(/^(\w+:)[*~^+]/, "$1") : nm;
	}
	function callers(i) {
		var nm = nameKey(i);
		if (L.ow[i] > 0 && nm !== "all" && nm !== V.callers)
			setView(function (v) { v.callers = nm; });
	}
	function focus(i) {
		var nm = nameKey(i);
		if (nm !== "all")
			setView(function (v) { v.focus = nm; v.callers = ""; });
	}
	function hide(i) {
		var nm = nameKey(i);
		if (nm !== "all" && (!V.callers || nm !== V.callers))
			setView(function (v) { v.hide.push(nm); });
	}

	// ---- URL state: #x=LEFT&y=TOP (the zoomed frame's rectangle as written), s=REGEX, cs=1
	// (case-sensitive), c=FUNC (callers view), f=FUNC (focus), h=FUNC,FUNC (hidden), hk=CLASS,...
	// (hidden classes), dk=CLASS,... (dimmed classes), r=1 (recursion collapsed), t=1 (JIT tiers
	// merged).
	function save() {
		var h = [], enc = function (a) { return a.map(encodeURIComponent).join(","); }, dk = Object.keys(dimmed);
		if (V.callers)
			h.push("c=" + encodeURIComponent(V.callers));
		if (V.focus)
			h.push("f=" + encodeURIComponent(V.focus));
		if (V.hide.length)
			h.push("h=" + enc(V.hide));
		if (V.hideCls.length)
			h.push("hk=" + enc(V.hideCls));
		if (dk.length)
			h.push("dk=" + enc(dk));
		if (V.rec)
			h.push("r=1");
		if (V.tiers)
			h.push("t=1");
		if (L.zoomed >= 0)
			h.push("x=" + L.ox[L.zoomed].toFixed(2), "y=" + L.oy[L.zoomed].toFixed(2));
		if (term)
			h.push("s=" + encodeURIComponent(term));
		if (sensitive)
			h.push("cs=1");
		var url = location.href.split("#")[0] + (h.length ? "#" + h.join("&") : "");
		try {
			window.history.replaceState(null, "", url);
		} catch (e) {
			/* some viewers forbid it: the view still works, it just is not linkable */
		}
	}
	function load() {
		var kv = {}, parts = location.hash.slice(1).split("&");
		var list = function (s) { return s ? s.split(",").map(decodeURIComponent) : []; };
		for (var i = 0; i < parts.length; i++) {
			var eq = parts[i].indexOf("=");
			if (eq > 0)
				kv[parts[i].slice(0, eq)] = parts[i].slice(eq + 1);
		}
		try {
			V.callers = kv.c ? decodeURIComponent(kv.c) : "";
			V.focus = kv.f ? decodeURIComponent(kv.f) : "";
			V.hide = list(kv.h);
			V.hideCls = list(kv.hk);
			list(kv.dk).forEach(function (w) { dimmed[w] = 1; });
			V.rec = kv.r === "1";
			V.tiers = kv.t === "1";
			sensitive = kv.cs === "1";
			term = kv.s ? decodeURIComponent(kv.s) : "";
		} catch (e) {
			/* a malformed escape: start from the plain graph */
			V = blank();
			term = "";
		}
		caseBtn.setAttribute("class", "btn" + (sensitive ? " on" : ""));
		if (!empty() || Object.keys(dimmed).length) {
			model();
			buildView();
			for (var q = 0; q < L.n; q++)
				paint(q);
		}
		status();
		if (term)
			search(term);
		if (kv.x !== undefined && kv.y !== undefined) {
			for (var j = 0; j < L.n; j++)
				if (Math.abs(L.ox[j] - kv.x) < 0.006 && Math.abs(L.oy[j] - kv.y) < 0.006)
					return zoom(j);
		}
	}

	// ---- Events
	svg.addEventListener("click", function (e) {
		var i = frameOf(e);
		if (menu && !menu.contains(e.target))
			closeMenu();
		if (i >= 0)
			i === 0 ? unzoom() : zoom(i);
	});
	svg.addEventListener("contextmenu", function (e) {
		var i = frameOf(e), p;
		if (i < 0)
			return;
		e.preventDefault();
		p = svg.createSVGPoint ? svg.createSVGPoint() : null;
		if (p && svg.getScreenCTM()) {
			p.x = e.clientX;
			p.y = e.clientY;
			p = p.matrixTransform(svg.getScreenCTM().inverse());
		} else {
			p = { x: L.ox[i], y: L.oy[i] };
		}
		openMenu(i, p.x, p.y);
	});
	svg.addEventListener("mouseover", function (e) {
		var i = frameOf(e);
		if (i < 0)
			return;
		hover = i;
		show(i);
	});
	svg.addEventListener("mouseout", function (e) {
		if (frameOf(e) < 0)
			return;
		hover = -1;
		setDetails([" "]);
	});
	unzoomBtn.addEventListener("click", unzoom);
	searchBtn.addEventListener("click", function () {
		term ? search("") : ask();
	});
	caseBtn.addEventListener("click", function () { setSensitive(!sensitive); });
	help.addEventListener("click", function () {
		if (!empty())
			back();
	});
	var legendKeys = document.querySelectorAll("text.key");
	for (var q = 0; q < legendKeys.length; q++)
		(function (t) {
			var word = t.textContent, tip = document.createElementNS(NS, "title");
			keys[word] = t;
			tip.textContent = "click: dim the " + word + " frames, again: hide them, again: show them";
			t.appendChild(tip);
			t.addEventListener("click", function () { legend(word); });
		})(legendKeys[q]);
	window.addEventListener("keydown", function (e) {
		if (e.key === "F3" || ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F"))) {
			e.preventDefault();
			ask();
			return;
		}
		if (e.ctrlKey || e.metaKey || e.altKey)
			return;
		if (e.key === "Escape") {
			if (menu)
				closeMenu();
			else if (L.zoomed >= 0 || term) {
				search("");
				unzoom();
			} else {
				back();
			}
		} else if (e.key === "n" || e.key === "N") {
			step(e.key === "n" ? 1 : -1);
		} else if (e.key === "i") {
			setSensitive(!sensitive);
		} else if (e.key === "r") {
			setView(function (v) { v.rec = !v.rec; });
		} else if (e.key === "t") {
			setView(function (v) { v.tiers = !v.tiers; });
		} else if (hover >= 0 && (e.key === "c" || e.key === "f" || e.key === "h")) {
			({ c: callers, f: focus, h: hide })[e.key](hover);
		}
	});
	var pending = 0;
	window.addEventListener("resize", function () {
		clearTimeout(pending);
		pending = setTimeout(fit, 50);
	});
	window.frec = {
		zoom: function (i) {
			if (L !== base) {
				V = blank();
				past = [];
				apply();
			}
			zoom(i);
		},
		unzoom: unzoom, search: search, step: step, back: back, frames: base.n,
		view: function () { return { layer: L === base ? "base" : "view", frames: L.n, state: JSON.stringify(V) }; },
		callers: function (nm) { setView(function (v) { v.callers = nm; }); },
		focus: function (nm) { setView(function (v) { v.focus = nm; v.callers = ""; }); },
		hide: function (nm) { setView(function (v) { v.hide.push(nm); }); },
		set: function (change) { setView(change); }, legend: legend, width: function () { return W; }
	};
	help.textContent = KEYHELP;
	fit();
	load();
})();
