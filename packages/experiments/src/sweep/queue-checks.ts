/**
 * What a shared queue hands back is data from another machine, not a trusted
 * value: a job's id becomes a path in the store, its record a row of the
 * results. Everything read from Redis passes these checks first — the id is
 * the content hash of the job, so a job whose id does not hash to its kind,
 * config and code was forged or damaged, and a record that does not match its
 * job is refused rather than stored under another id.
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { stableStringify } from "../cache.js";
import { checkJobId, type JobRecord, type JobSpec, jobId } from "./store.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A queued job's spec, or `QUEUE_FORGED` naming what does not hold (its id must be the hash of the rest). */
export function checkQueuedJob(value: unknown): JobSpec {
  const job = isObject(value) && isObject(value.job) ? value.job : undefined;
  if (!job || typeof job.kind !== "string" || typeof job.code !== "string" || !("config" in job)) {
    throw new NeuroBridgeError("QUEUE_FORGED", "a queued job is not { job: { id, kind, config, code } }; refused");
  }
  const id = checkJobId(job.id);
  const expected = jobId(job.kind, job.config, job.code);
  if (id !== expected) {
    throw new NeuroBridgeError("QUEUE_FORGED", `queued job ${id} does not hash to its kind, config and code (${expected}); refused`);
  }
  return { id, kind: job.kind, config: job.config, code: job.code };
}

/** The record a worker returned for `job`, or `QUEUE_FORGED` naming the field that does not match. */
export function checkReturnedRecord(value: unknown, job: JobSpec): JobRecord {
  const bad = (what: string): never => {
    throw new NeuroBridgeError("QUEUE_FORGED", `the result returned for job ${job.id} ${what}; refused`);
  };
  if (!isObject(value) || value.format !== "neurobridge.sweep-job" || value.version !== 1) return bad("is not a sweep job record");
  if (value.id !== job.id) return bad(`names job ${JSON.stringify(value.id)}`);
  if (value.kind !== job.kind || value.code !== job.code) return bad("names another kind or code");
  if (stableStringify(value.config) !== stableStringify(job.config)) return bad("has another config");
  if (!(Number.isInteger(value.attempt) && (value.attempt as number) >= 1)) return bad("has no attempt number");
  if (!(typeof value.seconds === "number" && Number.isFinite(value.seconds) && value.seconds >= 0)) return bad("has no run time");
  if (!isObject(value.result)) return bad("has no result object");
  return value as unknown as JobRecord;
}
