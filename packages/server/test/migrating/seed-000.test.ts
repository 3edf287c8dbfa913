/**
 * docs/migrating.md, seed 000 (chat app: Express + mongoose backend, React + axios frontend): the
 * seed's own client code (examples/migrating/seed-000/) run in Node with the real axios against a
 * real Baton mounted in an Express app, whose own route is guarded by the seed's middleware as
 * migrated (@baton/verify, reading `sub`). The original code runs too, to show what the diff fixes.
 *
 * Node's axios keeps no cookies: the test gives every axios instance (through `axios.defaults`,
 * which `axios.create` copies) an adapter that does what the browser does for the seed's page,
 * keep the cookies the server sets and send them back. Everything else is the seed's code.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import axios, { type AxiosAdapter } from "axios";
import express from "express";
import { createBaton, type Baton } from "@baton/server";
import { batonExpress } from "@baton/server/express";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const PASSWORD = "correct horse battery";
const FIXTURES = "../../../../examples/migrating/seed-000";

let baton: Baton;
let listener: ReturnType<ReturnType<typeof express>["listen"]>;
let origin: string;
/** Baton's clock runs this far behind the real one (the resource server's verifier uses the real one). */
let batonBehindMs = 0;
/** "METHOD path status" → count, since the last reset. */
let answers = new Map<string, number>();
const count = (key: string) => answers.get(key) ?? 0;
let users = 0;
/** The backend's User model, as its middleware imported it. */
let User: UserModel;
let verifySocket: (socket: object, next: (error?: Error) => void) => Promise<void>;
const jar = new Map<string, string>();
const httpAdapter = axios.getAdapter("http");
const defaultAdapter = axios.defaults.adapter;

/** The seed's own User collection: profile records keyed by the id Baton gives the account. */
type UserModel = { add(user: { _id: string; fullName: string }): void };

