import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureFolder, lockFolder, writeDurable, writeFileDurable } from "./files.js";

const scratch = () => mkdtempSync(join(tmpdir(), "nb-files-"));

describe("files written for users", () => {
  it("makes nested folders, and names what is in the way: an empty path, a file, a dangling link", () => {
    const dir = scratch();
    ensureFolder(join(dir, "a", "b", "c"));
    expect(existsSync(join(dir, "a", "b", "c"))).toBe(true);
    writeFileSync(join(dir, "file"), "x");
    expect(() => ensureFolder("")).toThrow(/an empty path is not a folder/);
    expect(() => ensureFolder(join(dir, "file"))).toThrow(/file: is a file, not a folder; give a folder/);
    expect(() => ensureFolder(join(dir, "file", "sub"))).toThrow(/file: is a file, not a folder; .*sub cannot be made under it/);
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    expect(() => ensureFolder(join(dir, "dangling"))).toThrow(/dangling: is a symbolic link to something that does not exist/);
  });

  it("does not hang where Node's recursive mkdir does (/proc), and says why it failed", () => {
    expect(() => ensureFolder("/proc/neurobridge-test/x")).toThrow(/\/proc\/neurobridge-test: cannot create the folder/);
  });

  it("leaves no temporary behind when a write fails, and the old file whole", () => {
    const dir = scratch();
    writeFileDurable(join(dir, "model.onnx"), "old");
    mkdirSync(join(dir, "model.onnx.tmp-dir"));
    // The rename fails: the target name is taken by a folder with content.
    mkdirSync(join(dir, "taken"));
    writeFileSync(join(dir, "taken", "inside"), "x");
    expect(() => writeDurable(dir, "taken", "new", () => {})).toThrow(/taken: cannot write \(/);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual(["model.onnx.tmp-dir"]);
    expect(readFileSync(join(dir, "model.onnx"), "utf8")).toBe("old");
    expect(() => writeFileDurable("", "x")).toThrow(/an empty path is not a file name/);
  });

  it("names a folder where the lock file belongs", () => {
    const dir = scratch();
    mkdirSync(join(dir, ".lock"));
    expect(() => lockFolder(dir)).toThrow(/\.lock: is a folder where the lock file belongs; remove it/);
    const free = scratch();
    const lock = lockFolder(free);
    expect(readFileSync(join(free, ".lock"), "utf8")).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(join(free, ".lock"))).toBe(false);
  });
});
