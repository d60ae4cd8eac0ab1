/**
 * What a publishable package's manifest must hold, and the packages its code
 * really imports — the checks behind `packages.test.ts`, also used by the
 * install test to know what to pack.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";

/** The repository root (tools/src/packaging → ../../..). */
export const REPO = join(import.meta.dirname, "..", "..", "..");

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly repository?: { readonly url?: string; readonly directory?: string };
  readonly engines?: { readonly node?: string };
  readonly exports?: Record<string, unknown>;
  readonly files?: readonly string[];
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** Every workspace with its folder and manifest, in the root's order. */
export function workspaces(): { dir: string; manifest: Manifest }[] {
  const root = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { workspaces: string[] };
  return root.workspaces.map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(REPO, dir, "package.json"), "utf8")) as Manifest }));
}

/** The workspaces that are published (not `private`). */
export const publishable = () => workspaces().filter((w) => !w.manifest.private);

const stripComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

/** The package a module specifier belongs to (`@scope/name/sub` → `@scope/name`), or undefined for relative and built-in modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] as string);
  return builtinModules.includes(name) ? undefined : name;
}

/**
 * Packages imported by the shipped code under `dir` (`src/`, `bin/`; tests
 * and test support excluded): static and dynamic imports and
 * `require.resolve` calls.
 */
export function importedPackages(dir: string): Set<string> {
  const used = new Set<string>();
  const walk = (folder: string) => {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== "test-support" && entry !== "node_modules") walk(path);
        continue;
      }
      if (!/\.(ts|js|mjs)$/.test(entry) || /\.test\.ts$/.test(entry) || /^test-support\./.test(entry)) continue;
      const code = stripComments(readFileSync(path, "utf8"));
      const patterns = [
        /\bfrom\s+["']([^"']+)["']/g,
        /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
        /^\s*import\s+["']([^"']+)["']/gm,
        /\bresolve\(\s*["']([^"']+)["']/g,
      ];
      for (const pattern of patterns) {
        for (const m of code.matchAll(pattern)) {
          const name = packageOf(m[1] as string);
          if (name) used.add(name);
        }
      }
    }
  };
  walk(join(REPO, dir, "src"));
  walk(join(REPO, dir, "bin"));
  return used;
}
