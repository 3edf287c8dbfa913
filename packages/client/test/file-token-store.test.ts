import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileTokenStore } from "../src/node/file-token-store.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "baton-store-"));
  dirs.push(dir);
  return join(dir, "nested", "session.json");
}

describe("createFileTokenStore", () => {
  it("round-trips the refresh token in an owner-only file, creating its directory", async () => {
    const path = await tempPath();
    const store = createFileTokenStore(path);
    expect(await store.load()).toBeNull();
    await store.save("rt-1");
    await store.save("rt-2");
    expect(await store.load()).toBe("rt-2");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ refreshToken: "rt-2" });
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
    // No temporary files left behind.
    expect(await readdir(join(path, ".."))).toEqual(["session.json"]);
    await store.clear();
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it("treats a corrupt file as no session rather than crashing", async () => {
    const path = await tempPath();
    const store = createFileTokenStore(path);
    await store.save("rt");
    await writeFile(path, "{ not json");
    expect(await store.load()).toBeNull();
  });
});
