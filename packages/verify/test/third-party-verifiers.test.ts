import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import { expressjwt } from "express-jwt";
import { createVerifier as fastJwtVerifier } from "fast-jwt";
import buildGetJwks from "get-jwks";
import { createRemoteJWKSet, jwtVerify } from "jose";
import jwt from "jsonwebtoken";
import jwksRsa from "jwks-rsa";
import passport from "passport";
import { ExtractJwt, Strategy as JwtStrategy } from "passport-jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@baton/server";
import { createVerifier } from "@baton/verify";
import { jwksUrl, signIn, startBaton } from "./baton-fixture.js";

// Issue 13 item 1: which common verifier libraries can check Baton's tokens, per algorithm,
// measured here against a running Baton's JWKS. Every library gets a real token (it must accept
// it) and the same token with its claims changed (it must refuse it). The measured table is
// docs/verify.md's: the last test keeps the two in step.

const ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;
type Algorithm = (typeof ALGORITHMS)[number];
const ISSUER = "baton";
const AUDIENCE = "baton";

/** What a library did with the real token (undefined: accepted) and with the tampered one. */
interface Outcome {
  real: string | undefined;
  tampered: string | undefined;
}
type Verify = (token: string, alg: Algorithm, baton: RunningServer) => Promise<void>;

/** Runs a verification and reports why it refused, if it did. */
async function refusal(verify: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await verify();
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) return String(error);
    // fast-jwt wraps the reason of a failed key fetch.
    const { originalError } = error as { originalError?: unknown };
    return originalError instanceof Error
      ? `${error.message} (${originalError.message})`
      : error.message;
  }
}

/** A resource server as its authors' READMEs write it; answers the status of GET /notes. */
async function guardedApp(guard: express.RequestHandler): Promise<{
  status(token: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}> {
  const app = express();
  app.get("/notes", guard, (_request, response) => {
    response.json({ ok: true });
  });
  // The libraries report why they refused through next(error).
  app.use((error: Error, _request: express.Request, response: express.Response, _next: unknown) => {
    response.status(401).send(error.message);
  });
  const listener = app.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/notes`;
  return {
    async status(token) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.text() };
    },
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}

async function throughApp(app: Awaited<ReturnType<typeof guardedApp>>, token: string) {
  const { status, body } = await app.status(token);
  if (status !== 200) throw new Error(body || `status ${status}`);
}

const apps = new Map<string, Awaited<ReturnType<typeof guardedApp>>>();
const appFor = async (name: string, make: () => express.RequestHandler) => {
  if (!apps.has(name)) apps.set(name, await guardedApp(make()));
  return apps.get(name)!;
};

const LIBRARIES: Record<string, Verify> = {
  "`@baton/verify`": async (token, _alg, baton) => {
    await createVerifier({ jwksUrl: jwksUrl(baton), issuer: ISSUER, audience: AUDIENCE }).verify(
      token,
    );
  },
  "`jose` (`createRemoteJWKSet` + `jwtVerify`)": async (token, alg, baton) => {
    await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl(baton))), {
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: "at+jwt",
    });
  },
  "`jsonwebtoken` + `jwks-rsa`": async (token, alg, baton) => {
    const { kid } = jwt.decode(token, { complete: true })!.header;
    const key = await jwksRsa({ jwksUri: jwksUrl(baton) }).getSigningKey(kid);
    jwt.verify(token, key.getPublicKey(), {
      algorithms: [alg as jwt.Algorithm],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  },
  "`express-jwt` + `jwks-rsa`": async (token, alg, baton) => {
    const app = await appFor(`express-jwt ${baton.url} ${alg}`, () =>
      expressjwt({
        secret: jwksRsa.expressJwtSecret({ jwksUri: jwksUrl(baton) }),
        algorithms: [alg as jwt.Algorithm],
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
    );
    await throughApp(app, token);
  },
  "`passport-jwt` + `jwks-rsa`": async (token, alg, baton) => {
    const name = `baton-${alg}-${baton.url}`;
    const app = await appFor(`passport-jwt ${baton.url} ${alg}`, () => {
      passport.use(
        name,
        new JwtStrategy(
          {
            secretOrKeyProvider: jwksRsa.passportJwtSecret({ jwksUri: jwksUrl(baton) }),
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            algorithms: [alg as jwt.Algorithm],
            issuer: ISSUER,
            audience: AUDIENCE,
          },
          (payload: unknown, done: (error: unknown, user?: unknown) => void) => done(null, payload),
        ),
      );
      // passport answers a bare 401; its failure callback tells why.
      return (request, response, next) =>
        passport.authenticate(
          name,
          { session: false },
          (error: unknown, user: unknown, info: unknown) => {
            if (user) return next();
            const reason = error ?? info;
            response.status(401).send(reason instanceof Error ? reason.message : String(reason));
          },
        )(request, response, next);
    });
    await throughApp(app, token);
  },
  "`fast-jwt` + `get-jwks` (as `@fastify/jwt` uses them)": async (token, alg, baton) => {
    const getJwks = buildGetJwks();
    const verify = fastJwtVerifier({
      key: async ({ header }: { header: Record<string, string> }) =>
        getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: baton.url }),
      algorithms: [alg],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
    });
    await verify(token);
  },
};

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
/** PyJWT (Debian's python3-jwt), one process for every token: a list in, a list of refusals out. */
const PYJWT_SCRIPT = `
import json, sys, jwt
results = []
for case in json.load(sys.stdin):
    try:
        key = jwt.PyJWKClient(case["jwks"]).get_signing_key_from_jwt(case["token"]).key
        jwt.decode(case["token"], key, algorithms=[case["alg"]], issuer="${ISSUER}",
                   audience="${AUDIENCE}", options={"require": ["exp", "iat", "sub", "jti"]})
        results.append(None)
    except Exception as error:
        results.append(f"{type(error).__name__}: {error}")
print(json.dumps(results))
`;
const PYJWT = "PyJWT (`PyJWKClient` + `jwt.decode`)";

function pyjwt(cases: { token: string; alg: Algorithm; jwks: string }[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ["-c", PYJWT_SCRIPT], (error, stdout, stderr) => {
      if (error) reject(new Error(`${PYTHON}: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin!.end(JSON.stringify(cases));
  });
}

