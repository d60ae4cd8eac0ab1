/**
 * A stranger's install: every published package is packed with `npm pack`,
 * installed from its tarball into an empty project outside the monorepo
 * (dependencies from npm's cache, which `npm ci` filled), and used from
 * there — the example programs compiled with the project's own TypeScript
 * against the installed types and run, a plugin neuron from the
 * custom-neuron example trained through the installed CLI on two workers,
 * and the CLI's commands run from `node_modules/.bin`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { publishable, REPO } from "./manifests.js";

const root = mkdtempSync(join(tmpdir(), "nb-install-"));
const project = join(root, "stranger");
const packs = join(root, "packs");

/**
 * The README's install line (`VAR=value … npm install @neurobridge/…`): the test installs with
 * exactly its environment, so the README cannot drift from what works offline.
 */
function readmeInstall(): { env: Record<string, string>; line: string } {
  const line = readFileSync(join(REPO, "README.md"), "utf8")
    .split("\n")
    .find((l) => /^(\w+=\S+ )*npm install @neurobridge\//.test(l));
  if (!line) throw new Error("README.md has no install line '… npm install @neurobridge/…'");
  const env = Object.fromEntries([...line.matchAll(/(\w+)=(\S+) /g)].map((m) => [m[1] as string, m[2] as string]));
  return { env, line };
}
const readme = readmeInstall();

/** Runs a command with npm's own environment variables removed (an outer `npm test` must not leak its workspace settings). */
function run(command: string, args: readonly string[], cwd: string, timeout = 600_000, extraEnv: Record<string, string> = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|ONNXRUNTIME_NODE_INSTALL)/i.test(k)));
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...env, ...extraEnv } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) as string);
const EXAMPLES = ["train-from-code", "custom-data", "recording-and-plotting"];
let compiled: ReturnType<typeof run>;

beforeAll(() => {
  const packages = publishable();
  for (const { dir, manifest } of packages) {
    if (manifest.exports && !existsSync(join(REPO, dir, "dist"))) throw new Error(`${manifest.name} is not built; run npm run build first`);
  }
  mkdirSync(packs);
  const pack = run("npm", ["pack", "--pack-destination", packs, "--json", ...packages.flatMap((p) => ["-w", p.dir])], REPO);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const packed = JSON.parse(pack.stdout) as { name: string; filename: string }[];
  const rootManifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        name: "a-stranger-s-project",
        private: true,
        type: "module",
        dependencies: {
          ...Object.fromEntries(packed.map((p) => [p.name, `file:${join(packs, p.filename)}`])),
          "reflect-metadata": "^0.2.2",
        },
        devDependencies: {
          typescript: rootManifest.devDependencies.typescript,
          "@types/node": rootManifest.devDependencies["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        types: ["node"],
        outDir: "dist",
        rootDir: "src",
      },
      include: ["src"],
    }),
  );
  for (const example of EXAMPLES) cpSync(join(REPO, "examples", example, "src", "main.ts"), join(project, "src", `${example}.ts`));
  cpSync(join(REPO, "examples", "custom-neuron", "src"), join(project, "src", "custom-neuron"), {
    recursive: true,
    filter: (f) => !f.endsWith(".test.ts"),
  });
  // The README's line, with its environment: onnxruntime-node's script would otherwise download CUDA parts.
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project, 600_000, readme.env);
  if (install.code !== 0) throw new Error(`npm install from the tarballs failed:\n${install.stderr}`);
  // Compiled here, not in a test, so every test can run alone; the type-check test reads the result.
  compiled = run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project);
}, 900_000);

