import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { decodeJwt } from "jose";
import { TestClient, type ApiResponse } from "../support/http-client.js";

/**
 * Random interleavings of the account and session operations against real Baton instances, with
 * a model of what must be true once each batch of concurrent requests has returned:
 *
 * - no request is ever answered 5xx;
 * - once a revoking request (logout, logout-all, session revoke, password change, role change,
 *   user deletion) has returned, every token it revoked is refused by every instance within the
 *   propagation bound, and stays refused;
 * - no session opened with a password that a password change superseded survives the change,
 *   whatever order the login and the change ran in;
 * - a session nobody revoked keeps working on every instance (no false revocation);
 * - wrong-password guesses evaluated for an account never exceed its lockout budget.
 *
 * The schedule is drawn from a seed (printed; set BATON_INTERLEAVING_SEED to replay it); what runs
 * concurrently inside the servers is up to them, which is the point.
 */

export interface InterleavingTarget {
  name: string;
  /** Base URLs of the instances; each operation goes to one of them, chosen by the schedule. */
  urls: string[];
  /** How long after a revoking request returns every instance must refuse what it revoked. */
  propagationMs: number;
  admin: { email: string; password: string };
  /** Wrong-password guesses that may be evaluated for one account within the test. */
  guessBudget: number;
  /** How many steps (batches of concurrent operations) to run. */
  steps: number;
  seed: number;
}

export interface InterleavingReport {
  seed: number;
  steps: number;
  operations: number;
  byKind: Record<string, number>;
  /** Distinct combinations of operation kinds that ran in one batch. */
  distinctBatches: number;
  checks: number;
  violations: string[];
}

const KINDS = [
  "login",
  "refresh",
  "refresh",
  "refresh-twice",
  "logout",
  "logout-all",
  "revoke-other",
  "change-password",
  "set-roles",
  "delete-user",
  "register",
  "guess",
] as const;
type Kind = (typeof KINDS)[number];

interface Pick {
  kind: Kind;
  /** Which user/device/instance: resolved against the model when the step runs. */
  a: number;
  b: number;
  instance: number;
  /** Milliseconds after the batch starts: spreads the requests over each other's critical sections. */
  delay: number;
}

const pickArb: fc.Arbitrary<Pick> = fc.record({
  kind: fc.constantFrom(...KINDS),
  a: fc.nat(1_000_000),
  b: fc.nat(1_000_000),
  instance: fc.nat(1_000),
  delay: fc.nat(60),
});

interface UserModel {
  id: string;
  email: string;
  password: string;
  roles: string[];
  devices: Device[];
  /** Guessed at only (no other operation), so its lockout budget is measured alone. */
  victim: boolean;
  evaluatedGuesses: number;
}

interface Device {
  user: UserModel;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** The access token predates a role change: it must be refused until the next refresh. */
  stale: boolean;
}

/** What an operation did, applied to the model once the whole batch has returned. */
type Effect =
  | { type: "opened"; user: UserModel; tokens: Tokens[]; passwordUsed: string }
  | { type: "registered"; user: UserModel; tokens: Tokens }
  | { type: "refreshed"; device: Device; tokens: Tokens }
  | { type: "refused"; device: Device; code: string }
  | { type: "ended"; device: Device }
  | { type: "ended-all"; user: UserModel }
  | { type: "password-changed"; device: Device; tokens: Tokens; password: string }
  | { type: "roles-set"; user: UserModel; roles: string[] }
  | { type: "deleted"; user: UserModel }
  | { type: "guessed"; user: UserModel; evaluated: number }
  | { type: "none" };

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const GUESS_BURST = 4;
const LOGIN_BURST = 3;
const ROLE_SETS = [["user"], ["user", "staff"], ["user", "editor"]];

