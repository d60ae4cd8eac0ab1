/** The figure contract shared by the plot builders, the paper's report and the renderers. */

/** A Vega-Lite specification (plain JSON; vega-lite's `TopLevelSpec` fits). */
export type VegaLiteSpec = object;

/** A figure: a Vega-Lite spec with the words that go around it. */
export interface FigureSpec {
  /** File stem, e.g. `fig1-fi-curve`. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences for a report. */
  readonly caption: string;
  readonly spec: VegaLiteSpec;
}
