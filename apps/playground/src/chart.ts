/**
 * A small SVG chart: linear axes with ticks, line and dot series, vertical
 * and horizontal marker lines, a legend. Enough for live views that redraw
 * on every slider move without a charting library.
 */

/** One data series. */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  readonly kind: "line" | "dots" | "marker";
  readonly color: string;
  readonly dash?: string;
}

/** A labelled guide line at x (vertical) or y (horizontal). */
export interface Guide {
  readonly at: number;
  readonly axis: "x" | "y";
  readonly label: string;
  readonly color: string;
}

export interface ChartSpec {
  readonly width: number;
  readonly height: number;
  readonly x: { readonly label: string; readonly domain: readonly [number, number] };
  readonly y: { readonly label: string; readonly domain: readonly [number, number] };
  readonly series: readonly Series[];
  readonly guides?: readonly Guide[];
  /** Short vertical ticks at these x positions along the top (spike raster). */
  readonly events?: { readonly at: readonly number[]; readonly color: string; readonly label: string };
}

const NS = "http://www.w3.org/2000/svg";
const M = { left: 58, right: 14, top: 22, bottom: 42 };

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Redraws `svg` with `spec`. */
export function drawChart(svg: SVGSVGElement, spec: ChartSpec): void {
  const { width: W, height: H } = spec;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  // Keep the accessible <title>; redraw everything else.
  svg.replaceChildren(...Array.from(svg.querySelectorAll(":scope > title")));
  const [x0, x1] = spec.x.domain;
  const [y0, y1] = spec.y.domain;
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const g = el("g", { "font-size": 11, "font-family": "system-ui, sans-serif", fill: "#333" });
  svg.append(g);
  for (const t of ticks(x0, x1)) {
    g.append(el("line", { x1: px(t), x2: px(t), y1: M.top, y2: H - M.bottom, stroke: "#eee" }));
    g.append(el("text", { x: px(t), y: H - M.bottom + 14, "text-anchor": "middle" }, String(t)));
  }
  for (const t of ticks(y0, y1)) {
    g.append(el("line", { x1: M.left, x2: W - M.right, y1: py(t), y2: py(t), stroke: "#eee" }));
    g.append(el("text", { x: M.left - 6, y: py(t) + 4, "text-anchor": "end" }, String(t)));
  }
  g.append(el("rect", { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: "none", stroke: "#999" }));
  g.append(el("text", { x: (M.left + W - M.right) / 2, y: H - 6, "text-anchor": "middle" }, spec.x.label));
  g.append(
    el(
      "text",
      { x: 12, y: (M.top + H - M.bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(M.top + H - M.bottom) / 2})` },
      spec.y.label,
    ),
  );
  const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  for (const guide of spec.guides ?? []) {
    if (guide.axis === "x") {
      const x = px(guide.at);
      if (x < M.left || x > W - M.right) continue;
      g.append(el("line", { x1: x, x2: x, y1: M.top, y2: H - M.bottom, stroke: guide.color, "stroke-dasharray": "4 3" }));
      g.append(el("text", { x: x + 3, y: H - M.bottom - 6, fill: guide.color }, guide.label));
    } else {
      const y = py(guide.at);
      if (y < M.top || y > H - M.bottom) continue;
      g.append(el("line", { x1: M.left, x2: W - M.right, y1: y, y2: y, stroke: guide.color, "stroke-dasharray": "4 3" }));
      g.append(el("text", { x: W - M.right - 3, y: y - 3, fill: guide.color, "text-anchor": "end" }, guide.label));
    }
  }
  for (const s of spec.series) {
    if (s.kind === "line") {
      const d = s.points
        .map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${clip(py(y), M.top - 4, H - M.bottom + 4).toFixed(1)}`)
        .join("");
      g.append(el("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.8, ...(s.dash ? { "stroke-dasharray": s.dash } : {}) }));
    } else {
      for (const [x, y] of s.points) {
        g.append(
          el("circle", {
            cx: px(x),
            cy: py(y),
            r: s.kind === "marker" ? 6 : 2.6,
            fill: s.kind === "marker" ? "none" : s.color,
            stroke: s.color,
            "stroke-width": s.kind === "marker" ? 2.5 : 1,
          }),
        );
      }
    }
  }
  if (spec.events) {
    for (const t of spec.events.at)
      g.append(el("line", { x1: px(t), x2: px(t), y1: M.top - 12, y2: M.top - 2, stroke: spec.events.color, "stroke-width": 1.5 }));
  }
  // Legend, top left inside the plot.
  let ly = M.top + 14;
  for (const s of spec.series) {
    g.append(el("rect", { x: M.left + 8, y: ly - 8, width: 12, height: 3, fill: s.color }));
    g.append(el("text", { x: M.left + 24, y: ly - 4 }, s.label));
    ly += 14;
  }
}
