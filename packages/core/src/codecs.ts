/**
 * Codecs: how a neuron model is written to and read from a foreign
 * interchange format (NIR, …). A format's package defines what a codec of
 * that format is — by augmenting {@link CodecFormats} — and reads and writes
 * files; each model's codec is a registration, so a plugin's own neuron
 * becomes exportable by registering one, and no exporter or importer ever
 * tests a model's name.
 *
 * Unlike a kernel, a codec belongs to the model, not to one layer: an
 * importer asks every codec of a format whether it can read a foreign node.
 *
 * @example
 * ```ts
 * declare module "@neurobridge/core" {
 *   interface CodecFormats { nir: NirNeuronCodec }
 * }
 * registrar.codec({ model: "lif", format: "nir", description: "LIF ↔ NIR LIF/IF", codec: lifNirCodec });
 * ```
 */

/**
 * The codec contracts by format (empty in core). Augment it (declaration
 * merging) to define a format.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by format packages
export interface CodecFormats {}

/** What a codec of `F` is: the augmented contract, or `unknown` for a format no package defined. */
export type CodecOf<F extends string> = F extends keyof CodecFormats ? CodecFormats[F] : unknown;

/** A codec as registered: the model and format it maps, and the codec. */
export interface CodecRegistration<F extends string = string> {
  /** Registered neuron-model name. */
  readonly model: string;
  /** Format name, e.g. `nir`. */
  readonly format: F;
  readonly description: string;
  readonly codec: CodecOf<F>;
}

/** Registry key of a codec: `<model>@<format>`. */
export const codecKey = (model: string, format: string): string => `${model}@${format}`;