const withCookies: AxiosAdapter = async (config) => {
  if (jar.size > 0)
    config.headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
  const keep = (setCookie: unknown) => {
    for (const line of (setCookie as string[] | undefined) ?? []) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  try {
    const response = await httpAdapter(config);
    keep(response.headers["set-cookie"]);
    return response;
  } catch (error) {
    if (axios.isAxiosError(error)) keep(error.response?.headers["set-cookie"]);
    throw error;
  }
};

beforeAll(async () => {
  baton = await createBaton({
    databaseUrl: "sqlite::memory:",
    authRateLimit: 0,
    logger: false,
    clock: { now: () => Date.now() - batonBehindMs },
  });
  const app = express();
  app.use((request, response, next) => {
    response.on("finish", () => {
      const key = `${request.method} ${request.path} ${response.statusCode}`;
      answers.set(key, count(key) + 1);
    });
    next();
  });
  app.use(batonExpress(baton));
  listener = app.listen(0, "127.0.0.1");
  await once(listener, "listening");
  origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

  // The seed's environment: Vite's VITE_BACKEND_URL for the frontend, the JWKS URL for the backend.
  vi.stubEnv("VITE_BACKEND_URL", origin);
  vi.stubEnv("BATON_JWKS_URL", `${origin}/.well-known/jwks.json`);
  const middlewares = await import(`${FIXTURES}/baton/backend/middlewares/auth.js`);
  const { verifyToken } = middlewares;
  verifySocket = middlewares.verifySocket;
  User = (
    (await import(`${FIXTURES}/baton/backend/models/user-model.js`)) as { default: UserModel }
  ).default;
  app.get("/api/messages/users", verifyToken, (request, response) => {
    response.json({ me: (request as unknown as { user: unknown }).user });
  });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
  await baton?.close();
});

beforeEach(() => {
  // A new browser: no cookies. Every axios instance created from now on keeps them.
  jar.clear();
  answers = new Map();
  batonBehindMs = 0;
  axios.defaults.adapter = withCookies;
  // The seed logs every failed check to the console; the assertions say what happened.
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

afterEach(() => {
  axios.defaults.adapter = defaultAdapter;
  vi.restoreAllMocks();
});

/** React's state, as the seed's AuthContext keeps it. */
function appState() {
  const state = {
    authUser: null as any,
    loading: true,
    socketFor: null as any,
    toasts: [] as string[],
  };
  return {
    state,
    setAuthUser: (user: unknown) => (state.authUser = user),
    setLoading: (loading: boolean) => (state.loading = loading),
    connectSocket: (user: unknown) => (state.socketFor = user),
    toast: {
      success: (text: string) => state.toasts.push(`ok: ${text}`),
      error: (text: string) => state.toasts.push(`error: ${text}`),
    },
  };
}

/** The seed's modules, fresh (their token lives in module state, as in a page). */
async function seedClient(variant: "original" | "baton") {
  vi.resetModules();
  const instance = await import(`${FIXTURES}/${variant}/frontend/src/lib/axiosInstance.js`);
  const { createAuthActions } = await import(
    `${FIXTURES}/${variant}/frontend/context/auth-actions.js`
  );
  const app = appState();
  return { ...instance, ...createAuthActions(app), state: app.state };
}

const signUpFields = () => ({
  fullName: "Ada Lovelace",
  email: `seed000-${++users}-${Date.now()}@example.com`,
  password: PASSWORD,
});

describe("seed 000's client, migrated (examples/migrating/seed-000/baton)", () => {
  it("signs up with fullName, calls the backend, refreshes the expired token once, restores, logs out", async () => {
    const seed = await seedClient("baton");
    // Tokens issued now are already expired for the backend: the first call will need a refresh.
    batonBehindMs = 16 * 60_000;
    const signup = await seed.login("signup", signUpFields());
    expect(signup).toMatchObject({ success: true, isSignup: true, user: { name: "Ada Lovelace" } });
    expect(seed.state.socketFor).toEqual(signup.user);
    const userId: string = signup.user.id;
    // The app keeps its own profile record for the account, under Baton's id (`sub`).
    User.add({ _id: userId, fullName: "Ada Lovelace" });
    batonBehindMs = 0;

    const { data } = await seed.default.get("/api/messages/users");
    expect(data.me).toEqual({ _id: userId, fullName: "Ada Lovelace" });
    // The interceptor's bodiless refresh (a form content type from axios in Node) was accepted.
    expect(count("GET /api/messages/users 401")).toBe(1);
    expect(count("POST /api/auth/refresh-token 200")).toBe(1);
    expect(count("GET /api/messages/users 200")).toBe(1);

    // A reload: the memory is gone, the cookie is not.
    const reloaded = await seedClient("baton");
    await reloaded.checkAuth();
    expect(reloaded.state).toMatchObject({ loading: false, authUser: { id: userId } });
    expect(reloaded.getAccessToken()).toEqual(expect.any(String));

    // The socket middleware, migrated the same way.
    const socket: Record<string, any> = {
      handshake: { auth: { token: reloaded.getAccessToken() } },
    };
    const socketError = await new Promise((resolve) => {
      void verifySocket(socket, resolve);
    });
    expect(socketError).toBeUndefined();
    expect(socket.userId).toBe(userId);

    await reloaded.logout();
    expect(count("POST /api/auth/logout 204")).toBe(1);
    const afterLogout = await seedClient("baton");
    await afterLogout.checkAuth();
    expect(afterLogout.state).toMatchObject({ loading: false, authUser: null });
  });

  it("a sign-up form that sends fields Baton does not keep gets a 400 naming them", async () => {
    const seed = await seedClient("baton");
    const result = await seed.login("signup", { ...signUpFields(), bio: "Hi" });
    expect(result).toEqual({
      success: false,
      message:
        "body/bio is not an accepted field (accepted: email, password, name, fullName, firstName, lastName, transport)",
    });
  });

  it("the backend answers the seed's messages for a missing, forged or expired token", async () => {
    const call = (authorization?: string) =>
      axios.get(`${origin}/api/messages/users`, {
        headers: authorization === undefined ? {} : { authorization },
        validateStatus: () => true,
      });
    expect((await call()).data).toEqual({ message: "Access Token required" });
    expect((await call("Bearer not.a.token")).data).toEqual({ message: "Invalid token" });
    const seed = await seedClient("baton");
    batonBehindMs = 16 * 60_000;
    await seed.login("signup", signUpFields());
    expect((await call(`Bearer ${seed.getAccessToken()}`)).data).toEqual({
      message: "Token expired",
    });
  });
});

describe("seed 000's client as it was (examples/migrating/seed-000/original)", () => {
  it("its sign-up reaches Baton (201, fullName accepted) but reads {success, token, userData}", async () => {
    const seed = await seedClient("original");
    const result = await seed.login("signup", signUpFields());
    expect(count("POST /api/auth/signup 201")).toBe(1);
    expect(result).toEqual({ success: false, message: undefined });
    expect(seed.getAccessToken()).toBeNull();
  });

  it("its bodiless refresh is accepted (200), but it looks for data.success and stays signed out", async () => {
    const seed = await seedClient("original");
    // Signed in by the migrated code in the same browser: the cookie is there.
    const migrated = await seedClient("baton");
    await migrated.login("signup", signUpFields());
    await seed.checkAuth();
    expect(count("POST /api/auth/refresh-token 200")).toBe(1);
    expect(seed.state.authUser).toBeNull();
  });
});
