// A small SVG line chart with a shaded 95 % interval band, built with createElementNS (never from HTML).
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 36 };

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

function text(x, y, content, anchor) {
  const node = svg("text", { x, y, "text-anchor": anchor || "middle", class: "chart-label" });
  node.textContent = content;
  return node;
}

// points: [{label, value, low, high}] (value null = no data that period); yMax: top of the axis;
// format: value -> axis text.
export function intervalChart(points, { yMax, format, title }) {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length > 1 ? plotWidth / (points.length - 1) : 0;
  const x = (index) => PAD.left + (points.length > 1 ? index * step : plotWidth / 2);
  const y = (value) => PAD.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": title,
  });
  for (const fraction of [0, 0.5, 1]) {
    const at = y(yMax * fraction);
    root.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: at, y2: at, class: "chart-grid" }));
    root.append(text(PAD.left - 6, at + 4, format(yMax * fraction), "end"));
  }
  const present = points.map((point, index) => ({ ...point, index })).filter((point) => point.value !== null);
  if (present.length) {
    const upper = present.map((p) => `${x(p.index)},${y(p.high ?? p.value)}`);
    const lower = present.slice().reverse().map((p) => `${x(p.index)},${y(p.low ?? p.value)}`);
    root.append(svg("polygon", { points: [...upper, ...lower].join(" "), class: "chart-band" }));
    root.append(svg("polyline", { points: present.map((p) => `${x(p.index)},${y(p.value)}`).join(" "), class: "chart-line" }));
    for (const p of present) {
      const dot = svg("circle", { cx: x(p.index), cy: y(p.value), r: 3.5, class: "chart-dot" });
      const tip = svg("title");
      tip.textContent = `${p.label}: ${format(p.value)} (${format(p.low ?? p.value)}–${format(p.high ?? p.value)})`;
      dot.append(tip);
      root.append(dot);
    }
  }
  points.forEach((point, index) => root.append(text(x(index), HEIGHT - 12, point.label)));
  return root;
}
