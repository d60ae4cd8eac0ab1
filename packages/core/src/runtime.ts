/**
 * The plugin runtime, on tsyringe. A plugin is a small object whose `register`
 * adds neuron models, strategies and backends into a container;
 * {@link createRuntime} builds an isolated child container per runtime, so
 * tests and users can hold several runtimes with different plugins and seeds
 * and nothing is global.
 *
 * Services that need the runtime or its RNG take them by constructor
 * injection with explicit tokens: `constructor(@inject(TOKENS.runtime) rt: Runtime)`.
 */
import { type DependencyContainer, type InjectionToken, container as rootContainer } from "tsyringe";
import type { Backend, BackendCapabilities, BackendOf, CheckpointPlugin } from "./backend.js";
import { builtinEncoders } from "./builtins/encoders.js";
import { builtinLosses } from "./builtins/losses.js";
import { builtinKernels, builtinRateModels, builtinResets } from "./builtins/models.js";
import { builtinSurrogates } from "./builtins/surrogates.js";
import { type CodecOf, type CodecRegistration, codecKey } from "./codecs.js";
import { guardBackend } from "./data-fit.js";
import { DuplicateRegistrationError, NeuroBridgeError, UnknownRegistrationError, ValidationError } from "./errors.js";
import { KERNEL_KINDS, type KernelKind, type KernelRegistration, kernelKey } from "./kernels.js";
import { neuronModelIssues } from "./neuron-check.js";
import type { NeuronModel, StepContext } from "./neuron-model.js";
import { countOps, type OpCounts } from "./ops.js";
import type { ParamSpec } from "./params.js";
import { buildPlan, type NetworkPlan } from "./plan.js";
import { createRandom, type RandomSource } from "./random.js";
import type { NetworkSpec } from "./spec.js";
import { bindSurrogate, type Encoder, type LossSpec, type ResetMechanism, type SurrogateGradient } from "./strategies.js";
import { DEFAULT_RESET, DEFAULT_SURROGATE, type SpecCatalog, strategyParams, validateNetworkSpec } from "./validate.js";
import type { Weights } from "./weights.js";

/** A backend as registered: metadata for listings plus a factory (backends load lazily). */
export interface BackendRegistration {
  readonly name: string;
  readonly description: string;
  readonly capabilities: BackendCapabilities;
  /** Creates the backend; called once per runtime, on first use. */
  create(runtime: Runtime): Backend | Promise<Backend>;
}

/** What each registry kind holds. */
export interface RegistryKinds {
  neuronModel: NeuronModel;
  encoder: Encoder;
  surrogate: SurrogateGradient;
  reset: ResetMechanism;
  loss: LossSpec;
  backend: BackendRegistration;
  /** Kernels, named `<model>/<kind>`. */
  kernel: KernelRegistration & { readonly name: string };
  /** Codecs to interchange formats, named `<model>@<format>`. */
  codec: CodecRegistration & { readonly name: string };
}

/** A registry kind: `neuronModel`, `encoder`, `surrogate`, `reset`, `loss`, `backend`, `kernel` or `codec`. */
export type RegistryKind = keyof RegistryKinds;

/** All registry kinds, in listing order. */
export const REGISTRY_KINDS: readonly RegistryKind[] = [
  "neuronModel",
  "encoder",
  "surrogate",
  "reset",
  "loss",
  "backend",
  "kernel",
  "codec",
];

const KIND_LABEL: Record<RegistryKind, string> = {
  neuronModel: "neuron model",
  encoder: "encoder",
  surrogate: "surrogate gradient",
  reset: "reset mechanism",
  loss: "loss",
  backend: "backend",
  kernel: "kernel",
  codec: "codec",
};

/** Injection tokens exported for plugins and services. */
export const TOKENS = {
  /** The {@link Runtime} that owns the container. */
  runtime: Symbol("neurobridge.Runtime"),
  /** The runtime's seed (number). */
  seed: Symbol("neurobridge.Seed"),
  /** The runtime's root {@link RandomSource}; prefer `runtime.random(label)` for independent streams. */
  random: Symbol("neurobridge.Random"),
  /** One {@link Registry} per kind. */
  registry: Object.fromEntries(REGISTRY_KINDS.map((k) => [k, Symbol(`neurobridge.Registry.${k}`)])) as Record<RegistryKind, symbol>,
} as const;

