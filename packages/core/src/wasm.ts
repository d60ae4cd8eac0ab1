/**
 * Hosting of WebAssembly kernel modules (built from AssemblyScript with
 * 128-bit SIMD): synchronous instantiation from embedded bytes — so kernels
 * load the same way in Node, in worker threads and in the browser — and a
 * scratch arena over the module's memory that lays out each call's arrays.
 *
 * A kernel copies its inputs in, calls the module, and copies its outputs
 * out, so no view into wasm memory outlives a call (memory growth detaches
 * them). Where WebAssembly or its SIMD is unavailable, {@link loadWasmKernels}
 * returns the reason instead of a module and the caller keeps its
 * JavaScript kernels.
 */

/** The part of WebAssembly's JavaScript API used here (core's lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A module's instance and a bump arena over its memory. */
export class WasmKernels<Exports> {
  private constructor(
    /** The module's exported functions. */
    readonly exports: Exports,
    private readonly memory: WasmMemory,
  ) {}

  /** Compiled modules by their bytes: a thread compiles each once and instantiates it many times. */
  private static readonly compiled = new Map<string, object>();

  /**
   * A new instance, with its own memory, of a module given by its bytes
   * (base64, as `tools/wasm/build-wasm.mjs` embeds them). Returns the reason
   * when this JavaScript engine cannot run it.
   */
  static load<Exports>(base64: string): WasmKernels<Exports> | { unavailable: string } {
    const api = wasmApi();
    if (!api) return { unavailable: "this JavaScript engine has no WebAssembly" };
    try {
      let module = WasmKernels.compiled.get(base64);
      if (!module) {
        module = new api.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
        WasmKernels.compiled.set(base64, module);
      }
      return WasmKernels.instantiate<Exports>(api, module, {});
    } catch (error) {
      return { unavailable: `WebAssembly SIMD kernels could not load: ${(error as Error).message}` };
    }
  }

  /**
   * A new instance of a module generated at run time (given by its bytes,
   * with the functions it imports). Returns the reason when this engine
   * cannot compile it (no WebAssembly, or a Content-Security-Policy without
   * `wasm-unsafe-eval`).
   */
  static fromBytes<Exports>(bytes: Uint8Array, imports: object): WasmKernels<Exports> | { unavailable: string } {
    const api = wasmApi();
    if (!api) return { unavailable: "this JavaScript engine has no WebAssembly" };
    try {
      return WasmKernels.instantiate<Exports>(api, new api.Module(bytes), imports);
    } catch (error) {
      return { unavailable: `a generated WebAssembly module could not load: ${(error as Error).message}` };
    }
  }

  private static instantiate<Exports>(api: WasmApi, module: object, imports: object): WasmKernels<Exports> | { unavailable: string } {
    const instance = new api.Instance(module, imports);
    const memory = instance.exports.memory;
    if (!(memory instanceof api.Memory)) return { unavailable: "the kernel module exports no memory" };
    return new WasmKernels(instance.exports as Exports, memory);
  }

  /**
   * Lays out blocks of `bytes[i]` bytes (each 16-byte aligned, from address
   * 16 so 0 can mean "absent"), growing memory when needed, and returns their
   * addresses. Every call starts the arena afresh.
   */
  layout(bytes: readonly number[]): number[] {
    let top = 16;
    const addresses = bytes.map((n) => {
      const at = top;
      top += Math.ceil(n / 16) * 16;
      return at;
    });
    const have = this.memory.buffer.byteLength;
    if (top > have) this.memory.grow(Math.ceil((top - have) / 65536));
    return addresses;
  }

  /** A float32 view of `length` elements at `address` (valid until the next {@link WasmKernels.layout}). */
  f32(address: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, address, length);
  }

  /** A float64 view (see {@link WasmKernels.f32}). */
  f64(address: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, address, length);
  }

  /** An int32 view (see {@link WasmKernels.f32}). */
  i32(address: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, address, length);
  }

  /** A byte view (see {@link WasmKernels.f32}). */
  u8(address: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, address, length);
  }
}

/**
 * Loads a kernel module once per JavaScript realm (thread): the first call
 * instantiates, later calls return the same instance or reason.
 */
export function lazyWasmKernels<Exports>(base64: () => string): () => WasmKernels<Exports> | { unavailable: string } {
  let loaded: WasmKernels<Exports> | { unavailable: string } | undefined;
  return () => {
    loaded ??= WasmKernels.load<Exports>(base64());
    return loaded;
  };
}
