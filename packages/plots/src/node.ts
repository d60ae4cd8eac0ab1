/**
 * `@neurobridge/plots/node`: figures rendered headless to SVG (vega, no
 * canvas) and PNG (@resvg/resvg-js, with the DejaVu Sans font shipped by
 * `dejavu-fonts-ttf`, so text renders on machines without system fonts).
 *
 * @example
 * ```ts
 * import { rasterFigure } from "@neurobridge/plots";
 * import { renderFigure } from "@neurobridge/plots/node";
 * const { png } = await renderFigure(rasterFigure(run.recordings ?? []));
 * ```
 *
 * @packageDocumentation
 * @module @neurobridge/plots/node
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

import type { FigureSpec } from "./figure.js";

export type { FigureSpec, VegaLiteSpec } from "./figure.js";

const FONT = "DejaVu Sans";

function fontFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf", "DejaVuSans.ttf");
}

/** Shared look: readable sizes, one font. */
const CONFIG = {
  font: FONT,
  title: { fontSize: 15 },
  axis: { labelFontSize: 12, titleFontSize: 13, labelLimit: 320 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0 },
  view: { stroke: "#888" },
};

/** Renders a figure to SVG text and PNG bytes (2× scale, white background). */
export async function renderFigure(figure: FigureSpec): Promise<{ svg: string; png: Uint8Array }> {
  // The figure's title goes into the chart so a PNG stands on its own.
  const spec = {
    title: figure.title,
    ...figure.spec,
    config: { ...CONFIG, ...((figure.spec as { config?: object }).config ?? {}) },
  } as TopLevelSpec;
  // Vega-Lite warns on the console about harmless legend merges; keep errors only.
  const view = new vega.View(vega.parse(compile(spec, { logger: vega.logger(vega.Error) }).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: false, fontFiles: [fontFile()], defaultFontFamily: FONT },
  })
    .render()
    .asPng();
  return { svg, png: new Uint8Array(png) };
}

/** The figure as the file `path` names: `.svg` text or `.png` bytes; any other extension is refused by name. */
export async function renderFigureFile(figure: FigureSpec, path: string): Promise<string | Uint8Array> {
  const ext = path.toLowerCase().match(/\.(svg|png)$/)?.[1];
  if (!ext) throw new NeuroBridgeError("OPTION_INVALID", `--out: '${path}' must end in .png or .svg`);
  const { svg, png } = await renderFigure(figure);
  return ext === "svg" ? svg : png;
}
