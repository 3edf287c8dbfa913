// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../src/baton-internals.js";
import { createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBaton,
  openStore,
  startServer,
  type Baton,
  type RunningServer,
  type Store,
} from "@baton/server";
import { reloadSigningKeys } from "../../src/maintenance/key-rotation.js";
import { TestClient } from "../support/http-client.js";
import { ManualClock } from "../support/manual-clock.js";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../support/services.js";

// Issue 13 item 1: ES256 and RS256 key rings next to EdDSA, with the same life cycle, and a
// JWT_ALG change on a running deployment that invalidates no live token.

type Algorithm = "EdDSA" | "ES256" | "RS256";
const PASSWORD = "correct horse battery";
const headerOf = (token: string) => decodeProtectedHeader(token);

/** A Baton over one SQLite file and one root secret, restartable with other options. */
function deployment() {
  const dir = mkdtempSync(join(tmpdir(), "baton-algs-"));
  const clock = new ManualClock();
  const secret = randomBytes(32).toString("base64url");
  let running: RunningServer | undefined;
  return {
    clock,
    async start(jwtAlg: Algorithm): Promise<RunningServer> {
      await running?.close();
      running = await startServer({
        databaseUrl: `sqlite:${join(dir, "baton.db")}`,
        secret,
        jwtAlg,
        clock,
        logger: false,
        authRateLimit: 0,
        port: 0,
        host: "127.0.0.1",
        configure(app, baton) {
          app.get("/api/private", { preHandler: baton.requireAuth() }, (request) => request.auth);
        },
      });
      return running;
    },
    async close() {
      await running?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function register(server: RunningServer, email: string): Promise<string> {
  const response = await new TestClient(server.url).post("/api/auth/register", {
    email,
    password: PASSWORD,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.accessToken as string;
}

async function accepted(server: RunningServer, token: string): Promise<boolean> {
  const client = new TestClient(server.url);
  const [me, guarded] = await Promise.all([
    client.get("/api/auth/me", token),
    client.get("/api/private", token),
  ]);
  expect(me.status).toBe(guarded.status);
  return me.status === 200;
}

const jwksOf = async (server: RunningServer) =>
  (await new TestClient(server.url).get("/.well-known/jwks.json")).body as { keys: JWK[] };

describe.each(["EdDSA", "ES256", "RS256"] as const)("JWT_ALG=%s", (alg) => {
  const setup = deployment();
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await setup.start(alg);
    token = await register(server, "ada@example.com");
  });
  afterAll(() => setup.close());

  it("signs with a key of that algorithm, published in the JWKS with kty, alg, use and kid", async () => {
    const { keys } = await jwksOf(server);
    expect(keys).toHaveLength(1);
    const [key] = keys as [JWK];
    expect(headerOf(token)).toEqual({ alg, kid: key.kid, typ: "at+jwt" });
    expect(key).toMatchObject({ alg, use: "sig", kid: expect.any(String) });
    expect(key).not.toHaveProperty("d");
    const expected = { EdDSA: { kty: "OKP", crv: "Ed25519" }, ES256: { kty: "EC", crv: "P-256" } };
    if (alg === "RS256") {
      expect(key.kty).toBe("RSA");
      const publicKey = createPublicKey({ key: key as JsonWebKey, format: "jwk" });
      expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    } else expect(key).toMatchObject(expected[alg]);
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
      algorithms: [alg],
      typ: "at+jwt",
      currentDate: new Date(setup.clock.now()),
    });
    expect(payload.sub).toEqual(expect.any(String));
    expect(await accepted(server, token)).toBe(true);
  });

  it("keeps the private key sealed at rest", async () => {
    const [record] = await server.baton.store.listSigningKeys();
    expect(record).toMatchObject({ alg, retiredAt: null });
    const signingKey = coreOf(server.baton).accessTokens.keyRing.active.signingKey as KeyObject;
    const { d } = signingKey.export({ format: "jwk" });
    expect(record!.sealedPrivateKey).not.toContain("PRIVATE KEY");
    expect(record!.sealedPrivateKey).not.toContain(d);
  });

  it("rotates to a new key of the same algorithm; the old key keeps verifying", async () => {
    const rotated = await server.baton.rotateKeys();
    expect(rotated.alg).toBe(alg);
    const fresh = await register(server, "bob@example.com");
    expect(headerOf(fresh)).toMatchObject({ alg, kid: rotated.kid });
    expect(await accepted(server, token)).toBe(true);
    expect((await jwksOf(server)).keys.map((key) => key.alg)).toEqual([alg, alg]);
  });
});

describe("changing JWT_ALG on a running deployment", () => {
  const setup = deployment();
  afterAll(() => setup.close());

  it("rotates to a key of the new algorithm at startup; live tokens of the old keys keep verifying until they expire", async () => {
    const tokens: Record<string, string> = {};
    let server = await setup.start("EdDSA");
    tokens.EdDSA = await register(server, "ada@example.com");
    for (const alg of ["ES256", "RS256"] as const) {
      server = await setup.start(alg);
      tokens[alg] = await register(server, `${alg}@example.com`);
      expect(headerOf(tokens[alg]).alg).toBe(alg);
      expect(server.baton.startup.signingKeyGenerated).toBe(headerOf(tokens[alg]).kid);
    }
    for (const token of Object.values(tokens)) expect(await accepted(server, token)).toBe(true);
    const published = (await jwksOf(server)).keys.map((key) => [key.kid, key.alg]);
    expect(published).toEqual(
      expect.arrayContaining(
        Object.entries(tokens).map(([alg, token]) => [headerOf(token).kid, alg]),
      ),
    );
    const keys = await server.baton.store.listSigningKeys();
    expect(keys.filter((key) => key.retiredAt === null).map((key) => key.alg)).toEqual(["RS256"]);

    // Restarting with the same JWT_ALG rotates nothing.
    server = await setup.start("RS256");
    expect(server.baton.startup.signingKeyGenerated).toBeUndefined();
    expect(await server.baton.store.listSigningKeys()).toHaveLength(3);

    // A token lives 15 min (+5 s leeway): after that the retired keys leave the ring and the JWKS.
    setup.clock.advance(15 * 60_000 + 6_000);
    server = await setup.start("RS256");
    expect((await jwksOf(server)).keys.map((key) => key.alg)).toEqual(["RS256"]);
    expect(await accepted(server, await register(server, "late@example.com"))).toBe(true);
  });
});

const postgres = await serviceAvailable("PostgreSQL", probePostgres);

/**
 * The store of one instance, with one interleaving forced: its first look at the keys is
 * answered, but it stores no key before the other instance has looked too. So both see the old
 * key as the active one and both rotate: the race two instances starting at once can run into.
 */
function racingStore(
  store: Store,
  race: { looked: number; bothLooked: Promise<void>; go(): void },
) {
  let looked = false;
  return new Proxy(store, {
    get(target, name) {
      if (name === "listSigningKeys")
        return async () => {
          const keys = await target.listSigningKeys();
          if (!looked && ++race.looked === 2) race.go();
          looked = true;
          return keys;
        };
      if (name === "addSigningKey")
        return async (record: Parameters<Store["addSigningKey"]>[0]) => {
          await race.bothLooked;
          return target.addSigningKey(record);
        };
      const value: unknown = Reflect.get(target, name);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe.runIf(postgres)("two instances starting at once with a new JWT_ALG (PostgreSQL)", () => {
  it("converge on one new active key of that algorithm; the old key keeps verifying on both", async () => {
    const schema = await freshPostgresSchema();
    const shared = {
      secret: randomBytes(32).toString("base64url"),
      logger: false as const,
      authRateLimit: 0,
    };
    const instances: Baton[] = [];
    const stores: Store[] = [];
    const subject = { sub: "u1", sid: "s1", roles: [], ver: 0, emailVerified: false };
    try {
      const first = await createBaton({ ...shared, databaseUrl: schema.url, jwtAlg: "EdDSA" });
      const old = coreOf(first).accessTokens.sign(subject);
      await first.close();

      let go!: () => void;
      const race = { looked: 0, bothLooked: new Promise<void>((resolve) => (go = resolve)), go };
      stores.push(await openStore(schema.url), await openStore(schema.url));
      const [a, b] = await Promise.all(
        stores.map((store) =>
          createBaton({ ...shared, store: racingStore(store, race), jwtAlg: "ES256" }),
        ),
      );
      instances.push(a!, b!);
      // Both generated a key (the race happened) ...
      expect(a!.startup.signingKeyGenerated).toBeDefined();
      expect(b!.startup.signingKeyGenerated).toBeDefined();
      expect(a!.startup.signingKeyGenerated).not.toBe(b!.startup.signingKeyGenerated);
      // ... and one of them is the active key, for both.
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      const active = await client.query<{ kid: string; alg: string }>(
        "select kid, alg from signing_keys where retired_at is null",
      );
      await client.end();
      expect(active.rows).toHaveLength(1);
      expect(active.rows[0]!.alg).toBe("ES256");
      for (const instance of [a!, b!]) {
        await reloadSigningKeys(coreOf(instance));
        expect(coreOf(instance).accessTokens.keyRing.active.kid).toBe(active.rows[0]!.kid);
      }
      for (const signer of [a!, b!]) {
        const signed = coreOf(signer).accessTokens.sign(subject);
        expect(headerOf(signed.token).alg).toBe("ES256");
        for (const verifier of [a!, b!]) {
          await expect(coreOf(verifier).accessTokens.verify(signed.token)).resolves.toBeDefined();
          await expect(coreOf(verifier).accessTokens.verify(old.token)).resolves.toBeDefined();
        }
      }
    } finally {
      for (const instance of instances) await instance.close();
      for (const store of stores) await store.close();
      await schema.drop();
    }
  });
});
