import type { ErrorCode, PublicUser } from "@baton/protocol";
import type { FetchLike } from "../../src/transport.js";
import type { ManualClock } from "./manual-clock.js";

/** What a scripted failure looks like from the client's side. */
export type Fault =
  | { kind: "network" }
  | { kind: "hang" }
  | { kind: "status"; status: number; code: ErrorCode; retryAfter?: string }
  | { kind: "lost-response" };

interface Session {
  id: string;
  userId: string;
  generation: number;
  retired: Map<string, number>; // token -> retiredAt
  current: string;
  revoked: boolean;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * An in-memory imitation of the Baton API, on the test's manual clock, answering through
 * microtasks only. It implements what the client's logic depends on (rotation, the grace window,
 * reuse detection, TOKEN_EXPIRED, cookies) and records every request; faults can be scripted
 * per path. The real server is exercised by the integration and browser tests.
 */
export class FakeBatonServer {
  readonly requests: {
    method: string;
    path: string;
    authorization: string | null;
    origin: string;
  }[] = [];
  /** Refreshes answered from the grace window, and reuse detections. */
  graceHits = 0;
  reuseDetections = 0;
  /** Server clock = test clock + skew (ms). */
  skewMs = 0;
  accessTtlSeconds = 900;
  graceMs = 10_000;
  private users = new Map<string, PublicUser & { password: string }>();
  private sessions = new Map<string, Session>();
  private faults: { path: string; fault: Fault; remaining: number }[] = [];
  /** Answer for protected resources, by access token subject. */
  resourceStatus: (() => { status: number; code: ErrorCode } | undefined) | undefined;
  private seq = 0;

  constructor(private readonly clock: ManualClock) {}

  get serverNow(): number {
    return this.clock.now() + this.skewMs;
  }

