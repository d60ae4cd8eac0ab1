/** Runs the built CLI binary as a user would (tests only). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/neurobridge.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Result of one CLI invocation. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `neurobridge ...args`; the CLI must have been built (`npm run build`). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: Readonly<Record<string, string>> } = {},
): CliResult {
  if (!existsSync(DIST)) throw new Error("apps/cli is not built: run `npm run build` first");
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 60_000,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The JSON object a `--json` command prints as its last line. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) as string);

/**
 * Trains the paper's SNN and FFNN (or the `models` given) briefly through the CLI into a fresh
 * temporary folder (for tests that need real checkpoints); call in `beforeAll`.
 */
export function trainTestCheckpoints(
  prefix: string,
  options: { subset: number; seed: number; models?: readonly ("snn" | "ffnn")[] },
): { dir: string; snn: string; ffnn: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const paths = { dir, snn: join(dir, "snn"), ffnn: join(dir, "ffnn") };
  for (const model of options.models ?? (["snn", "ffnn"] as const)) {
    const args = [
      "train",
      "--model",
      model,
      "--epochs",
      "1",
      "--subset",
      String(options.subset),
      "--steps",
      "10",
      "--seed",
      String(options.seed),
    ];
    const r = runCli([...args, "--out", paths[model]], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`training the test ${model} failed:\n${r.stderr}`);
  }
  return paths;
}