/** One registered entry and who registered it. */
export interface RegistryEntry<T> {
  readonly name: string;
  readonly value: T;
  readonly plugin: string;
}

/** Named entries of one kind. */
export class Registry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  constructor(readonly kind: RegistryKind) {}

  /** Adds `value`; a second registration of the same name is an error unless `override`. */
  add(value: T, plugin: string, override = false): void {
    if (typeof value?.name !== "string" || value.name === "") {
      throw new NeuroBridgeError("REGISTRATION_INVALID", `Plugin '${plugin}' registered a ${KIND_LABEL[this.kind]} without a name.`);
    }
    const existing = this.entries.get(value.name);
    if (existing && !override) throw new DuplicateRegistrationError(KIND_LABEL[this.kind], value.name, existing.plugin, plugin);
    this.entries.set(value.name, { name: value.name, value, plugin });
  }

  find(name: string): T | undefined {
    return this.entries.get(name)?.value;
  }

  /** The entry named `name` with the plugin that registered it. */
  entry(name: string): RegistryEntry<T> | undefined {
    return this.entries.get(name);
  }

  /** The entry named `name`; throws an error listing the registered names otherwise. */
  get(name: string): T {
    const found = this.find(name);
    if (!found) throw new UnknownRegistrationError(KIND_LABEL[this.kind], name, this.names());
    return found;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): RegistryEntry<T>[] {
    return [...this.entries.values()];
  }
}

/** Options of a registration. */
export interface RegisterOptions {
  /** Replace an existing entry of the same name instead of failing. */
  readonly override?: boolean;
}

/** What a plugin's `register` receives. */
export interface Registrar {
  /** The runtime's own child container, for custom services. */
  readonly container: DependencyContainer;
  readonly runtime: Runtime;
  neuronModel(model: NeuronModel, options?: RegisterOptions): void;
  encoder(encoder: Encoder, options?: RegisterOptions): void;
  surrogate(surrogate: SurrogateGradient, options?: RegisterOptions): void;
  reset(reset: ResetMechanism, options?: RegisterOptions): void;
  loss(loss: LossSpec, options?: RegisterOptions): void;
  backend(backend: BackendRegistration, options?: RegisterOptions): void;
  /**
   * A faster implementation of one kind for one model (see `kernels.ts`).
   *
   * @example
   * ```ts
   * r.kernel({ model: "alif", kind: "sequence", description: "fused ALIF", create: (layer) => makeAlifKernel(layer) });
   * ```
   */
  kernel<K extends KernelKind>(kernel: KernelRegistration<K>, options?: RegisterOptions): void;
  /**
   * How one model is written to and read from an interchange format (see `codecs.ts`).
   *
   * @example
   * ```ts
   * r.codec({ model: "izhikevich", format: "nir", description: "…", codec: myNirCodec });
   * ```
   */
  codec<F extends string>(codec: CodecRegistration<F>, options?: RegisterOptions): void;
}

/**
 * Where a plugin can be imported from, so other threads and processes (the
 * trainer's workers, job runners) can register it too: a module URL or
 * package name and the export holding the plugin — or a function called with
 * `options` (JSON) that returns it.
 */
export interface PluginSource {
  readonly module: string;
  /** Export name (default: `default`, then `plugin`). */
  readonly export?: string;
  /** Arguments for a plugin factory export. */
  readonly options?: unknown;
}

/** A plugin: a named bundle of registrations. */
export interface NeuroBridgePlugin {
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /** Names of plugins that must be registered first. */
  readonly requires?: readonly string[];
  /**
   * Where this plugin can be imported from in another thread (e.g.
   * `{ module: import.meta.url, export: "myPlugin" }`). Without it the plugin
   * exists only in this thread, and multi-threaded training refuses to run a
   * network that uses it. `neurobridge --plugin` fills it in.
   */
  readonly source?: PluginSource;
  register(registrar: Registrar): void;
}

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** Plugins to register, in order, after the core built-ins. */
  readonly plugins?: readonly NeuroBridgePlugin[];
  /** Seed of every random stream of this runtime (default 0). */
  readonly seed?: number;
  /** Register core's built-ins (encoders, surrogates, resets, rate models, losses). Default true. */
  readonly builtins?: boolean;
  /** Container to derive from (default: tsyringe's root container, which is never written to). */
  readonly parent?: DependencyContainer;
}

