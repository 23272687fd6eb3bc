// The checks of the browser audit (tests/e2e/audit.py), evaluated in each page
// beside axe-core. Each returns plain data for the report.
window.consultAudit = {
  describe(el) {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  },

  text(el) {
    return (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
  },

  // The text a sighted person sees: words kept for screen readers only
  // (the visually-hidden pattern, a box of 1px or less) are left out.
  visibleText(el) {
    const parts = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const box = parent.getBoundingClientRect();
      if (node.data.trim() && box.width > 1 && box.height > 1 && this.drawn(parent)) {
        parts.push(node.data.trim());
      }
    }
    if (!parts.length && el.value && el.tagName === "INPUT") parts.push(el.value);
    return parts.join(" ").replace(/\s+/g, " ").slice(0, 40);
  },

  drawn(el) {
    return el.checkVisibility({visibilityProperty: true, opacityProperty: true})
      && el.getClientRects().length > 0;
  },

  // Elements inside a [hidden] ancestor (or hidden themselves) that the browser draws.
  hiddenShown() {
    const shown = [];
    for (const hidden of document.querySelectorAll("[hidden]:not([hidden=until-found])")) {
      const drawn = [hidden, ...hidden.querySelectorAll("*")].find((el) => this.drawn(el));
      if (drawn) shown.push(`${this.describe(drawn)} "${this.text(drawn)}"`);
    }
    return shown;
  },

  // Sideways scrolling, with the innermost elements that stick out to the right.
  overflow() {
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth <= width) return null;
    const out = (el) => el.getBoundingClientRect().right > width + 1;
    const culprits = [...document.body.querySelectorAll("*")]
      .filter((el) => out(el) && ![...el.children].some(out))
      .slice(0, 5)
      .map((el) => `${this.describe(el)} (to ${Math.round(el.getBoundingClientRect().right)}px)`);
    return {scrollWidth: root.scrollWidth, width, culprits};
  },

  parse(value) {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  },

  over(top, bottom) {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return {r: 0, g: 0, b: 0, a: 0};
    const mix = (c) => (top[c] * top.a + bottom[c] * bottom.a * (1 - top.a)) / a;
    return {r: mix("r"), g: mix("g"), b: mix("b"), a};
  },

  luminance(c) {
    const lin = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  },

  // The real background: the first opaque one up the ancestor chain, with any
  // translucent ones above it composited in order, over the white canvas.
  background(el) {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = this.parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    let result = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) result = this.over(layer, result);
    return result;
  },

  hex(c) {
    return "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  },

  // Buttons and links whose text contrast is under the minimum.
  lowContrast(minimum) {
    const low = [];
    const controls = document.querySelectorAll(
      "a[href], button, input[type=submit], input[type=button], input[type=reset], summary, "
      + "[role=button], [role=link]",
    );
    for (const el of controls) {
      if (el.disabled || el.closest("[hidden], [aria-hidden=true]") || !this.drawn(el)) continue;
      const text = this.visibleText(el);
      if (!text) continue;  // an icon, or words for screen readers only
      const bg = this.background(el);
      const fg = this.over(this.parse(getComputedStyle(el).color), bg);
      const [l1, l2] = [this.luminance(fg), this.luminance(bg)].sort((x, y) => y - x);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < minimum) {
        low.push(`"${text}" ${this.hex(fg)} on ${this.hex(bg)} = ${ratio.toFixed(2)}:1`);
      }
    }
    return low;
  },

  async axe(impacts) {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
      .filter((v) => impacts.includes(v.impact))
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
        count: v.nodes.length,
      }));
  },
};
