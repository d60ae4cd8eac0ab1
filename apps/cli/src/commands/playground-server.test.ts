import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servePlayground } from "./playground.js";

/** One raw request (the URL is sent as written, unlike fetch). */
function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: { host: options.host ?? `127.0.0.1:${port}` } },
      (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("the playground server", () => {
  const root = mkdtempSync(join(tmpdir(), "nb-serve-"));
  const outside = mkdtempSync(join(tmpdir(), "nb-outside-"));
  let close: () => void = () => {};
  let port = 0;
  beforeAll(async () => {
    writeFileSync(join(root, "index.html"), "<h1>hi</h1>");
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "assets", "a.js"), "1");
    writeFileSync(join(outside, "secret.txt"), "secret");
    symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
    const { server, url } = await servePlayground(root, 0);
    port = Number(new URL(url).port);
    close = () => server.close();
  });
  afterAll(() => close());

  it("serves its files, and answers HEAD without a body", async () => {
    expect(await get(port, "/")).toEqual({ status: 200, body: "<h1>hi</h1>" });
    expect(await get(port, "/assets/a.js")).toEqual({ status: 200, body: "1" });
    expect(await get(port, "/", { method: "HEAD" })).toEqual({ status: 200, body: "" });
  });

  it("refuses what it must, and no single request takes it down", async () => {
    expect((await get(port, "/%")).status).toBe(400);
    expect((await get(port, "/%E0%A4%A")).status).toBe(400);
    expect((await get(port, "/../../etc/passwd")).status).toBeGreaterThanOrEqual(403);
    expect(await get(port, "/link.txt")).toMatchObject({ status: 403 });
    expect(await get(port, "/nope")).toMatchObject({ status: 404 });
    expect(await get(port, "/assets")).toMatchObject({ status: 404 });
    expect(await get(port, "/", { method: "POST" })).toMatchObject({ status: 405 });
    expect(await get(port, "/", { host: "evil.example:80" })).toMatchObject({ status: 421 });
    // Still alive after all of that.
    expect(await get(port, "/")).toEqual({ status: 200, body: "<h1>hi</h1>" });
  });
});
