import { describe, expect, it } from "vitest";
import { PAPER_CLAIMS } from "./paper-claims.js";

describe("paper claims", () => {
  it("are internally consistent where they can be checked", () => {
    // 76× is 537,600 FLOPs / 7,111 SOPs rounded.
    expect(Math.round(PAPER_CLAIMS.ffnnFlopsPerSample.value / PAPER_CLAIMS.snnSopsPerSample.value)).toBe(
      PAPER_CLAIMS.operationsRatio.value,
    );
    // 26.88 GFLOPs of training is 537,600 × 50,000 samples — one epoch of a 50k split, forward only.
    expect(PAPER_CLAIMS.ffnnTrainingFlops.value / PAPER_CLAIMS.ffnnFlopsPerSample.value).toBe(50_000);
  });
});
