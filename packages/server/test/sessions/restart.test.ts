// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../src/baton-internals.js";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { createBaton } from "@baton/server";
import { register } from "../../src/accounts/register.js";
import { refresh } from "../../src/sessions/refresh.js";
import { logout } from "../../src/sessions/end-session.js";
import { ManualClock } from "../support/manual-clock.js";

const dir = mkdtempSync(join(tmpdir(), "baton-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = { ip: null, userAgent: null };

describe("a restart keeps what must survive", () => {
  it("keeps keys, secret and sessions, and does not bring a revoked token back", async () => {
    const clock = new ManualClock();
    const options = {
      databaseUrl: `sqlite:${join(dir, "baton.db")}`,
      clock,
      logger: false as const,
    };
    const first = await createBaton(options);
    expect(first.startup.signingKeyGenerated).toBeDefined();
    expect(first.startup.secretGeneratedAt).toBe(join(dir, "baton.secret"));
    expect(statSync(join(dir, "baton.secret")).mode & 0o777).toBe(0o600);
    const kept = await register(
      coreOf(first),
      { email: "kept@example.com", password: "correct horse battery" },
      meta,
    );
    const revoked = await register(
      coreOf(first),
      { email: "gone@example.com", password: "correct horse battery" },
      meta,
    );
    await logout(coreOf(first), { refreshToken: revoked.refreshToken }, meta);
    await first.close();

    const second = await createBaton(options);
    expect(second.startup.signingKeyGenerated).toBeUndefined();
    expect(second.startup.secretGeneratedAt).toBeUndefined();
    expect(second.startup.signingKeyId).toBe(first.startup.signingKeyId);
    await expect(second.authenticate(`Bearer ${kept.accessToken}`)).resolves.toMatchObject({
      userId: kept.user.id,
    });
    await expect(second.authenticate(`Bearer ${revoked.accessToken}`)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
    await expect(refresh(coreOf(second), kept.refreshToken, meta)).resolves.toMatchObject({
      user: { id: kept.user.id },
    });
    await second.close();
  });

  it("stores no refresh token, password or private key in plain text", async () => {
    const file = join(dir, "plain.db");
    const baton = await createBaton({ databaseUrl: `sqlite:${file}`, logger: false });
    const password = "a very particular password";
    const issued = await register(coreOf(baton), { email: "x@example.com", password }, meta);
    const rotated = await refresh(coreOf(baton), issued.refreshToken, meta);
    await baton.close();
    const db = new BetterSqlite3(file, { readonly: true });
    const dump = ["users", "sessions", "refresh_tokens", "signing_keys", "audit_events"]
      .map((table) => JSON.stringify(db.prepare(`select * from ${table}`).all()))
      .join("\n");
    db.close();
    const bytes = readFileSync(file).toString("latin1") + dump;
    for (const secret of [issued.refreshToken, rotated.refreshToken, password, issued.accessToken])
      expect(bytes).not.toContain(secret);
    expect(dump).not.toContain("PRIVATE KEY");
  });
});
