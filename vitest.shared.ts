import { defineConfig, type ViteUserConfig } from "vitest/config";

/**
 * One vitest configuration for every package. Workspace packages resolve to
 * their TypeScript sources through the `@neurobridge/source` export condition,
 * so a test never runs against a stale `dist/`.
 */
export function sharedVitestConfig(overrides: ViteUserConfig["test"] = {}): ViteUserConfig {
  const conditions = ["@neurobridge/source", "import", "module", "node", "default"];
  return defineConfig({
    // Test files are outside the packages' build tsconfig, so say explicitly
    // what tsconfig.base.json says: legacy (experimental) decorators with
    // metadata, as tsyringe needs.
    oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@neurobridge/source"] } },
    test: {
      environment: "node",
      setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 20_000,
      ...overrides,
    },
  });
}