describe("installed from tarballs, outside the monorepo", () => {
  it("follows the README's install line, which names what keeps onnxruntime-node from downloading", () => {
    expect(readme.env).toEqual({ ONNXRUNTIME_NODE_INSTALL: "skip" });
    expect(existsSync(join(project, "node_modules", "onnxruntime-node", "bin"))).toBe(true);
  });

  it("installs every package and nothing from the workspace", () => {
    const installed = readdirSync(join(project, "node_modules", "@neurobridge")).sort();
    expect(installed).toEqual(
      publishable()
        .map((p) => p.manifest.name)
        .filter((n) => n.startsWith("@neurobridge/"))
        .map((n) => n.slice("@neurobridge/".length))
        .sort(),
    );
    // Real copies, not links back into the repository.
    expect(readFileSync(join(project, "node_modules", "@neurobridge", "core", "package.json"), "utf8")).toContain(
      '"name": "@neurobridge/core"',
    );
    expect(existsSync(join(project, "node_modules", "@neurobridge", "core", "src", "index.test.ts"))).toBe(false);
    expect(existsSync(join(project, "node_modules", ".bin", "neurobridge"))).toBe(true);
  });

  it("type-checks the example programs and the plugin against the installed types", () => {
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  });

  it("runs train-from-code: tfjs, Loihi and ONNX Runtime agree, checkpoint, ONNX and NIR written", () => {
    const r = run(process.execPath, ["dist/train-from-code.js", "out"], project);
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson(r.stdout);
    expect(s.tfjs).toBeGreaterThan(0.85);
    expect(s.onnxAgrees).toBe(true);
    const ev = run(
      join(project, "node_modules", ".bin", "neurobridge"),
      ["eval", "--checkpoint", "out/snn", "--subset", "1000", "--json"],
      project,
    );
    expect(ev.code, ev.stderr).toBe(0);
    // The installed CLI reads the checkpoint the program saved and gets the program's accuracy.
    expect(lastJson(ev.stdout).accuracy).toBe(s.tfjs);
  }, 300_000);

  it("runs custom-data and recording-and-plotting", () => {
    const data = run(process.execPath, ["dist/custom-data.js"], project);
    expect(data.code, data.stderr).toBe(0);
    expect(lastJson(data.stdout).accuracy).toBeGreaterThan(0.7);
    const rec = run(process.execPath, ["dist/recording-and-plotting.js", "figures"], project);
    expect(rec.code, rec.stderr).toBe(0);
    expect(lastJson(rec.stdout).emulatorIdentical).toBe(true);
    expect(
      readFileSync(join(project, "figures", "raster.png"))
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
  }, 300_000);

  it("runs the installed CLI, with the custom-neuron plugin on two workers", () => {
    const bin = join(project, "node_modules", ".bin", "neurobridge");
    const plugins = run(bin, ["--plugin", "./dist/custom-neuron/index.js", "plugins", "--json"], project);
    expect(plugins.code, plugins.stderr).toBe(0);
    const names = lastJson(plugins.stdout).neuronModels.map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining(["lif", "if", "izhikevich"]));
    const train = run(
      bin,
      [
        "--plugin",
        "./dist/custom-neuron/index.js",
        "train",
        "--model",
        "snn",
        "--neuron",
        "izhikevich",
        "--subset",
        "1024",
        "--epochs",
        "1",
        "--steps",
        "8",
        "--workers",
        "2",
        "--out",
        "runs/izh",
        "--json",
      ],
      project,
    );
    expect(train.code, train.stderr).toBe(0);
    const t = lastJson(train.stdout);
    expect(t.workers).toBe(2);
    // The plugin's own kernel trained every layer, in the workers too.
    const implementations = Object.values(t.implementations) as string[];
    expect(implementations).toHaveLength(3);
    for (const i of implementations) expect(i).toMatch(/^kernel sequence \(@neurobridge-examples\/custom-neuron\)/);
    const lif = run(bin, ["lif", "simulate", "--current", "250pA", "--duration", "100ms", "--json"], project);
    expect(lif.code, lif.stderr).toBe(0);
    expect(lastJson(lif.stdout).spikeCount).toBe(5);
  }, 300_000);
});
