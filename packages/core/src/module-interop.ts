/**
 * CommonJS packages imported dynamically from ES modules: Node hands back a
 * namespace whose `default` is `module.exports`, while loaders such as `tsx`
 * and bundlers may hand back `module.exports` itself. Reading `.default`
 * alone works under one and crashes under the other.
 */

/** `module.exports` of a dynamically imported CommonJS package, however the loader wrapped it. */
export function commonJsExports<T>(namespace: unknown): T {
  const wrapped = (namespace as { default?: unknown } | null)?.default;
  return (wrapped ?? namespace) as T;
}
