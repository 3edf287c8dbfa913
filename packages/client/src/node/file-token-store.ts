/// <reference types="node" />
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { TokenStore } from "../token-store.js";

/**
 * A {@link TokenStore} in a JSON file, for CLIs and services: `{"refreshToken": "…"}`, created with
 * mode `0600` (owner only) inside a directory created with `0700`. Writes go to a temporary file
 * that is renamed over the old one, so a crash mid-write never leaves a half-written token.
 * One process per file: two processes sharing it would rotate the token under each other.
 *
 * @example
 * ```ts
 * import { createAuthClient } from "@baton/client";
 * import { createFileTokenStore } from "@baton/client/node";
 *
 * const client = createAuthClient({
 *   baseUrl: "https://auth.example.com/api/auth",
 *   transport: "body",
 *   tokenStore: createFileTokenStore(`${process.env.HOME}/.config/mycli/session.json`),
 * });
 * ```
 */
export function createFileTokenStore(path: string): TokenStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        const token = (parsed as { refreshToken?: unknown } | null)?.refreshToken;
        return typeof token === "string" && token !== "" ? token : null;
      } catch {
        // A corrupt file is a missing session, not a crash at start-up.
        return null;
      }
    },
    async save(refreshToken) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify({ refreshToken }), { mode: 0o600 });
        // `mode` is masked by the umask on creation; make sure it really is owner-only.
        await chmod(temporary, 0o600);
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