  count(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  addUser(email: string, password: string, roles = ["user"]): PublicUser {
    const user = {
      id: `u${++this.seq}`,
      email,
      name: null,
      roles,
      createdAt: new Date(0).toISOString(),
      emailVerified: false,
      password,
    };
    this.users.set(email, user);
    return publicUser(user);
  }

  /** The next `times` requests to `path` fail with `fault`. */
  fail(path: string, fault: Fault, times = 1): void {
    this.faults.push({ path, fault, remaining: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  revokeAll(): void {
    for (const session of this.sessions.values()) session.revoked = true;
  }

  /** A browser's cookie jar (shared by the tabs of one browser). */
  createJar(): { token?: string } {
    return {};
  }

  /** A fetch bound to one cookie jar, as a browser tab would have. */
  fetchFor(jar: { token?: string } = {}): FetchLike {
    return async (input, init) => {
      const raw =
        typeof input === "string" && input.startsWith("/") ? `http://app.test${input}` : input;
      const request = new Request(raw, init);
      const path = new URL(request.url).pathname;
      const method = request.method;
      const credentials = init?.credentials ?? request.credentials;
      const withCookies =
        credentials === "include" ||
        (credentials === "same-origin" && request.url.startsWith("http://app.test/"));
      this.requests.push({
        method,
        path,
        authorization: request.headers.get("authorization"),
        origin: new URL(request.url).origin,
      });
      // The browser attaches the cookie when the request leaves, not when the server answers:
      // two tabs refreshing at once both present the same (soon retired) token.
      const cookieToken = withCookies ? jar.token : undefined;
      const text = await request.text();
      const index = this.faults.findIndex((f) => f.path === path && f.remaining > 0);
      const fault = index >= 0 ? this.faults[index] : undefined;
      if (fault) {
        fault.remaining -= 1;
        if (fault.fault.kind === "network") throw new TypeError("fetch failed");
        if (fault.fault.kind === "hang") {
          const signal = init?.signal ?? request.signal;
          return new Promise<Response>((_resolve, reject) => {
            signal.addEventListener("abort", () => reject(signal.reason as Error));
          });
        }
        if (fault.fault.kind === "status") {
          const extra: Record<string, string> = fault.fault.retryAfter
            ? { "retry-after": fault.fault.retryAfter }
            : {};
          return error(fault.fault.status, fault.fault.code, extra);
        }
      }
      const body = text !== "" ? (JSON.parse(text) as Record<string, unknown>) : {};
      const response = this.handle(
        method,
        path,
        request.headers,
        body,
        cookieToken,
        jar,
        withCookies,
      );
      if (fault?.fault.kind === "lost-response") throw new TypeError("fetch failed");
      return response;
    };
  }

  private handle(
    method: string,
    path: string,
    headers: Headers,
    body: Record<string, unknown>,
    cookieToken: string | undefined,
    jar: { token?: string },
    withCookies: boolean,
  ): Response {
    const bodyTransport = body.transport === "body";
    const issue = (user: PublicUser & { password: string }, session: Session, status = 200) => {
      const iat = Math.floor(this.serverNow / 1000);
      const accessToken = `${b64({ alg: "none" })}.${b64({ sub: user.id, sid: session.id, roles: user.roles, iat, exp: iat + this.accessTtlSeconds, jti: ++this.seq })}.c2lnbmF0dXJlLW9mLXRoZS1mYWtl`;
      const payload: Record<string, unknown> = {
        user: publicUser(user),
        accessToken,
        tokenType: "Bearer",
        expiresIn: this.accessTtlSeconds,
      };
      if (bodyTransport) payload.refreshToken = session.current;
      else if (withCookies) jar.token = session.current;
      return json(status, payload, { date: new Date(this.serverNow).toUTCString() });
    };
    const newSession = (user: PublicUser & { password: string }) => {
      const session: Session = {
        id: `s${++this.seq}`,
        userId: user.id,
        generation: 0,
        retired: new Map(),
        current: `rt-${++this.seq}`,
        revoked: false,
      };
      this.sessions.set(session.id, session);
      return session;
    };
    const bearer = () => {
      const token = headers.get("authorization")?.replace(/^Bearer /, "");
      if (!token) return { error: error(401, "TOKEN_MISSING") };
      const [, payload] = token.split(".");
      let claims: { sub: string; sid: string; exp: number };
      try {
        claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as typeof claims;
      } catch {
        return { error: error(401, "TOKEN_INVALID") };
      }
      if (this.sessions.get(claims.sid)?.revoked) return { error: error(401, "SESSION_REVOKED") };
      if (claims.exp * 1000 <= this.serverNow) return { error: error(401, "TOKEN_EXPIRED") };
      const user = [...this.users.values()].find((u) => u.id === claims.sub);
      return user ? { user, sid: claims.sid } : { error: error(401, "TOKEN_INVALID") };
    };

    switch (`${method} ${path}`) {
      case "POST /api/auth/login":
      case "POST /api/auth/register": {
        let user = this.users.get(String(body.email));
        if (path.endsWith("register")) {
          if (user) return error(409, "EMAIL_TAKEN");
          this.addUser(String(body.email), String(body.password));
          user = this.users.get(String(body.email))!;
        }
        if (!user || user.password !== body.password) return error(401, "INVALID_CREDENTIALS");
        return issue(user, newSession(user), path.endsWith("register") ? 201 : 200);
      }
      case "POST /api/auth/refresh": {
        const presented = typeof body.refreshToken === "string" ? body.refreshToken : cookieToken;
        if (!presented) return error(401, "REFRESH_MISSING");
        const session = [...this.sessions.values()].find(
          (s) => s.current === presented || s.retired.has(presented),
        );
        if (!session) return error(401, "REFRESH_INVALID");
        if (session.revoked) return error(401, "SESSION_REVOKED");
        const user = [...this.users.values()].find((u) => u.id === session.userId)!;
        if (session.current === presented) {
          session.retired.set(presented, this.serverNow);
          session.generation += 1;
          session.current = `rt-${++this.seq}`;
          return issue(user, session);
        }
        if (this.serverNow - session.retired.get(presented)! <= this.graceMs) {
          this.graceHits += 1;
          return issue(user, session);
        }
        this.reuseDetections += 1;
        session.revoked = true;
        return error(401, "REFRESH_REUSED");
      }
      case "POST /api/auth/logout": {
        const session = [...this.sessions.values()].find(
          (s) => s.current === cookieToken || s.retired.has(cookieToken ?? "-"),
        );
        if (session) session.revoked = true;
        if (withCookies) delete jar.token;
        return new Response(null, { status: 204 });
      }
      case "POST /api/auth/revoke": {
        const session = [...this.sessions.values()].find((s) => s.current === body.refreshToken);
        if (session) session.revoked = true;
        return new Response(null, { status: 204 });
      }
      case "GET /api/auth/me": {
        const auth = bearer();
        return auth.error ?? json(200, { user: publicUser(auth.user) });
      }
      case "POST /api/auth/logout-all": {
        const auth = bearer();
        if (auth.error) return auth.error;
        for (const s of this.sessions.values()) if (s.userId === auth.user.id) s.revoked = true;
        return new Response(null, { status: 204 });
      }
      case "GET /api/auth/sessions": {
        const auth = bearer();
        if (auth.error) return auth.error;
        const sessions = [...this.sessions.values()]
          .filter((s) => s.userId === auth.user.id && !s.revoked)
          .map((s) => ({ id: s.id, current: s.id === auth.sid }));
        return json(200, { sessions });
      }
      case "GET /api/data": {
        const scripted = this.resourceStatus?.();
        if (scripted) return error(scripted.status, scripted.code);
        const auth = bearer();
        return auth.error ?? json(200, { ok: true, user: auth.user.id });
      }
      default:
        return error(404, "NOT_FOUND");
    }
  }
}

function publicUser(user: PublicUser & { password?: string }): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    createdAt: user.createdAt,
    emailVerified: user.emailVerified,
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function error(status: number, code: ErrorCode, headers: Record<string, string> = {}): Response {
  const extra: Record<string, string> =
    status === 401 ? { "www-authenticate": 'Bearer error="invalid_token"' } : {};
  return json(status, { error: { code, message: code } }, { ...extra, ...headers });
}
