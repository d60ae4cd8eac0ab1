/**
 * Benchmark: an F–I sweep of 1001 currents (0–1000 pA) × 1 s at dt = 0.1 ms,
 * i.e. 10 million neuron-steps, for both integrators. Prints a table; the
 * target is well under a second on one core.
 */
import { cpus } from "node:os";
import { FI_PROTOCOLS, fiCurve, lifParameters } from "@neurobridge/neurons-lif";
import { formatBenchTable, measure } from "../bench.js";

const p = lifParameters();
const sweep = { from: 0, to: 1000e-12, step: 1e-12 };
const neuronSteps = 1001 * 10_000;

const rows = [];
const json: Record<string, number> = {};
for (const integrator of ["euler", "exact"] as const) {
  const protocol = { ...FI_PROTOCOLS.steady, integrator };
  let count = 0;
  const stats = await measure(
    `F–I sweep 1001 × 1 s, dt 0.1 ms, ${integrator}`,
    () => {
      count = fiCurve(p, sweep, protocol).rows.length;
    },
    { warmup: 1, runs: 5 },
  );
  if (count !== 1001) throw new Error(`expected 1001 rows, got ${count}`);
  json[integrator] = stats.medianMs;
  rows.push({ ...stats, note: `${(((neuronSteps / stats.medianMs) * 1e3) / 1e6).toFixed(0)} M neuron-steps/s` });
}
process.stdout.write(`${formatBenchTable(rows)}\n(${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, single thread)\n`);
process.stdout.write(`RESULT_JSON ${JSON.stringify({ medianMs: json })}\n`);
