import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TRAINING_DEFAULTS } from "./defaults.js";

const doc = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "defaults.md");

describe("training defaults", () => {
  it("are the ones docs/defaults.md lists, every one of them", () => {
    const rows = new Map(
      readFileSync(doc, "utf8")
        .split("\n")
        .filter((l) => /^\| [a-zA-Z]+ \| /.test(l) && !l.startsWith("| setting"))
        .map((l) => l.split("|").map((c) => c.trim()))
        .map((cells) => [cells[1] as string, cells[2] as string]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(TRAINING_DEFAULTS).sort());
    for (const [key, value] of Object.entries(TRAINING_DEFAULTS)) expect(rows.get(key), key).toBe(String(value));
  });
});