/** The token with one claim changed under its original signature. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as object;
  const forged = Buffer.from(JSON.stringify({ ...claims, roles: ["admin"] })).toString("base64url");
  return `${header}.${forged}.${signature}`;
}

const measured: Record<string, Record<Algorithm, Outcome>> = {};

describe("third-party verifiers against a running Baton, per algorithm", () => {
  const batons = {} as Record<Algorithm, RunningServer>;
  const tokens = {} as Record<Algorithm, string>;
  beforeAll(async () => {
    await Promise.all(
      ALGORITHMS.map(async (alg) => {
        batons[alg] = await startBaton({ jwtAlg: alg });
        tokens[alg] = (await signIn(batons[alg], "ada@example.com")).accessToken;
      }),
    );
    for (const name of Object.keys(LIBRARIES)) measured[name] = {} as never;
    measured[PYJWT] = {} as never;
    await Promise.all(
      Object.entries(LIBRARIES).flatMap(([name, verify]) =>
        ALGORITHMS.map(async (alg) => {
          measured[name]![alg] = {
            real: await refusal(() => verify(tokens[alg], alg, batons[alg])),
            tampered: await refusal(() => verify(tampered(tokens[alg]), alg, batons[alg])),
          };
        }),
      ),
    );
    const python = await pyjwt(
      ALGORITHMS.flatMap((alg) =>
        [tokens[alg], tampered(tokens[alg])].map((token) => ({
          token,
          alg,
          jwks: jwksUrl(batons[alg]),
        })),
      ),
    );
    ALGORITHMS.forEach((alg, index) => {
      measured[PYJWT]![alg] = {
        real: python[2 * index] ?? undefined,
        tampered: python[2 * index + 1] ?? undefined,
      };
    });
  });
  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    await Promise.all(ALGORITHMS.map((alg) => batons[alg]?.close()));
  });

  // A library verifies an algorithm (✓) when it accepts Baton's token and refuses the tampered
  // one; else the cell says why it refused Baton's token, in its own words.
  const cell = ({ real, tampered }: Outcome) =>
    real !== undefined
      ? `✗ \`${real.replaceAll("|", "\\|")}\``
      : tampered === undefined
        ? "ACCEPTS A TAMPERED TOKEN"
        : "✓";
  const doc = readFileSync(new URL("../../../docs/verify.md", import.meta.url), "utf8");

  it.each([...Object.keys(LIBRARIES), PYJWT])("%s: docs/verify.md shows what it did", (name) => {
    const row = `| ${name} | ${ALGORITHMS.map((alg) => cell(measured[name]![alg])).join(" | ")} |`;
    console.info(`[verifiers] ${row}`);
    expect(doc).toContain(row);
  });
});
