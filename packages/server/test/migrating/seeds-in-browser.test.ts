/**
 * docs/migrating.md, seeds 001, 002 and 003: their browser code (examples/migrating/seed-00N/),
 * bundled as Vite would (esbuild, axios's browser build), run in a real Chromium against a real
 * Baton mounted in an Express app on the same origin. The host app's own routes are seed 003's
 * routes file as migrated (baton.requireRole) and a Bearer route for the other two. Both the
 * original and the migrated code run: the original shows what the diff fixes.
 *
 * Two things are the test's, not the seeds': each bundle gets this server's address where the
 * seed hard-codes `http://localhost:5000` or reads `import.meta.env.VITE_API_URL` (what a
 * deployment changes anyway), and the sign-in that seeds 001 and 003 do in components they do not
 * show is one `fetch` here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import express from "express";
import type { Browser, Page } from "playwright-core";
import { describeInBrowser, launchChromium } from "../../../../test-support/chromium.js";
import { createBaton, type Baton } from "@baton/server";
import { batonExpress } from "@baton/server/express";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";

const PASSWORD = "correct horse battery";
const ADMIN = { email: "admin@example.com", password: "admin password 123" };
const EXAMPLES = fileURLToPath(new URL("../../../../examples/migrating/", import.meta.url));
const BUNDLES: Record<string, string> = {
  "seed-001": "src/services/api.js",
  "seed-002": "src/auth.js",
  "seed-002-axios": "src/api.js",
  "seed-003": "src/api.js",
};

let baton: Baton;
let listener: ReturnType<ReturnType<typeof express>["listen"]>;
let origin: string;
let browser: Browser;
const scripts = new Map<string, string>();
/** Baton's clock runs this far ahead of the real one. */
let aheadMs = 0;
let answers = new Map<string, number>();
const count = (key: string) => answers.get(key) ?? 0;
let users = 0;

