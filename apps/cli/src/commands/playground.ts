/**
 * `neurobridge playground [--port N]`: serves the built playground
 * (`apps/playground/dist`) on 127.0.0.1 only. `--port 0` picks a free port.
 * The page works offline: every asset, the bundled network included, comes
 * from this server.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { DataFileError, NeuroBridgeError } from "@neurobridge/core";
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

/** Host names a loopback server answers to (DNS rebinding sends other names). */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The static file a request names inside `root` (real paths: symlinks cannot lead out), or the status to answer. */
function resolveRequest(root: string, url: string): { file: string } | { status: number; text: string } {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, "http://127.0.0.1").pathname);
  } catch {
    return { status: 400, text: "bad request: malformed URL" };
  }
  if (path.includes("\0")) return { status: 400, text: "bad request" };
  const file = normalize(join(root, path === "/" ? "index.html" : path));
  if (!file.startsWith(root + sep) && file !== root) return { status: 403, text: "forbidden" };
  if (!existsSync(file)) return { status: 404, text: "not found" };
  const real = realpathSync(file);
  if (!real.startsWith(root + sep)) return { status: 403, text: "forbidden" };
  if (!statSync(real).isFile()) return { status: 404, text: "not found" };
  return { file: real };
}

/** Starts the static server on 127.0.0.1; resolves with the server and its URL. */
export function servePlayground(root: string, port: number): Promise<{ server: Server; url: string }> {
  const realRoot = realpathSync(root);
  const server = createServer((req, res) => {
    try {
      const text = (status: number, body: string, extra: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...extra }).end(req.method === "HEAD" ? undefined : body);
      if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed", { allow: "GET, HEAD" });
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (!LOOPBACK_HOSTS.has(host)) return text(421, "this server answers loopback host names only");
      const found = resolveRequest(realRoot, req.url ?? "/");
      if ("status" in found) return text(found.status, found.text);
      const body = readFileSync(found.file);
      res.writeHead(200, {
        "content-type": TYPES[extname(found.file)] ?? "application/octet-stream",
        "content-length": String(body.length),
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      // No single request takes the server down.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    }
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
      if (port > 65535) throw new NeuroBridgeError("OPTION_INVALID", `--port: expected 0…65535, got ${port}`);
      const { server, url } = await servePlayground(playgroundRoot(), port);
      process.stdout.write(`NeuroBridge playground: ${url}  (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
