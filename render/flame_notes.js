// SPDX-License-Identifier: MIT
// The flame graph's panel of findings (render/flame_notes.c): a click on a finding outlines its
// frames and zooms to the frame that holds them all; a second click clears it.  Runs after
// render/flame.js, whose window.frec it drives.  Embedded by render/flame.c.
(function () {
	"use strict";
	var panel = document.getElementById("notes"), frames = document.getElementById("frames").children;
	var lit = [], active = null;

	if (!panel || !window.frec)
		return;
	function clear() {
		for (var i = 0; i < lit.length; i++)
			frames[lit[i]].children[1].removeAttribute("class");
		lit = [];
		if (active)
			active.setAttribute("class", "note");
		active = null;
	}
	function show(note) {
		var ids = note.getAttribute("data-frames").split(" "), zoom = +note.getAttribute("data-zoom");
		clear();
		for (var i = 0; i < ids.length; i++) {
			var k = +ids[i];
			if (ids[i] !== "" && k >= 0 && k < frames.length) {
				frames[k].children[1].setAttribute("class", "lit");
				lit.push(k);
			}
		}
		active = note;
		note.setAttribute("class", "note on");
		if (zoom > 0)
			window.frec.zoom(zoom);
		else
			window.frec.unzoom();
	}
	panel.addEventListener("click", function (e) {
		var t = e.target;
		if (!t.getAttribute || t.getAttribute("data-frames") === null)
			return;
		if (t === active) {
			clear();
			window.frec.unzoom();
		} else {
			show(t);
		}
	});
	window.frec.notes = { lit: function () { return lit.length; } };
})();