export async function runInterleavings(target: InterleavingTarget): Promise<InterleavingReport> {
  const schedule = fc.sample(
    fc.array(fc.array(pickArb, { minLength: 3, maxLength: 10 }), {
      minLength: target.steps,
      maxLength: target.steps,
    }),
    { seed: target.seed, numRuns: 1 },
  )[0]!;
  const report: InterleavingReport = {
    seed: target.seed,
    steps: 0,
    operations: 0,
    byKind: {},
    distinctBatches: 0,
    checks: 0,
    violations: [],
  };
  const batches = new Set<string>();
  const clients = target.urls.map((url) => new FreshAddressClient(url));
  const on = (instance: number) => clients[instance % clients.length]!;
  const violation = (text: string) => {
    if (report.violations.length < 50) report.violations.push(text);
  };
  const answered = (what: string, response: ApiResponse) => {
    if (response.status >= 500)
      violation(`${what} answered ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };

  const admin = await signIn(on(0), target.admin.email, target.admin.password);
  const users: UserModel[] = [];
  const newUser = async (victim: boolean) => {
    const user: UserModel = {
      id: "",
      email: `u${randomBytes(6).toString("hex")}@example.com`,
      password: `pw-${randomBytes(8).toString("hex")}`,
      roles: ["user"],
      devices: [],
      victim,
      evaluatedGuesses: 0,
    };
    const response = await on(0).post("/api/auth/register", {
      email: user.email,
      password: user.password,
      transport: "body",
    });
    if (response.status !== 201) throw new Error(`setup: register answered ${response.status}`);
    user.id = response.body.user.id as string;
    if (!victim) user.devices.push(device(user, tokensOf(response)));
    users.push(user);
    return user;
  };
  // Few users, so that operations on the same account meet in one batch often.
  for (let i = 0; i < 4; i++) await newUser(false);
  for (let i = 0; i < 2; i++) await newUser(true);

  /** Devices whose tokens must be refused from now on, with when their revocation returned. */
  const revoked: { device: Device; since: number; why: string }[] = [];

  for (const [stepIndex, picks] of schedule.entries()) {
    const active = users.filter((user) => !user.victim);
    const devices = active.flatMap((user) => user.devices);
    const passwordsAtStart = new Map(users.map((user) => [user, user.password]));
    const runs: Promise<Effect>[] = [];
    const kinds: string[] = [];
    // At most one password or role change per user and step, so the model knows the outcome.
    const changing = new Set<string>();
    for (const pick of picks) {
      const client = on(pick.instance);
      const user = active[pick.a % Math.max(1, active.length)];
      const dev = devices[pick.a % Math.max(1, devices.length)];
      if (pick.kind === "change-password" || pick.kind === "set-roles") {
        const key = `${pick.kind} ${(pick.kind === "set-roles" ? user : dev?.user)?.id ?? ""}`;
        if (changing.has(key)) continue;
        changing.add(key);
      }
      const start = operation(pick, client, user, dev);
      if (start === undefined) continue;
      const run = pick.delay === 0 ? start() : later(pick.delay).then(start);
      kinds.push(pick.kind);
      report.byKind[pick.kind] = (report.byKind[pick.kind] ?? 0) + 1;
      runs.push(run);
    }
    const effects = await Promise.all(runs);
    const returnedAt = performance.now();
    report.operations += runs.length;
    report.steps += 1;
    batches.add([...kinds].sort().join(","));
    apply(effects, passwordsAtStart, returnedAt, `step ${stepIndex}`);
    await check(returnedAt);
  }
  report.distinctBatches = batches.size;
  return report;

  function operation(
    pick: Pick,
    client: TestClient,
    user: UserModel | undefined,
    dev: Device | undefined,
  ): (() => Promise<Effect>) | undefined {
    switch (pick.kind) {
      case "login":
        if (user === undefined) return undefined;
        return async () => {
          // Several devices at once: what races a password change or a deletion of the account.
          const password = user.password;
          const responses = await Promise.all(
            Array.from({ length: LOGIN_BURST }, () =>
              client.post("/api/auth/login", { email: user.email, password, transport: "body" }),
            ),
          );
          const opened = responses
            .map((response) => answered("login", response))
            .filter((response) => response.status === 200)
            .map((response) => tokensOf(response));
          return { type: "opened", user, tokens: opened, passwordUsed: password };
        };
      case "register":
        return async () => {
          const fresh: UserModel = {
            id: "",
            email: `u${randomBytes(6).toString("hex")}@example.com`,
            password: `pw-${randomBytes(8).toString("hex")}`,
            roles: ["user"],
            devices: [],
            victim: false,
            evaluatedGuesses: 0,
          };
          const response = answered(
            "register",
            await client.post("/api/auth/register", {
              email: fresh.email,
              password: fresh.password,
              transport: "body",
            }),
          );
          if (response.status !== 201) {
            violation(`register answered ${response.status}`);
            return { type: "none" };
          }
          fresh.id = response.body.user.id as string;
          return { type: "registered", user: fresh, tokens: tokensOf(response) };
        };
      case "refresh":
      case "refresh-twice":
        if (dev === undefined) return undefined;
        return async () => {
          const token = dev.refreshToken;
          const attempts = pick.kind === "refresh" ? 1 : 2;
          const responses = await Promise.all(
            Array.from({ length: attempts }, () =>
              client.post("/api/auth/refresh", { refreshToken: token }),
            ),
          );
          for (const response of responses) answered("refresh", response);
          const ok = responses.filter((response) => response.status === 200);
          const given = new Set(ok.map((response) => response.body.refreshToken as string));
          if (given.size > 1) violation("racing refreshes of one token got different tokens");
          if (ok[0] !== undefined)
            return { type: "refreshed", device: dev, tokens: tokensOf(ok[0]) };
          const code = (responses[0]!.body as { error?: { code?: string } }).error?.code ?? "";
          return { type: "refused", device: dev, code: `${responses[0]!.status} ${code}` };
        };
      case "logout":
        if (dev === undefined) return undefined;
        return async () => {
          const response = answered(
            "logout",
            await client.post("/api/auth/logout", { refreshToken: dev.refreshToken }),
          );
          return response.status === 204 ? { type: "ended", device: dev } : { type: "none" };
        };
      case "logout-all":
        if (dev === undefined) return undefined;
        return async () => {
          const response = answered(
            "logout-all",
            await client.post("/api/auth/logout-all", undefined, { token: dev.accessToken }),
          );
          return response.status === 204 ? { type: "ended-all", user: dev.user } : { type: "none" };
        };
      case "revoke-other": {
        if (dev === undefined) return undefined;
        const others = dev.user.devices.filter((other) => other !== dev);
        const victim = others[pick.b % Math.max(1, others.length)];
        if (victim === undefined) return undefined;
        return async () => {
          const response = answered(
            "revoke session",
            await client.request("DELETE", `/api/auth/sessions/${victim.sessionId}`, {
              token: dev.accessToken,
            }),
          );
          return response.status === 204 ? { type: "ended", device: victim } : { type: "none" };
        };
      }
      case "change-password":
        if (dev === undefined) return undefined;
        return async () => {
          const password = `pw-${randomBytes(8).toString("hex")}`;
          const response = answered(
            "password change",
            await client.post(
              "/api/auth/password",
              { currentPassword: dev.user.password, newPassword: password, transport: "body" },
              { token: dev.accessToken },
            ),
          );
          return response.status === 200
            ? { type: "password-changed", device: dev, tokens: tokensOf(response), password }
            : { type: "none" };
        };
      case "set-roles":
        if (user === undefined) return undefined;
        return async () => {
          const choices = ROLE_SETS.filter((set) => set.join(",") !== user.roles.join(","));
          const roles = choices[pick.b % choices.length]!;
          const response = answered(
            "set roles",
            await client.request("PUT", `/api/auth/admin/users/${user.id}/roles`, {
              json: { roles },
              token: admin.accessToken,
            }),
          );
          return response.status === 200 ? { type: "roles-set", user, roles } : { type: "none" };
        };
      case "delete-user":
        // Deletions are rarer than the rest, so users live long enough to race everything else.
        if (user === undefined || pick.b % 3 !== 0) return undefined;
        return async () => {
          const response = answered(
            "delete user",
            await client.request("DELETE", `/api/auth/admin/users/${user.id}`, {
              token: admin.accessToken,
            }),
          );
          return response.status === 204 ? { type: "deleted", user } : { type: "none" };
        };
      case "guess": {
        const victims = users.filter((candidate) => candidate.victim);
        const victim = victims[pick.a % victims.length];
        if (victim === undefined) return undefined;
        return async () => {
          // A burst, as an attacker sends them: the budget must hold however many arrive at once.
          const responses = await Promise.all(
            Array.from({ length: GUESS_BURST }, () =>
              client.post("/api/auth/login", {
                email: victim.email,
                password: `wrong-${randomBytes(4).toString("hex")}`,
                transport: "body",
              }),
            ),
          );
          for (const response of responses) {
            answered("guess", response);
            if (response.status === 200) violation("a wrong password signed in");
          }
          return {
            type: "guessed",
            user: victim,
            evaluated: responses.filter((response) => response.status === 401).length,
          };
        };
      }
    }
  }

  function apply(
    effects: Effect[],
    passwordsAtStart: Map<UserModel, string>,
    returnedAt: number,
    step: string,
  ): void {
    const end = (target: Device, why: string) => {
      const list = target.user.devices;
      const index = list.indexOf(target);
      if (index >= 0) list.splice(index, 1);
      if (!revoked.some((entry) => entry.device === target))
        revoked.push({ device: target, since: returnedAt, why: `${why} (${step})` });
    };
    const opened: Device[] = [];
    /** Devices holding an access token issued during this step. */
    const issued = new Set<Device>();
    // Tokens first: a refresh that raced a logout still hands out tokens, and those must die too.
    for (const effect of effects) {
      if (effect.type === "refreshed" || effect.type === "password-changed") {
        Object.assign(effect.device, effect.tokens, { stale: false });
        issued.add(effect.device);
      }
    }
    for (const effect of effects) {
      if (effect.type === "opened") {
        for (const tokens of effect.tokens) {
          const fresh = device(effect.user, tokens);
          fresh.user.devices.push(fresh);
          opened.push(fresh);
          issued.add(fresh);
        }
      }
      if (effect.type === "registered") {
        effect.user.devices.push(device(effect.user, effect.tokens));
        users.push(effect.user);
      }
    }
    for (const effect of effects) {
      switch (effect.type) {
        case "ended":
          end(effect.device, "logged out or revoked");
          break;
        case "ended-all":
          // A login that raced the logout-all may legitimately have opened its session after it:
          // such sessions are neither required dead nor alive, so they leave the model.
          for (const target of [...effect.user.devices]) {
            if (opened.includes(target))
              effect.user.devices.splice(effect.user.devices.indexOf(target), 1);
            else end(target, "logout-all");
          }
          break;
        case "password-changed": {
          // Strict: every other session dies, including logins with the old password that raced.
          const user = effect.device.user;
          user.password = effect.password;
          for (const target of [...user.devices])
            if (target !== effect.device) end(target, "password changed");
          break;
        }
        case "deleted":
          for (const target of [...effect.user.devices]) end(target, "user deleted");
          users.splice(users.indexOf(effect.user), 1);
          break;
        case "roles-set":
          // A token issued before the change is stale. One issued while it ran carries either the
          // old roles (stale) or the new ones (current): the store reads roles and version together,
          // and the new roles always differ from the old ones.
          effect.user.roles = effect.roles;
          for (const target of effect.user.devices)
            target.stale = issued.has(target)
              ? rolesOf(target).join(",") !== effect.roles.join(",")
              : true;
          break;
        case "guessed":
          effect.user.evaluatedGuesses += effect.evaluated;
          break;
        default:
          break;
      }
    }
    for (const effect of effects) {
      // A login that used a password changed in the same step must not have survived: handled by
      // "password-changed" above (all sessions but the changer's end). A refresh refused for a
      // session the model still counts alive is a false revocation.
      if (effect.type === "refused" && effect.device.user.devices.includes(effect.device))
        violation(`refresh of a live session refused (${effect.code}) at ${step}`);
      if (effect.type === "opened" && passwordsAtStart.get(effect.user) !== effect.passwordUsed)
        violation("login used a password the model did not know");
    }
    for (const effect of effects) {
      if (effect.type !== "guessed") continue;
      const before = effect.user.evaluatedGuesses - effect.evaluated;
      if (effect.user.evaluatedGuesses > target.guessBudget && before <= target.guessBudget)
        violation(
          `${effect.user.evaluatedGuesses} wrong passwords evaluated for one account (budget ${target.guessBudget}) at ${step}`,
        );
    }
  }

  async function check(returnedAt: number): Promise<void> {
    // Revoked tokens: refused everywhere once the bound has passed (polled until then).
    for (const entry of revoked.splice(0)) {
      for (const client of clients) {
        report.checks += 1;
        const status = await statusWithin(
          () => client.get("/api/auth/me", entry.device.accessToken),
          (code) => code === 401,
          entry.since + target.propagationMs,
        );
        if (status !== 401)
          violation(`${entry.why}: access token still answers ${status} on ${client.baseUrl}`);
      }
      report.checks += 1;
      const refreshed = answered(
        "refresh of a revoked session",
        await clients[0]!.post("/api/auth/refresh", { refreshToken: entry.device.refreshToken }),
      );
      if (refreshed.status !== 401)
        violation(`${entry.why}: refresh token still answers ${refreshed.status}`);
    }
    // Live sessions: accepted everywhere, unless their roles are out of date (then refused).
    for (const user of users) {
      for (const live of user.devices) {
        const stale = live.stale;
        for (const client of clients) {
          report.checks += 1;
          const status = await statusWithin(
            () => client.get("/api/auth/me", live.accessToken),
            (code) => code === (stale ? 401 : 200),
            returnedAt + target.propagationMs,
          );
          if (stale && status !== 401)
            violation(
              `a token with roles changed away still answers ${status} on ${client.baseUrl}`,
            );
          if (!stale && status !== 200)
            violation(`a live session's token answers ${status} on ${client.baseUrl}`);
        }
      }
    }
  }
}