/** A seed's module as the page gets it, with this server's address where the seed names its own. */
async function bundle(entry: string): Promise<string> {
  const here: Plugin = {
    name: "backend-address",
    setup(plugin) {
      plugin.onLoad({ filter: /examples\/migrating\/.*\.js$/ }, (file) => ({
        contents: readFileSync(file.path, "utf8").replaceAll("http://localhost:5000", origin),
        loader: "js",
      }));
    },
  };
  const result = await build({
    stdin: {
      contents: `import * as seed from "./${entry}"; window.seed = seed;`,
      resolveDir: EXAMPLES,
      loader: "js",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    define: { "import.meta.env.VITE_API_URL": JSON.stringify(`${origin}/api`) },
    plugins: [here],
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  baton = await createBaton({
    databaseUrl: "sqlite::memory:",
    authRateLimit: 0,
    logger: false,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    clock: { now: () => Date.now() + aheadMs },
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
  const authOf = (request: express.Request) => (request as unknown as { auth: unknown }).auth;
  app.get("/api/data", baton.requireAuth(), (request, response) => {
    response.json({ auth: authOf(request) });
  });
  // Seed 003's routes file as migrated; its handlers read req.auth where they read req.user.
  const routes = createRequire(import.meta.url)(`${EXAMPLES}seed-003/baton/server/routes.cjs`) as (
    app: express.Express,
    handlers: Record<string, express.RequestHandler>,
    b: Baton,
  ) => void;
  routes(
    app,
    {
      getUsers: (request, response) => response.json({ users: [], by: authOf(request) }),
      getAppointments: (request, response) =>
        response.json({ appointments: [], by: authOf(request) }),
    },
    baton,
  );
  app.get(/^\/(login|auth)?$/, (_request, response) => {
    response.type("html").send("<!doctype html><title>seed</title>");
  });
  app.get("/:variant/:seed.js", (request, response) => {
    const script = scripts.get(`${request.params.variant}/${request.params.seed}`);
    if (script === undefined) response.sendStatus(404);
    else response.type("text/javascript").send(script);
  });
  listener = app.listen(0, "127.0.0.1");
  await once(listener, "listening");
  origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

  for (const [name, file] of Object.entries(BUNDLES)) {
    const seed = name.slice(0, 8);
    for (const variant of ["original", "baton"]) {
      scripts.set(`${variant}/${name}`, await bundle(`${seed}/${variant}/${file}`));
    }
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
  await baton?.close();
});

beforeEach(() => {
  answers = new Map();
  aheadMs = 0;
});

/** A fresh browser profile on the app's page, with the seed's module loaded as `window.seed`. */
async function page(variant: "original" | "baton", name: string): Promise<Page> {
  const context = await browser.newContext();
  const opened = await context.newPage();
  opened.on("pageerror", (error) => console.error(`[browser] ${error.message}`));
  await opened.goto(`${origin}/`);
  await opened.addScriptTag({ url: `/${variant}/${name}.js`, type: "module" });
  await opened.waitForFunction(() => "seed" in window);
  return opened;
}

/** Signs up (Baton's fetch, in the page) and returns the token response. */
function signUp(tab: Page, body: Record<string, unknown> = {}) {
  return tab.evaluate(
    async (body) => {
      const response = await fetch("/api/auth/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "include",
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    { email: `seed-${++users}-${Date.now()}@example.com`, password: PASSWORD, ...body },
  );
}

/** Every access token issued so far is expired: Baton's clock is past their 15 minutes. */
const expireAccessTokens = () => {
  aheadMs += 16 * 60_000;
  answers = new Map();
};

declare global {
  interface Window {
    seed: any;
  }
}

describeInBrowser("the seeds' browser code", () => {
  it("seed 001 migrated: the interceptor refreshes an expired token and retries; its authAPI works", async () => {
    const tab = await page("baton", "seed-001");
    const { body } = await signUp(tab);
    expireAccessTokens();
    const result = await tab.evaluate(async (token) => {
      window.seed.default.defaults.headers.common.Authorization = `Bearer ${token}`;
      const { data } = await window.seed.default.get("/data");
      const stored = JSON.parse(localStorage.getItem("auth") ?? "null");
      const refreshed = await window.seed.authAPI.refreshToken();
      await window.seed.authAPI.logout();
      return { data, stored, refreshed };
    }, body.accessToken);
    expect(result.data.auth.userId).toBe(body.user.id);
    expect(result.stored).toMatchObject({ token: expect.any(String), user: { id: body.user.id } });
    expect(result.refreshed.accessToken).toEqual(expect.any(String));
    expect(count("POST /api/auth/refresh 200")).toBe(2);
    expect(count("POST /api/auth/logout 204")).toBe(1);
  });

  it("seed 001 as it was: it reads `token` from the refresh answer and retries with `Bearer undefined`", async () => {
    const tab = await page("original", "seed-001");
    const { body } = await signUp(tab);
    expireAccessTokens();
    const status = await tab.evaluate((token) => {
      window.seed.default.defaults.headers.common.Authorization = `Bearer ${token}`;
      return window.seed.default.get("/data").then(
        () => 200,
        (error: any) => error.response?.status,
      );
    }, body.accessToken);
    expect(status).toBe(401);
    expect(count("POST /api/auth/refresh 200")).toBe(1);
    expect(count("GET /api/data 401")).toBe(2);
  });

  it("seed 002 migrated: sign-up with firstName + lastName, login, fetch and axios refresh on 401, logout", async () => {
    const tab = await page("baton", "seed-002");
    const email = `seed002-${Date.now()}@example.com`;
    const registered = await signUp(tab, { email, firstName: "John", lastName: "Doe" });
    expect(registered.status).toBe(201);
    expect(registered.body.user.name).toBe("John Doe");
    const login = await tab.evaluate(({ email, password }) => window.seed.login(email, password), {
      email,
      password: PASSWORD,
    });
    expect(login.token).toEqual(expect.any(String));
    expireAccessTokens();
    const fetched = await tab.evaluate(async () => {
      const response = await window.seed.apiCall("/api/data");
      return { status: response.status, body: await response.json() };
    });
    expect(fetched).toMatchObject({ status: 200, body: { auth: { userId: login.user.id } } });
    expect(count("POST /api/auth/refresh-token 200")).toBe(1);

    const axiosTab = await page("baton", "seed-002-axios");
    await axiosTab.evaluate(
      (token) => localStorage.setItem("accessToken", token),
      // The same browser's cookie is the other page's: sign in here too.
      (await signUp(axiosTab)).body.accessToken,
    );
    expireAccessTokens();
    const viaAxios = await axiosTab.evaluate(
      async () => (await window.seed.default.get("/data")).status,
    );
    expect(viaAxios).toBe(200);
    expect(count("POST /api/auth/refresh-token 200")).toBe(1);

    await Promise.all([
      tab.waitForURL(`${origin}/login`),
      tab.evaluate(() => void window.seed.logout()),
    ]);
    expect(count("POST /api/auth/logout 204")).toBe(1);
  });

  it("seed 002 as it was: it reads `token`, so every call carries `Bearer undefined`", async () => {
    const tab = await page("original", "seed-002");
    const email = `seed002-old-${Date.now()}@example.com`;
    await signUp(tab, { email });
    const result = await tab.evaluate(
      async ({ email, password }) => {
        const login = await window.seed.login(email, password);
        const response = await window.seed.apiCall("/api/data");
        return { token: login.token ?? null, status: response.status };
      },
      { email, password: PASSWORD },
    );
    expect(result).toEqual({ token: null, status: 401 });
  });

  it("seed 003 migrated: role from roles[], refresh on 401 (its hard-coded URL), background restore, 403 not refreshed", async () => {
    const tab = await page("baton", "seed-003");
    const signIn = (credentials: { email: string; password: string }) =>
      tab.evaluate(async (credentials) => {
        // What seed 003's Login component does with Baton's answer.
        const response = await fetch("/api/auth/login", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          credentials: "include",
          body: JSON.stringify(credentials),
        });
        const data = await response.json();
        window.seed.setAccessToken(data.accessToken);
        window.seed.setRole(data.user.roles[0]);
        return data;
      }, credentials);
    await signIn(ADMIN);
    expect(await tab.evaluate(() => window.seed.getRole())).toBe("admin");
    expireAccessTokens();
    const users = await tab.evaluate(() => window.seed.default("/api/admin/users"));
    expect(users.by.roles).toContain("admin");
    expect(count("POST /api/auth/refresh 200")).toBe(1);

    // The access token is gone but the role is not: the monitor restores the session.
    const detail = await tab.evaluate(
      () =>
        new Promise((resolve) => {
          window.addEventListener("tokenRefreshed", (event: any) => resolve(event.detail), {
            once: true,
          });
          localStorage.removeItem("accessToken");
          window.seed.startTokenMonitoring();
        }),
    );
    expect(detail).toMatchObject({ accessToken: expect.any(String), role: "admin" });
    await tab.evaluate(() => window.seed.stopTokenMonitoring());

    // A patient (role "user") on the doctor's route: 403, and no refresh that could not help.
    const patient = await signUp(tab);
    await signIn({ email: patient.body.user.email, password: PASSWORD });
    answers = new Map();
    const refused = await tab.evaluate(() =>
      window.seed.default("/api/doctor/appointments").catch((error: unknown) => error),
    );
    expect(refused).toEqual({ error: { code: "FORBIDDEN", message: expect.any(String) } });
    expect(count("POST /api/auth/refresh 200")).toBe(0);
  });

  it("seed 003 as it was: the refresh answer has no `role`, and a 403 costs a refresh", async () => {
    const tab = await page("original", "seed-003");
    const patient = await signUp(tab);
    await tab.evaluate((token) => window.seed.setAccessToken(token), patient.body.accessToken);
    answers = new Map();
    const refused = await tab.evaluate(() =>
      window.seed.default("/api/doctor/appointments").catch((error: unknown) => error),
    );
    expect(refused).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(count("POST /api/auth/refresh 200")).toBe(1);
    expect(count("GET /api/doctor/appointments 403")).toBe(2);
  });
});
