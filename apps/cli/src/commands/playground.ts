/**
 * `neurobridge playground [--port N]`: serves the built playground
 * (`apps/playground/dist`) on 127.0.0.1 only. `--port 0` picks a free port.
 * The page works offline: every asset, the bundled network included, comes
 * from this server.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { DataFileError } from "@neurobridge/core";
import type { Command } from "commander";
import { positiveInt } from "./options.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
  ".md": "text/markdown; charset=utf-8",
};

/** The built playground folder. */
export function playgroundRoot(): string {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve("@neurobridge/playground/package.json")), "dist");
  if (!existsSync(join(root, "index.html"))) {
    throw new DataFileError(root, "the playground is not built; run `npm run build` first");
  }
  return root;
}

/** Starts the static server on 127.0.0.1; resolves with the server and its URL. */
export function servePlayground(root: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new DataFileError(
          `127.0.0.1:${port}`,
          error.code === "EADDRINUSE" ? "the port is in use; choose another with --port (0 picks a free one)" : error.message,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

export function registerPlaygroundCommand(program: Command): void {
  program
    .command("playground")
    .description("serve the interactive LIF playground and SNN digit classifier on http://127.0.0.1")
    .option("--port <n>", "port (0: any free port)", "5178")
    .action(async (o: { port: string }) => {
      const port = positiveInt(o.port, "--port", 0);
      const { server, url } = await servePlayground(playgroundRoot(), port);
      process.stdout.write(`NeuroBridge playground: ${url}  (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
