/**
 * Starting worker threads that run a package's compiled code: where the
 * worker script is, and which Node flags it inherits. Shared by the trainer's
 * parallel engine and the emulator's parallel evaluation.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NeuroBridgeError } from "../errors.js";

/**
 * The compiled worker script `script` (e.g. `./worker.js`) beside the module
 * at `moduleUrl` (its `import.meta.url`). From a TypeScript source
 * (`…/src/x/y.ts`, as tests run) it is the package's build, `…/dist/x/…`.
 *
 * @throws NeuroBridgeError `WORKER_MISSING` when the script is not built
 */
export function workerScript(moduleUrl: string, script: string): URL {
  let base = moduleUrl;
  const at = base.lastIndexOf("/src/");
  if (base.endsWith(".ts") && at >= 0) base = `${base.slice(0, at)}/dist/${base.slice(at + 5)}`;
  const url = new URL(script, base);
  if (!existsSync(fileURLToPath(url))) {
    throw new NeuroBridgeError("WORKER_MISSING", `the worker script ${fileURLToPath(url)} is missing; run \`npm run build\``);
  }
  return url;
}

/**
 * The worker's Node flags: this process's, without export conditions. The
 * worker runs compiled code (`dist/`); a source condition inherited from a
 * test runner (`--conditions=@neurobridge/source`) would make it resolve the
 * packages' TypeScript sources, which plain Node cannot load.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--conditions" || a === "-C") {
      i++;
      continue;
    }
    if (a.startsWith("--conditions=") || a.startsWith("-C=")) continue;
    out.push(a);
  }
  return out;
}