/** A parameter as listed by {@link Runtime.list}. */
export interface ListedParam {
  readonly name: string;
  readonly type: ParamSpec["type"];
  readonly default: ParamSpec["default"];
  readonly unit?: string;
  readonly description: string;
}

/** One entry as listed by {@link Runtime.list}. */
export interface ListedEntry {
  readonly name: string;
  readonly description: string;
  readonly plugin: string;
  readonly params?: readonly ListedParam[];
  readonly [extra: string]: unknown;
}

/** Everything registered in a runtime, JSON-serialisable. */
export interface RuntimeListing {
  readonly plugins: readonly { name: string; version?: string; description?: string; source?: PluginSource }[];
  readonly neuronModels: readonly ListedEntry[];
  readonly encoders: readonly ListedEntry[];
  readonly surrogates: readonly ListedEntry[];
  readonly resets: readonly ListedEntry[];
  readonly losses: readonly ListedEntry[];
  readonly backends: readonly ListedEntry[];
  /** Every registered kernel: model, kind and who registered it. */
  readonly kernels: readonly ListedEntry[];
  /** Every registered codec: model, format and who registered it. */
  readonly codecs: readonly ListedEntry[];
}

const listParams = (params: readonly ParamSpec[]): ListedParam[] =>
  params.map((p) => ({ name: p.name, type: p.type, default: p.default, ...(p.unit ? { unit: p.unit } : {}), description: p.description }));

/** A set of registered plugins with its own container, seed and registries. */
export class Runtime implements SpecCatalog {
  readonly container: DependencyContainer;
  readonly seed: number;
  private readonly registries: { [K in RegistryKind]: Registry<RegistryKinds[K]> };
  private readonly pluginList: { name: string; version?: string; description?: string; source?: PluginSource }[] = [];
  private readonly backends = new Map<string, Promise<Backend>>();
  private plans = 0;

  constructor(container: DependencyContainer, seed: number) {
    this.container = container;
    this.seed = seed;
    this.registries = {
      neuronModel: new Registry("neuronModel"),
      encoder: new Registry("encoder"),
      surrogate: new Registry("surrogate"),
      reset: new Registry("reset"),
      loss: new Registry("loss"),
      backend: new Registry("backend"),
      kernel: new Registry("kernel"),
      codec: new Registry("codec"),
    };
    container.register(TOKENS.runtime, { useValue: this });
    container.register(TOKENS.seed, { useValue: seed });
    container.register(TOKENS.random, { useValue: createRandom(seed) });
    for (const kind of REGISTRY_KINDS) container.register(TOKENS.registry[kind], { useValue: this.registries[kind] });
  }

  /**
   * The context of a registration's smoke step: the default surrogate and
   * reset, once the core plugin has registered them.
   */
  private smokeContext(): StepContext | undefined {
    const surrogate = this.registries.surrogate.find(DEFAULT_SURROGATE);
    const reset = this.registries.reset.find(DEFAULT_RESET);
    if (!surrogate || !reset) return undefined;
    return {
      surrogate: bindSurrogate(surrogate, strategyParams({ name: surrogate.name }, surrogate) as Record<string, number>),
      reset,
      options: {},
    };
  }

