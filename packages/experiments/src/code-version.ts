/**
 * Fingerprints of the code behind each pipeline step, part of every step's
 * cache key: after a change to the code a step runs on, its cached result
 * (and checkpoint folder) no longer matches and the step is recomputed.
 * Unchanged code keeps the cache, so a rerun after Ctrl-C still resumes.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Files below `dir` ending in `ext` (not tests, not declarations), sorted. */
function files(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, ext));
    else if (name.endsWith(ext) && !name.endsWith(".d.ts") && !name.includes(".test.")) out.push(path);
  }
  return out;
}

/** The compiled code of a workspace package (its sources when it is not built). */
function packageFiles(name: string): string[] {
  const root = dirname(require.resolve(`${name}/package.json`));
  const built = files(join(root, "dist"), ".js");
  return built.length ? built : files(join(root, "src"), ".ts");
}

/**
 * A module of this package by path without extension, e.g. `experiments/lif`:
 * its compiled file when the package is built (as for the packages above), so
 * the sources under a test runner and the built code of a job process agree.
 */
function ownModule(path: string): string[] {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  return [join(root, "dist", `${path}.js`), join(root, "src", `${path}.ts`)].filter(existsSync).slice(0, 1);
}

/** SHA-256 (16 hex digits) over the packages and own modules listed. */
export function codeFingerprint(packages: readonly string[], modules: readonly string[] = []): string {
  const hash = createHash("sha256");
  for (const file of [...packages.flatMap(packageFiles), ...modules.flatMap(ownModule)]) {
    hash.update(file.slice(file.lastIndexOf("/packages/") + 1));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

/** The fingerprint of each kind of pipeline step. */
export function pipelineCodeVersions() {
  const lif = ["@neurobridge/core", "@neurobridge/neurons-lif"];
  // Training runs on the bundled plugins, the neuromorphic backends' among them.
  const training = [...lif, "@neurobridge/mnist", "@neurobridge/backend-tfjs", "@neurobridge/backend-neuromorphic"];
  return {
    lif: codeFingerprint(lif, ["experiments/lif", "experiments/neuron-models"]),
    training: codeFingerprint(training, ["experiments/training", "networks"]),
    deploy: codeFingerprint(
      [...training, "@neurobridge/backend-neuromorphic"],
      ["experiments/deployment", "experiments/training", "networks"],
    ),
  };
}
