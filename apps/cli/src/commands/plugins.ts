/** `neurobridge plugins [--json]`: what is registered, by kind. */
import type { ListedEntry, RuntimeListing } from "@neurobridge/core";
import type { Command } from "commander";
import { type GlobalOptions, printJson } from "../output.js";
import { createCliRuntime } from "../runtime.js";

const SECTIONS: readonly [keyof Omit<RuntimeListing, "plugins">, string][] = [
  ["neuronModels", "Neuron models"],
  ["encoders", "Encoders"],
  ["surrogates", "Surrogate gradients"],
  ["resets", "Reset mechanisms"],
  ["losses", "Losses"],
  ["backends", "Backends"],
];

function describeEntry(entry: ListedEntry): string {
  const params = (entry.params ?? []).map((p) => `${p.name}=${String(p.default)}`).join(", ");
  const tags = [entry.dynamics, entry.formula].filter((t) => typeof t === "string").join(", ");
  const lines = [
    `  ${entry.name.padEnd(14)} ${entry.description}${tags ? ` [${tags}]` : ""}${params ? ` (${params})` : ""} — ${entry.plugin}`,
  ];
  // Neuron models: the implementations registered for them (the compiled step, or the generic one, runs everything else).
  const kernels = entry.kernels as readonly { kind: string; plugin?: string }[] | undefined;
  if (kernels) {
    lines.push(
      `  ${"".padEnd(14)} kernels: ${kernels.length ? kernels.map((k) => k.kind).join(", ") : "none (its step, compiled, trains and evaluates)"}`,
    );
  }
  // Neuron models: the interchange formats they are written to and read from.
  const codecs = entry.codecs as readonly { format: string }[] | undefined;
  if (codecs?.length) lines.push(`  ${"".padEnd(14)} formats: ${codecs.map((c) => c.format).join(", ")}`);
  // Backends: what they can do.
  const c = entry.capabilities as { train?: boolean; eventDriven?: boolean; precisions?: readonly string[]; hosts?: string } | undefined;
  if (c) {
    const can = [c.train ? "trains" : "inference", c.eventDriven ? "event-driven" : "dense", ...(c.precisions ?? [])].join(", ");
    lines.push(`  ${"".padEnd(14)} ${can}${c.hosts ? `; hosts ${c.hosts}` : ""}`);
  }
  return lines.join("\n");
}

/** Formats a listing for people. */
export function formatListing(listing: RuntimeListing): string {
  const lines = [`Plugins: ${listing.plugins.map((p) => p.name).join(", ")}`];
  for (const [key, title] of SECTIONS) {
    lines.push("", `${title}:`);
    const entries = listing[key];
    lines.push(...(entries.length ? entries.map(describeEntry) : ["  (none)"]));
  }
  return lines.join("\n");
}

export function registerPluginsCommand(program: Command): void {
  program
    .command("plugins")
    .description("list registered neuron models, encoders, surrogate gradients, resets, losses and backends")
    .option("--json", "print one JSON object")
    .action(async (options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
      const listing = runtime.list();
      if (options.json) printJson(listing);
      else process.stdout.write(`${formatListing(listing)}\n`);
    });
}
