import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortError } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { runPaper } from "./pipeline.js";

describe("the paper pipeline", () => {
  it("stops with an AbortError, not a string, when its signal has fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await runPaper({
      out: join(mkdtempSync(join(tmpdir(), "nb-paper-abort-")), "run"),
      quick: true,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).name).toBe("AbortError");
    expect((error as AbortError).code).toBe("ABORTED");
  });
});
