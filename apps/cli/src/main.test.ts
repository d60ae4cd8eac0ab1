import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./test-support.js";

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

describe("neurobridge CLI", () => {
  it("prints its version and help", () => {
    expect(runCli(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: neurobridge/);
    expect(help.stdout).toMatch(/plugins \[options\]/);
  });

  it("lists every registered kind as JSON", () => {
    const result = runCli(["plugins", "--json"]);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as Record<string, { name: string; [k: string]: unknown }[]>;
    expect(Object.keys(listing)).toEqual([
      "plugins",
      "neuronModels",
      "encoders",
      "surrogates",
      "resets",
      "losses",
      "backends",
      "kernels",
      "codecs",
    ]);
    expect(listing.neuronModels?.map((m) => m.name)).toEqual([
      "relu",
      "sigmoid",
      "identity",
      "lif",
      "alif",
      "cuba-lif",
      "eif",
      "adex",
      "lif-vreset",
      "lif-refractory",
      "relu-fit",
      "sigmoid-fit",
      "lif-rate",
    ]);
    // Every target is a backend, with what it can do.
    expect(listing.backends?.map((b) => [b.name, b.capabilities])).toEqual([
      ["tfjs", expect.objectContaining({ train: true, eventDriven: false, precisions: ["float32"] })],
      ["emulator", expect.objectContaining({ train: false, eventDriven: true, precisions: ["float32"] })],
      ["loihi", expect.objectContaining({ train: false, eventDriven: true, precisions: ["fixed-point"] })],
      ["truenorth", expect.objectContaining({ train: false, eventDriven: true, precisions: ["fixed-point"] })],
    ]);
    // Every model with its kernels.
    const kernelsOf = (name: string) =>
      ((listing.neuronModels?.find((m) => m.name === name)?.kernels ?? []) as { kind: string }[]).map((k) => k.kind);
    expect(kernelsOf("lif")).toEqual(["sequence", "infer", "population", "fixed-point:loihi", "fixed-point:truenorth"]);
    expect(kernelsOf("relu")).toEqual(["sequence", "infer"]);
    expect(kernelsOf("cuba-lif")).toEqual(["sequence", "infer", "population", "fixed-point:loihi"]);
    expect(kernelsOf("alif")).toEqual(["sequence"]);
    expect(kernelsOf("sigmoid")).toEqual([]);
    expect(listing.encoders?.map((m) => m.name)).toEqual(["direct", "rate", "latency", "delta"]);
    expect(listing.surrogates?.map((m) => m.name)).toContain("fast-sigmoid");
  });

  it("lists plugins for people too", () => {
    const result = runCli(["plugins"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Plugins: @neurobridge\/core, @neurobridge\/neurons-lif/);
    expect(result.stdout).toMatch(/\n {2}lif +Discrete leaky integrate-and-fire.*\[spiking\] \(beta=0\.95, threshold=1\)/);
    expect(result.stdout).toMatch(/\n {17}kernels: sequence, infer, population, fixed-point:loihi\n/);
    expect(result.stdout).toMatch(/\n {2}loihi .*\n {17}inference, event-driven, fixed-point; hosts /);
  });

  it("fails with one line and a non-zero code on a bad plugin or command", () => {
    const missing = runCli(["--plugin", "./no-such-plugin.js", "plugins"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^neurobridge: error: cannot load plugin module '\.\/no-such-plugin\.js'/);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const notPlugin = runCli(["--plugin", "commander", "plugins"]);
    expect(notPlugin.stderr).toMatch(/module 'commander' exports no NeuroBridge plugin/);
    const unknown = runCli(["frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it("names a plugin whose top-level await never settles (Node would exit 13 without a word)", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-tla-"));
    writeFileSync(join(dir, "stuck.mjs"), "await new Promise(() => {});\nexport default { name: 'stuck', register() {} };\n");
    const r = runCli(["--plugin", join(dir, "stuck.mjs"), "plugins"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/plugin module '.*stuck\.mjs' never finished loading \(a top-level await that never settles\)/);
  });

  it("ends quietly when the reader closes the pipe", () => {
    const bin = fileURLToPath(new URL("../bin/neurobridge.js", import.meta.url));
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" lif fi --from 0pA --to 3000pA --step 1pA | head -c 40`], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(Buffer.byteLength(r.stdout)).toBe(40);
    expect(r.stderr).toBe("");
  }, 120_000);
});
