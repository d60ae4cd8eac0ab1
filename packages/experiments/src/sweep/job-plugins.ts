/**
 * Plugins a train job needs (a grid's `plugins` setting: module specifiers,
 * as `--plugin` takes them, or file URLs). A job names them in its config, so
 * its id covers them and every process that runs it — a local job process or
 * a queue worker on another machine — imports the same modules.
 *
 * Planning a sweep is synchronous (a kind's `configure`), importing is not:
 * {@link JobKind.prepare} imports them first, and `configure` reads them here.
 */
import { importPlugin, type NeuroBridgePlugin, type ValidationIssue } from "@neurobridge/core";

const loaded = new Map<string, NeuroBridgePlugin>();

/** `value` as a list of module specifiers, or the issue saying what is accepted. */
function specifiers(value: unknown, where: string): { list: string[]; issues: ValidationIssue[] } {
  if (value === undefined) return { list: [], issues: [] };
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.length > 0)) {
    return {
      list: [],
      issues: [{ path: `${where}.plugins`, message: "must be an array of plugin modules (paths, file URLs or package names)" }],
    };
  }
  return { list: value as string[], issues: [] };
}

/** Imports the plugins `value` names (once per process), so that {@link jobPlugins} can give them synchronously. */
export async function loadJobPlugins(value: unknown): Promise<void> {
  for (const module of specifiers(value, "").list) {
    if (!loaded.has(module)) loaded.set(module, await importPlugin({ module }));
  }
}

/** The plugins `value` names, loaded by {@link loadJobPlugins}; every one missing or malformed is an issue. */
export function jobPlugins(value: unknown, where: string): { plugins: NeuroBridgePlugin[]; issues: ValidationIssue[] } {
  const { list, issues } = specifiers(value, where);
  const plugins: NeuroBridgePlugin[] = [];
  for (const module of list) {
    const plugin = loaded.get(module);
    if (plugin) plugins.push(plugin);
    else issues.push({ path: `${where}.plugins`, message: `plugin module '${module}' is not loaded (a sweep loads it before planning)` });
  }
  return { plugins, issues };
}
