import { defineConfig } from "vite";

// Relative asset paths: the build runs from any folder, served by `neurobridge playground` or opened offline.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
});