  /** Registers `plugin`. Registering the same plugin object twice is a no-op. */
  use(plugin: NeuroBridgePlugin): this {
    if (!plugin || typeof plugin.name !== "string" || typeof plugin.register !== "function") {
      throw new NeuroBridgeError("PLUGIN_INVALID", "A plugin must be an object with a 'name' and a 'register(registrar)' function.");
    }
    if (this.pluginList.some((p) => p.name === plugin.name)) return this;
    for (const required of plugin.requires ?? []) {
      if (!this.pluginList.some((p) => p.name === required)) {
        throw new NeuroBridgeError(
          "PLUGIN_MISSING",
          `Plugin '${plugin.name}' requires plugin '${required}', which is not registered. Add it before '${plugin.name}' in createRuntime({ plugins }).`,
        );
      }
    }
    const add =
      <K extends RegistryKind>(kind: K) =>
      (value: RegistryKinds[K], options?: RegisterOptions) =>
        this.registries[kind].add(value, plugin.name, options?.override);
    const returned: unknown = plugin.register({
      container: this.container,
      runtime: this,
      neuronModel: (model, options) => {
        const issues = neuronModelIssues(model, this.smokeContext());
        if (issues.length) {
          const name = typeof model?.name === "string" && model.name ? `'${model.name}'` : "(unnamed)";
          throw new ValidationError(`neuron model ${name} registered by plugin '${plugin.name}'`, issues, "MODEL_INVALID");
        }
        this.registries.neuronModel.add(model, plugin.name, options?.override);
      },
      encoder: add("encoder"),
      surrogate: add("surrogate"),
      reset: add("reset"),
      loss: add("loss"),
      backend: add("backend"),
      kernel: (kernel, options) => {
        if (typeof kernel?.model !== "string" || typeof kernel.kind !== "string" || typeof kernel.create !== "function") {
          throw new NeuroBridgeError(
            "REGISTRATION_INVALID",
            `Plugin '${plugin.name}' registered a kernel without a 'model', a 'kind' (${Object.keys(KERNEL_KINDS).join(", ")}, …) or a 'create' function.`,
          );
        }
        this.registries.kernel.add({ ...kernel, name: kernelKey(kernel.model, kernel.kind) }, plugin.name, options?.override);
      },
      codec: (codec, options) => {
        if (typeof codec?.model !== "string" || typeof codec.format !== "string" || codec.format === "" || codec.codec === undefined) {
          throw new NeuroBridgeError(
            "REGISTRATION_INVALID",
            `Plugin '${plugin.name}' registered a codec without a 'model', a 'format' (e.g. nir) or the 'codec' itself.`,
          );
        }
        this.registries.codec.add(
          { ...(codec as CodecRegistration), name: codecKey(codec.model, codec.format) },
          plugin.name,
          options?.override,
        );
      },
    });
    // Registration is synchronous: a promise here would register later, or reject with no one listening.
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === "function") {
      (returned as Promise<unknown>).then(undefined, () => {});
      throw new NeuroBridgeError(
        "PLUGIN_REGISTER",
        `plugin '${plugin.name}': register() returned a promise; it must register synchronously (load anything asynchronous before, at the module's top level)`,
      );
    }
    this.pluginList.push({
      name: plugin.name,
      ...(plugin.version ? { version: plugin.version } : {}),
      ...(plugin.description ? { description: plugin.description } : {}),
      ...(plugin.source ? { source: plugin.source } : {}),
    });
    return this;
  }

  /** The registry of one kind. */
  registry<K extends RegistryKind>(kind: K): Registry<RegistryKinds[K]> {
    return this.registries[kind];
  }

  /** Names of the registered plugins, in registration order. */
  pluginNames(): string[] {
    return this.pluginList.map((p) => p.name);
  }

  /** The plugins to record in a checkpoint: every one but core's, with its module when it has one. */
  pluginRecords(): CheckpointPlugin[] {
    return this.pluginList
      .filter((p) => p.name !== corePlugin.name)
      .map((p) => ({ name: p.name, ...(p.source ? { module: p.source.module } : {}) }));
  }

  /** Registered names of one kind. */
  names(kind: RegistryKind): string[] {
    return this.registries[kind].names();
  }

  neuronModel(name: string): NeuronModel {
    return this.registries.neuronModel.get(name);
  }
  encoder(name: string): Encoder {
    return this.registries.encoder.get(name);
  }
  surrogate(name: string): SurrogateGradient {
    return this.registries.surrogate.get(name);
  }
  reset(name: string): ResetMechanism {
    return this.registries.reset.get(name);
  }
  loss(name: string): LossSpec {
    return this.registries.loss.get(name);
  }

  findNeuronModel(name: string): NeuronModel | undefined {
    return this.registries.neuronModel.find(name);
  }
  findEncoder(name: string): Encoder | undefined {
    return this.registries.encoder.find(name);
  }
  findSurrogate(name: string): SurrogateGradient | undefined {
    return this.registries.surrogate.find(name);
  }
  findReset(name: string): ResetMechanism | undefined {
    return this.registries.reset.find(name);
  }

  /** The kernel of `kind` registered for `model`, if any. */
  kernel<K extends KernelKind>(model: string, kind: K): KernelRegistration<K> | undefined {
    return this.registries.kernel.find(kernelKey(model, kind)) as KernelRegistration<K> | undefined;
  }

  /** Every kernel registered for `model`. */
  kernelsOf(model: string): KernelRegistration[] {
    return this.registries.kernel
      .list()
      .map((e) => e.value)
      .filter((k) => k.model === model);
  }

  /** The codec of `format` registered for `model`, if any. */
  codec<F extends string>(model: string, format: F): CodecOf<F> | undefined {
    return this.registries.codec.find(codecKey(model, format))?.codec as CodecOf<F> | undefined;
  }

  /** Every codec of `format`, in registration order, with the model it maps and its plugin. */
  codecsFor<F extends string>(format: F): { model: string; plugin: string; codec: CodecOf<F> }[] {
    return this.registries.codec
      .list()
      .filter((e) => e.value.format === format)
      .map((e) => ({ model: e.value.model, plugin: e.plugin, codec: e.value.codec as CodecOf<F> }));
  }

  /**
   * Validates `spec` (and `weights`) and resolves it into a {@link NetworkPlan}
   * — the one structure every runner, exporter and counter consumes. Build it
   * once per run and pass it on ({@link plansBuilt} counts them).
   */
  plan(spec: NetworkSpec, weights?: Weights): NetworkPlan {
    this.plans++;
    return buildPlan(this, spec, weights);
  }

  /** How many plans this runtime has built (a diagnostic: a run should build one). */
  get plansBuilt(): number {
    return this.plans;
  }

  /**
   * Where each of `pluginNames` can be imported from, in registration order,
   * for another thread to rebuild this runtime; `missing` names the plugins
   * that exist only in memory (no `source`).
   */
  pluginSources(pluginNames?: readonly string[]): { sources: PluginSource[]; missing: string[] } {
    const wanted = pluginNames ? new Set(pluginNames) : undefined;
    const sources: PluginSource[] = [];
    const missing: string[] = [];
    for (const p of this.pluginList) {
      if (p.name === corePlugin.name) continue;
      if (p.source) sources.push(p.source);
      else if (!wanted || wanted.has(p.name)) missing.push(p.name);
    }
    return { sources, missing };
  }
  /**
   * The backend named `name`, created on first use and cached (a failed
   * creation is retried next time). Typed by name through
   * {@link BackendTypes}: `await runtime.backend("tfjs")` is a `TfjsBackend`
   * once `@neurobridge/backend-tfjs` is imported.
   */
  async backend<N extends string>(name: N): Promise<BackendOf<N>> {
    let backend = this.backends.get(name) as Promise<BackendOf<N>> | undefined;
    if (!backend) {
      const registration = this.registries.backend.get(name);
      // Every backend checks that data fits the network before it runs, plugin backends included.
      const created = Promise.resolve(registration.create(this)).then((b) => guardBackend(b));
      this.backends.set(name, created);
      created.catch(() => this.backends.delete(name));
      backend = created as Promise<BackendOf<N>>;
    }
    return backend;
  }

  /** Resolves any service registered in this runtime's container. */
  resolve<T>(token: InjectionToken<T>): T {
    return this.container.resolve(token);
  }

  /**
   * An independent random stream for `label` (e.g. `init`, `shuffle`,
   * `encoder`), derived from the runtime seed: same seed and label → same stream.
   */
  random(label: string): RandomSource {
    return createRandom(this.seed).fork(label);
  }

  /** Validates a spec against the registered models and strategies. */
  validateSpec(value: unknown): NetworkSpec {
    return validateNetworkSpec(value, this);
  }

  /**
   * Operation counts per sample (see `ops.ts`) of a spec or a plan (a plan
   * needs no look-ups: its models and encoder are resolved); `inputEvents`
   * from a run gives the effective count.
   */
  countOps(network: NetworkSpec | NetworkPlan, inputEvents?: Readonly<Record<string, number>>): OpCounts {
    const plan = "layers" in network ? network : undefined;
    const spec = plan ? plan.spec : (network as NetworkSpec);
    const dynamics = new Map(plan?.layers.flatMap((l) => (l.kind === "neuron" ? [[l.model.name, l.model.dynamics] as const] : [])));
    return countOps(spec, {
      dynamicsOf: (model) => dynamics.get(model) ?? this.neuronModel(model).dynamics,
      encoder: plan?.encoder ?? this.encoder(spec.encoder.name),
      ...(inputEvents ? { inputEvents } : {}),
    });
  }

  /** Everything registered, JSON-serialisable (the CLI's `plugins --json`). */
  list(): RuntimeListing {
    const entries = <K extends RegistryKind>(kind: K, extra: (v: RegistryKinds[K]) => Record<string, unknown>) =>
      this.registries[kind].list().map((e) => ({ name: e.name, description: e.value.description, plugin: e.plugin, ...extra(e.value) }));
    return {
      plugins: [...this.pluginList],
      neuronModels: entries("neuronModel", (m) => ({
        dynamics: m.dynamics,
        params: listParams(m.params),
        state: m.state.map((s) => s.name),
        kernels: this.kernelsOf(m.name).map((k) => ({
          kind: k.kind,
          description: k.description,
          plugin: this.registries.kernel.entry(kernelKey(m.name, k.kind))?.plugin,
        })),
        codecs: this.registries.codec
          .list()
          .filter((e) => e.value.model === m.name)
          .map((e) => ({ format: e.value.format, description: e.value.description, plugin: e.plugin })),
      })),
      encoders: entries("encoder", (e) => ({ emitsSpikes: e.emitsSpikes, timeInvariant: e.timeInvariant, params: listParams(e.params) })),
      surrogates: entries("surrogate", (s) => ({ formula: s.formula, params: listParams(s.params) })),
      resets: entries("reset", (x) => (x.semantics ? { semantics: x.semantics } : {})),
      losses: entries("loss", (l) => ({ reads: l.reads, params: listParams(l.params) })),
      backends: entries("backend", (b) => ({ capabilities: b.capabilities })),
      kernels: entries("kernel", (k) => ({ model: k.model, kind: k.kind })),
      codecs: entries("codec", (c) => ({ model: c.model, format: c.format })),
    };
  }
}

