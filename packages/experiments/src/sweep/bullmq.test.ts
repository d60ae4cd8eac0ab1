import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BullmqExecutor } from "./bullmq.js";
import { JobStore, jobId } from "./store.js";

const REDIS = process.env.REDIS_SERVER ?? "redis-server";

describe("the BullMQ executor", () => {
  it("ends a sweep whose Redis went away with one message naming it, instead of stack traces and a wait for ever", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-bullmq-lost-"));
    const socket = join(dir, "redis.sock");
    const server = spawn(REDIS, ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const deadline = Date.now() + 10_000;
    while (!existsSync(socket) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
    const config = { x: 1 };
    const job = { id: jobId("square", config, "c"), kind: "square", config, code: "c" };
    const executor = new BullmqExecutor({ redis: `unix://${socket}`, pollMs: 100, lostAfterSeconds: 2 });
    const events: string[] = [];
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
    try {
      // No worker: the job waits in the queue until Redis stops.
      setTimeout(() => server.kill("SIGKILL"), 1000);
      const t0 = Date.now();
      await expect(executor.run([job], new JobStore(join(dir, "store")), (e) => events.push(e.state))).rejects.toThrow(
        /--redis: lost Redis at unix:\/\/.*redis\.sock for 2 s .*rerun the sweep to collect them/,
      );
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      console.error = original;
      server.kill("SIGKILL");
    }
    // Nothing was recorded against the job from a poll that outlived the deadline.
    expect(events).not.toContain("failed");
    expect(errors.filter((e) => /ENOENT|ECONNREFUSED/.test(e))).toEqual([]);
  }, 30_000);
});
