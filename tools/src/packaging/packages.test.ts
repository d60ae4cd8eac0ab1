/**
 * Every published package's manifest: a licence file, repository, engines,
 * typed exports, and dependencies that are exactly what its code imports
 * (an undeclared one breaks an install outside the monorepo; an unused one
 * makes every user download it).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importedPackages, publishable, REPO } from "./manifests.js";

/** Packages shipped as a prebuilt bundle: their imports are compiled in, so they depend on nothing at run time. */
const BUNDLED = new Set(["@neurobridge/playground"]);

describe.each(publishable().map((w) => [w.manifest.name, w] as const))("%s", (_name, { dir, manifest }) => {
  it("has a licence, a repository, engines and typed exports", () => {
    expect(existsSync(join(REPO, dir, "LICENSE"))).toBe(true);
    expect(existsSync(join(REPO, dir, "README.md")) || BUNDLED.has(manifest.name)).toBe(true);
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
    expect(manifest.repository?.directory).toBe(dir);
    expect(manifest.engines?.node).toBe(">=20.19");
    expect(manifest.files).toBeDefined();
    for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
      if (entry === "./package.json") continue;
      expect(target, `${manifest.name} exports '${entry}' without types`).toHaveProperty("types");
    }
  });

  it("declares exactly the packages its code imports", () => {
    const used = importedPackages(dir);
    used.delete(manifest.name);
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    if (BUNDLED.has(manifest.name)) {
      expect([...declared]).toEqual([]);
      return;
    }
    expect([...used].filter((p) => !declared.has(p)).sort(), "imported but not declared").toEqual([]);
    expect([...declared].filter((p) => !used.has(p)).sort(), "declared but never imported").toEqual([]);
  });
});
