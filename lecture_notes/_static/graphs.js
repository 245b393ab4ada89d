/*
 * Wide computation graphs on the notes site (a <div class="grad-graph"> box holding the picture at its
 * natural size, which scrolls sideways). Phones and macOS hide scrollbars, so a box that has more to
 * show on a side fades out on that side (classes grad-more-left / grad-more-right, notes.css), and a
 * button above a graph wider than its box switches between "Fit to width" and "Actual size". In a
 * backward-pass stepper the button switches every frame of the stepper at once, so stepping keeps the
 * choice. Without JavaScript the boxes scroll as before.
 */
(function () {
  "use strict";

  // How far a box is scrolled from its left end (a right-to-left box counts from its right end).
  function fromLeft(box) {
    const more = box.scrollWidth - box.clientWidth;
    return getComputedStyle(box).direction === "rtl" ? more + box.scrollLeft : box.scrollLeft;
  }

  function fade(box) {
    const more = box.scrollWidth - box.clientWidth;
    const left = fromLeft(box);
    box.classList.toggle("grad-more-left", more > 1 && left > 1);
    box.classList.toggle("grad-more-right", more > 1 && left < more - 1);
  }

  function group(box) {
    const block = box.closest(".grad-backward-pass");
    return block ? Array.from(block.querySelectorAll(".grad-graph")) : [box];
  }

  function toggleOf(box) {
    const before = box.previousElementSibling;
    return before && before.classList.contains("grad-graph-toggle") ? before : null;
  }

  function update(box) {
    const img = box.querySelector("img");
    const button = toggleOf(box);
    if (!img || !button) return;
    const fit = box.classList.contains("grad-graph-fit");
    // a graph that fits at its natural size needs no button (a hidden stepper frame keeps its own)
    const wide = img.naturalWidth > box.clientWidth + 1 || box.clientWidth === 0;
    button.hidden = !fit && !wide;
    button.textContent = fit ? "Actual size" : "Fit to width";
    button.setAttribute("aria-pressed", String(fit));
    fade(box);
  }

  function setFit(boxes, fit) {
    boxes.forEach((box) => box.classList.toggle("grad-graph-fit", fit));
    boxes.forEach(update);
  }

  function enhance(box) {
    if (box.dataset.gradGraph === "on" || !box.querySelector("img")) return;
    box.dataset.gradGraph = "on";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "grad-graph-toggle";
    button.title = "Show the whole graph in the column, or at its natural size (it scrolls sideways)";
    box.parentNode.insertBefore(button, box);
    button.addEventListener("click", () => setFit(group(box), !box.classList.contains("grad-graph-fit")));
    box.addEventListener("scroll", () => fade(box), {passive: true});
    const img = box.querySelector("img");
    if (!img.complete) img.addEventListener("load", () => update(box));
    if (window.ResizeObserver) new ResizeObserver(() => update(box)).observe(box); // shown, resized
    update(box);
  }

  // loaded with defer (conf.py), after stepper.js: the page is parsed and the steppers are set up
  document.querySelectorAll(".grad-graph").forEach(enhance);
})();
