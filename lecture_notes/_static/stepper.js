/*
 * The backward-pass stepper of grad.viz.show_backward on the notes site, in plain JavaScript.
 *
 * A stored stepper output is a <div class="grad-backward-pass"> holding one <figure> per step
 * (caption and graph), all visible: that is what a reader without JavaScript sees. This script turns
 * each such block into one frame at a time, with a slider and Previous/Next buttons above it; the
 * arrow keys, Home and End work on the controls (only there, and never with Alt, Ctrl or Meta held,
 * which are the browser's own shortcuts, like Alt+Left for Back). The captions are the notebook's own
 * figcaptions. No kernel is needed: every frame is already in the page. A block of one frame is left
 * as it is, and a printed page shows every frame.
 */
(function () {
  "use strict";

  function button(text, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    return b;
  }

  // Scroll a graph's box so that the frame's focus is in view, if it is not already. The focus
  // ("from to", fractions of the picture's width, from grad.viz) spans the node being processed and
  // the nodes it sends gradient to. If it is wider than the box, its left end is shown: drawn left to
  // right, the nodes that receive gradient come first, with their labels at their left edge, and the
  // step is about them (the node being processed was in view at the step before).
  function reveal(box, focus) {
    const parts = (focus || "").split(" ").map(Number);
    if (parts.length !== 2 || parts.some(Number.isNaN) || box.scrollWidth <= box.clientWidth) return;
    const from = parts[0] * box.scrollWidth, to = parts[1] * box.scrollWidth;
    const left = box.scrollLeft, right = left + box.clientWidth;
    if (from >= left && to <= right) return;
    box.scrollLeft = to - from <= box.clientWidth
      ? (from + to - box.clientWidth) / 2
      : from - 16;
  }

  function enhance(block, index) {
    if (block.dataset.gradStepper === "on") return;
    const figures = Array.from(block.children).filter((el) => el.tagName === "FIGURE");
    if (figures.length < 2) return;
    const n = figures.length;
    block.dataset.gradStepper = "on";
    // Without a script a frame's box starts at the picture's right end, cut a little past the node being
    // processed when that is in the middle (grad.viz, for JupyterLab); here reveal() scrolls instead.
    block.querySelectorAll(".grad-graph").forEach((box) => {
      box.style.direction = "ltr";
    });
    block.querySelectorAll(".grad-graph-crop").forEach((crop) => {
      crop.style.width = "auto";
      crop.style.overflow = "visible";
    });
    block.setAttribute("role", "group");
    block.setAttribute("aria-label", "Backward pass, one step at a time");

    const controls = document.createElement("div");
    controls.className = "grad-stepper-controls";
    const prev = button("\u2039 Previous", "previous step");
    const next = button("Next \u203a", "next step");
    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = "1";
    slider.max = String(n);
    slider.step = "1";
    slider.value = "1";
    slider.id = "grad-stepper-" + (index + 1);
    slider.setAttribute("aria-label", "step of the backward pass");
    const status = document.createElement("output");
    status.setAttribute("for", slider.id);
    status.setAttribute("aria-live", "polite");
    controls.append(prev, slider, next, status);
    block.insertBefore(controls, figures[0]);

    let current = 0;
    function show(k) {
      k = Math.max(1, Math.min(n, k));
      const before = figures[current].querySelector(".grad-graph");
      const scroll = before ? before.scrollLeft : 0;
      figures.forEach((figure, i) => {
        figure.hidden = i !== k - 1;
      });
      current = k - 1;
      const after = figures[current].querySelector(".grad-graph");
      if (after) {
        after.scrollLeft = scroll; // the same part of the graph stays in view,
        reveal(after, figures[current].dataset.focus); // unless this step happens elsewhere
      }
      slider.value = String(k);
      slider.setAttribute("aria-valuetext", "step " + k + " of " + n);
      status.textContent = "step " + k + " of " + n;
      prev.disabled = k === 1;
      next.disabled = k === n;
    }

    slider.addEventListener("input", () => show(Number(slider.value)));
    prev.addEventListener("click", () => {
      show(current);
      if (prev.disabled) next.focus(); // a disabled button cannot keep the focus
    });
    next.addEventListener("click", () => {
      show(current + 2);
      if (next.disabled) prev.focus();
    });
    controls.addEventListener("keydown", (event) => {
      if (event.target === slider) return; // the slider handles its own keys
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      const moves = {ArrowLeft: current, ArrowRight: current + 2, Home: 1, End: n};
      if (Object.prototype.hasOwnProperty.call(moves, event.key)) {
        event.preventDefault();
        show(moves[event.key]);
        // a button that this disabled (Next at the end, Previous at the start) cannot keep the focus
        if (event.target.disabled) slider.focus();
      }
    });
    show(1);
  }

  function enhanceAll() {
    document.querySelectorAll(".grad-backward-pass").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
