import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkQueuedJob, checkReturnedRecord } from "./queue-checks.js";
import { checkJobId, type JobRecord, type JobSpec, JobStore, jobId } from "./store.js";

const config = { model: "ffnn", epochs: 1 };
const job: JobSpec = { id: jobId("train", config, "0123456789abcdef"), kind: "train", config, code: "0123456789abcdef" };
const record: JobRecord = {
  format: "neurobridge.sweep-job",
  version: 1,
  id: job.id,
  kind: job.kind,
  config: job.config,
  code: job.code,
  result: { testAccuracy: 0.9 },
  attempt: 1,
  seconds: 2.5,
  host: "h",
  finishedAt: "2026-12-05T00:00:00Z",
};

describe("what a queue hands back", () => {
  it("accepts a job whose id is the hash of its kind, config and code, and nothing else", () => {
    expect(checkQueuedJob({ job })).toEqual(job);
    expect(() => checkQueuedJob({ job: { ...job, id: "../../etc" } })).toThrow(/"\.\.\/\.\.\/etc" is not a sweep job id/);
    expect(() => checkQueuedJob({ job: { ...job, config: { ...config, epochs: 99 } } })).toThrow(
      /does not hash to its kind, config and code/,
    );
    expect(() => checkQueuedJob({ nope: 1 })).toThrow(/is not \{ job: \{ id, kind, config, code \} \}/);
    expect(() => checkJobId("0123456789ABCDEF")).toThrow(/not a sweep job id/);
  });

  it("accepts only the record of the job it asked for", () => {
    expect(checkReturnedRecord(record, job)).toBe(record);
    expect(() => checkReturnedRecord({ ...record, id: "ffffffffffffffff" }, job)).toThrow(/names job "ffffffffffffffff"/);
    expect(() => checkReturnedRecord({ ...record, config: { model: "snn" } }, job)).toThrow(/has another config/);
    expect(() => checkReturnedRecord({ ...record, seconds: "fast" }, job)).toThrow(/has no run time/);
    expect(() => checkReturnedRecord({ ...record, result: 42 }, job)).toThrow(/has no result object/);
    expect(() => checkReturnedRecord("hello", job)).toThrow(/is not a sweep job record/);
  });

  it("keeps every path of the store inside it", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-store-"));
    const store = new JobStore(dir);
    expect(() => store.put({ ...record, id: "../../escape" })).toThrow(/is not a sweep job id/);
    expect(() => store.workDir("../outside")).toThrow(/is not a sweep job id/);
    expect(() => store.fail("/tmp/x", "e", 1)).toThrow(/is not a sweep job id/);
    expect(readdirSync(join(dir, ".."))).not.toContain("escape");
    store.put(record);
    expect(store.get(job.id)).toEqual(record);
  });
});