/** Core's own registrations: encoders, surrogates, resets, rate models and losses. */
export const corePlugin: NeuroBridgePlugin = {
  name: "@neurobridge/core",
  description: "Built-in encoders, surrogate gradients, reset mechanisms, rate neuron models (with ReLU's kernel) and losses.",
  register(r) {
    for (const e of builtinEncoders) r.encoder(e);
    for (const s of builtinSurrogates) r.surrogate(s);
    for (const x of builtinResets) r.reset(x);
    for (const m of builtinRateModels) r.neuronModel(m);
    for (const l of builtinLosses) r.loss(l);
    for (const k of builtinKernels) r.kernel(k);
  },
};

/**
 * Creates an isolated runtime: a fresh child container with core's built-ins
 * and the given plugins registered.
 *
 * @example
 * ```ts
 * import "reflect-metadata";
 * import { createRuntime } from "@neurobridge/core";
 * import { lifPlugin } from "@neurobridge/neurons-lif";
 * const runtime = createRuntime({ plugins: [lifPlugin], seed: 42 });
 * runtime.neuronModel("lif");
 * ```
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new NeuroBridgeError("SEED_INVALID", `seed must be an integer in [0, 4294967295], got ${seed}`);
  }
  const runtime = new Runtime((options.parent ?? rootContainer).createChildContainer(), seed);
  if (options.builtins !== false) runtime.use(corePlugin);
  for (const plugin of options.plugins ?? []) runtime.use(plugin);
  return runtime;
}
