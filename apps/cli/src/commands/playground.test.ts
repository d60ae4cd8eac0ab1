/**
 * Browser test: the real playground page, served by `neurobridge playground`,
 * driven in Debian's Chromium (playwright-core, /usr/bin/chromium; CI
 * installs it with apt-get). Screenshots go to apps/cli/test-artifacts/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const BIN = fileURLToPath(new URL("../../bin/neurobridge.js", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

describe("the playground in Chromium", () => {
  let server: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set CHROMIUM_PATH`,
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    server = spawn(process.execPath, [BIN, "playground", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
        if (m) resolve(m[0]);
      });
      server.stderr?.on("data", (chunk: Buffer) => reject(new Error(chunk.toString())));
      server.once("exit", (code) => reject(new Error(`playground server exited with ${code}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector("body[data-lif-ready='true']");
    await page.waitForSelector("body[data-snn-ready='true']", { timeout: 30_000 });
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
  });

  const rateHz = async () => Number(await page.locator("#rate").getAttribute("data-hz"));

  it("moves the current from 150 pA to 350 pA: the rate goes from 0 to what the CLI computes", async () => {
    await page.locator("#current").fill("150");
    await expect.poll(() => page.locator("#rate").textContent()).toBe("0.00 Hz");
    await page.locator("#current").fill("350");
    await expect.poll(rateHz).toBeGreaterThan(0);
    const cli = runCli([
      "lif",
      "simulate",
      "--current",
      "350pA",
      "--duration",
      "300ms",
      "--dt",
      "0.1ms",
      "--integrator",
      "euler",
      "--json",
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const expected = JSON.parse(cli.stdout).rateHz as number;
    expect(await rateHz()).toBeCloseTo(expected, 6);
    expect(await page.locator("#rate").textContent()).toBe(`${expected.toFixed(2)} Hz`);
    expect(await page.locator("#rheobase").textContent()).toBe("200.0 pA");
    expect(await page.locator("#fits").textContent()).toMatch(/ReLU R² = 0\.9\d+, sigmoid R² = 0\.9\d+/);
    // Keyboard: the range input moves with the arrow keys and updates the rate.
    await page.locator("#current-range").focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.locator("#current").inputValue()).toBe("355");
    await page.screenshot({ path: `${ARTIFACTS}playground-1280x800.png`, fullPage: true });
  }, 60_000);

  it("switches to the non-dimensional view and applies the seed page's preset", async () => {
    await page.locator("#dimensionless").check();
    await expect.poll(() => page.locator("#rate").textContent()).toMatch(/spikes per τ_m/);
    await page.locator("#dimensionless").uncheck();
    await page.getByRole("button", { name: "Seed page example" }).click();
    await expect.poll(() => page.locator("#analytic-rate").textContent()).toMatch(/^38\.\d\d Hz$/);
  }, 60_000);

  it("classifies a drawn digit and shows each layer's raster", async () => {
    const pad = page.locator("#pad");
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error("no drawing pad");
    // A "1": one vertical stroke.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let k = 1; k <= 20; k++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.035 * k));
    await page.mouse.up();
    await expect.poll(() => page.locator("#prediction").getAttribute("data-digit")).toBe("1");
    expect(await page.locator("#rasters canvas").count()).toBe(3);
    expect(await page.locator("#counts rect").count()).toBe(10);
    // The plots package's layer-activity spec, rendered live by vega: one line per layer.
    await expect.poll(() => page.locator("#activity svg [aria-roledescription='line mark']").count()).toBe(3);
    await page.getByRole("button", { name: "Show a test digit" }).click();
    await expect.poll(() => page.locator("#prediction").getAttribute("data-digit")).toBe("0");
    await page.screenshot({ path: `${ARTIFACTS}playground-snn.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}playground-narrow.png`, fullPage: true });
  }, 60_000);
});
