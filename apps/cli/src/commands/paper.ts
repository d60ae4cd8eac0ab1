/**
 * `neurobridge paper`: the whole study in one command — LIF science, both
 * networks, costs, the T sweep, figures and the report. Steps are cached in
 * `<out>/cache`, so a rerun after a crash or Ctrl-C resumes.
 */
import type { Command } from "commander";
import { printJson } from "../output.js";
import { createProgress } from "../progress.js";
import { positiveInt, seedOption } from "./options.js";
import { executorOf } from "./sweep.js";

interface PaperOptions {
  quick?: boolean;
  seed: string;
  force?: boolean;
  out: string;
  executor: string;
  redis?: string;
  concurrency?: string;
  json?: boolean;
}

async function runPaperCommand(o: PaperOptions): Promise<void> {
  const seed = seedOption(o.seed);
  // Local jobs: the pipeline's default executor, with the profile's process reuse (and --concurrency lanes, when given).
  const local = o.executor === "local" && o.redis === undefined;
  const concurrency = local && o.concurrency !== undefined ? positiveInt(o.concurrency, "--concurrency") : undefined;
  const executor = local
    ? undefined
    : await executorOf({
        executor: o.executor,
        attempts: "3",
        ...(o.redis ? { redis: o.redis } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);
  const progress = createProgress();
  let barStep = "";
  try {
    const { runPaper } = await import("@neurobridge/experiments");
    const results = await runPaper({
      out: o.out,
      quick: o.quick ?? false,
      seed,
      force: o.force ?? false,
      signal: controller.signal,
      ...(executor ? { executor } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      onSweepProgress: (p) => {
        const e = p.event;
        if (e && e.state !== "running")
          process.stderr.write(
            `  sweep: ${p.done}/${p.jobs} jobs done · ${p.failed} failed · ${e.id} ${e.state}${"error" in e ? `: ${e.error}` : ""}\n`,
          );
      },
      onStep: (e) => {
        if (barStep) {
          progress.stop();
          barStep = "";
        }
        if (e.done)
          process.stderr.write(
            `[${e.index + 1}/${e.total}] ${e.step}: ${e.cached ? "cached" : `done${e.seconds !== undefined ? ` in ${e.seconds.toFixed(1)} s` : ""}`}\n`,
          );
        else process.stderr.write(`[${e.index + 1}/${e.total}] ${e.step} …\n`);
      },
      onTrainProgress: (step, p) => {
        const label = `${step} epoch ${p.epoch}`;
        if (label !== barStep) {
          progress.start(label, p.batches, "batches");
          barStep = label;
        }
        progress.update(p.batch, `loss ${p.loss.toFixed(4)}, acc ${p.accuracy.toFixed(4)}`);
      },
    });
    progress.stop();
    const summary = {
      out: o.out,
      profile: results.meta.profile,
      wallSeconds: results.meta.wallSeconds,
      ffnnTestAccuracy: results.training.ffnn.testAccuracy,
      snnTestAccuracy: results.training.snn.testAccuracy,
      files: ["results.json", "report.html", "summary.md", ...results.figures.flatMap((f) => [f.files.svg, f.files.png])],
    };
    if (o.json) printJson(summary);
    else
      process.stdout.write(
        `wrote ${o.out}/report.html, summary.md, results.json and ${results.figures.length} figures in ${results.meta.wallSeconds.toFixed(1)} s\n`,
      );
  } catch (error) {
    progress.stop();
    if (controller.signal.aborted || (error as Error)?.name === "AbortError") {
      process.stderr.write(`neurobridge: interrupted; finished steps are cached in ${o.out}/cache. Rerun the same command to resume.\n`);
      process.exitCode = 130;
      return;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}

export function registerPaperCommand(program: Command): void {
  program
    .command("paper")
    .description("run the paper end to end: LIF science, FFNN and SNN on MNIST, costs, T sweep, figures and report")
    .option("--quick", "CI-sized run (MNIST subsets, 1 epoch) that exercises every step in a few minutes")
    .option("--seed <n>", "seed of every stochastic step", "42")
    .option("--force", "recompute every step instead of reusing cached ones")
    .option("--out <dir>", "output folder", "paper-run")
    .option(
      "--executor <name>",
      "where the T sweep's jobs run: local (processes on this machine) | bullmq (neurobridge worker processes)",
      "local",
    )
    .option("--redis <url>", "Redis of the bullmq executor, e.g. redis://127.0.0.1:6379")
    .option(
      "--concurrency <n>",
      "local executor: sweep jobs run at once (default: 2 with --quick, where process start-up dominates; else 1)",
    )
    .option("--json", "print one JSON object (output files, headline numbers)")
    .action((o: PaperOptions) => runPaperCommand(o));
}
