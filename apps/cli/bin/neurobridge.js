#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("neurobridge: the CLI is not built yet. Run `npm run build` at the repository root first.\n");
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// A failed command ends now: a connection still retrying (a lost Redis) must not keep it alive.
if (code !== 0) process.exit(code);
process.exitCode = code;