function later(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Repeats a request until its status satisfies `done` or the deadline passes; the last status. */
async function statusWithin(
  request: () => Promise<ApiResponse>,
  done: (status: number) => boolean,
  deadline: number,
): Promise<number> {
  for (;;) {
    const response = await request();
    if (done(response.status) || response.status >= 500 || performance.now() >= deadline)
      return response.status;
  }
}

function device(user: UserModel, tokens: Tokens): Device {
  return { user, sessionId: decodeJwt(tokens.accessToken).sid as string, stale: false, ...tokens };
}

function rolesOf(target: Device): string[] {
  return (decodeJwt(target.accessToken).roles as string[] | undefined) ?? [];
}

function tokensOf(response: ApiResponse): Tokens {
  return {
    accessToken: response.body.accessToken as string,
    refreshToken: response.body.refreshToken as string,
  };
}

async function signIn(client: TestClient, email: string, password: string): Promise<Tokens> {
  const response = await client.post("/api/auth/login", { email, password, transport: "body" });
  if (response.status !== 200) throw new Error(`setup: admin login answered ${response.status}`);
  return tokensOf(response);
}

/** Each request from its own client address, so per-address limits never decide an outcome. */
class FreshAddressClient extends TestClient {
  override request<T = any>(
    method: string,
    path: string,
    options: Parameters<TestClient["request"]>[2] = {},
  ): Promise<ApiResponse<T>> {
    const address = `10.${randomBytes(3).join(".")}`;
    return super.request<T>(method, path, {
      ...options,
      cookies: false,
      headers: { "x-forwarded-for": address, ...options.headers },
    });
  }
}
