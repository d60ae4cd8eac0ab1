import { describe, expect, it } from "vitest";
import { codeFingerprint, pipelineCodeVersions } from "./code-version.js";

describe("pipeline code versions", () => {
  it("fingerprint each kind of step by the code it runs on: stable, and different where the code differs", () => {
    const a = pipelineCodeVersions();
    const b = pipelineCodeVersions();
    expect(a).toEqual(b);
    for (const v of Object.values(a)) expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(Object.values(a)).size).toBe(3);
    // Adding a package or a module changes the fingerprint.
    expect(codeFingerprint(["@neurobridge/core"])).not.toBe(codeFingerprint(["@neurobridge/core", "@neurobridge/mnist"]));
    expect(codeFingerprint(["@neurobridge/core"])).not.toBe(codeFingerprint(["@neurobridge/core"], ["experiments/lif"]));
  });
});
