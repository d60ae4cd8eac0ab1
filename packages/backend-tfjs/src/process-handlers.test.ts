import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** A user's program: loads the tfjs backend (its wasm kernels), then has a bug of its own. */
const program = `
import "reflect-metadata";
import { createRuntime } from "@neurobridge/core";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
const runtime = createRuntime({ plugins: [tfjsPlugin()] });
await runtime.backend("tfjs");
setTimeout(() => { throw new Error("a bug in the user's own program"); }, 10);
`;

describe("the host program's error handling", () => {
  it("stays the host's after the wasm kernels load: an uncaught error exits 1 with its own message, not 7 with the wasm module's source", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).toMatch(/Error: a bug in the user's own program/);
    expect(r.stderr).not.toMatch(/WasmBackendModule/);
    expect(r.stderr.length).toBeLessThan(5_000);
    expect(r.status).toBe(1);
  }, 120_000);
});
