import type { ExtendedError, Socket } from "socket.io";
import { REAUTH_EVENT, SESSION_ENDED_EVENT, type ErrorCode } from "@baton/protocol";
import { authInfoOf } from "@baton/verify/kernel";
import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { verifyAccessToken } from "../sessions/authenticate.js";

export interface SocketAuthOptions {
  /** How often live sockets are checked for revocation and expiry. Default 250 ms. */
  sweepIntervalMs?: number;
}

/** What Baton keeps on `socket.data.auth`. */
export interface SocketAuthData extends AuthInfo {
  /** When the access token this socket last presented expires (ms since epoch). */
  expiresAt: number;
  /** The user's token version in that token (a role change raises it). */
  tokenVersion: number;
}

export interface SocketAuth {
  /** socket.io middleware: `io.use(sockets.middleware)`. */
  middleware: (socket: Socket, next: (error?: ExtendedError) => void) => void;
  /** Checks every live socket now (the timer does it every `sweepIntervalMs`). */
  sweep(): void;
  /** Live authenticated sockets. */
  readonly size: number;
  close(): void;
}

/**
 * Socket authentication that follows the token's life (socket.io). The handshake carries the
 * access token in `auth.token` (never the URL). The client re-authenticates the live socket with
 * each new access token (`baton:reauth`), so a socket never reconnects and loses nothing. A socket
 * whose token lapsed without re-auth, or whose session was revoked (logout, revoke, password
 * change) or whose roles changed, is told why (`baton:session-ended`) and disconnected within
 * one sweep.
 *
 * @example
 * const sockets = batonSocketAuth(baton); // from "@baton/server/socket"
 * io.use(sockets.middleware);
 * io.on("connection", (socket) => console.log(socket.data.auth.userId));
 */
export function createSocketAuth(core: Core, options: SocketAuthOptions = {}): SocketAuth {
  const live = new Set<Socket>();
  const toleranceMs = core.config.clockToleranceMs;

  async function verify(token: unknown): Promise<SocketAuthData> {
    if (typeof token !== "string" || token === "")
      throw new AuthError("TOKEN_MISSING", "Send the access token as auth.token");
    const claims = await verifyAccessToken(core, token);
    return {
      ...authInfoOf(claims),
      expiresAt: claims.exp * 1000,
      tokenVersion: claims.ver,
    };
  }

  function end(socket: Socket, code: ErrorCode, message: string): void {
    live.delete(socket);
    socket.emit(SESSION_ENDED_EVENT, { code, message });
    // A namespace disconnect packet follows the event on the same transport, so the reason
    // always arrives first (closing the transport outright could drop it).
    socket.disconnect();
  }

  function sweep(): void {
    const now = core.clock.now();
    for (const socket of live) {
      const auth = authOf(socket);
      const standing = core.denylist.standing({
        sid: auth.sessionId,
        sub: auth.userId,
        ver: auth.tokenVersion,
      });
      if (standing === "revoked") end(socket, "SESSION_REVOKED", "The session has ended");
      else if (standing === "stale")
        end(socket, "TOKEN_EXPIRED", "The account changed; reconnect with a fresh token");
      else if (now >= auth.expiresAt + toleranceMs)
        end(socket, "TOKEN_EXPIRED", "The access token expired without re-authentication");
    }
  }

  const timer = setInterval(sweep, options.sweepIntervalMs ?? 250);
  timer.unref();

  return {
    middleware(socket, next) {
      verify((socket.handshake.auth as { token?: unknown } | undefined)?.token)
        .then((auth) => {
          setAuth(socket, auth);
          live.add(socket);
          socket.on("disconnect", () => live.delete(socket));
          socket.on(REAUTH_EVENT, (token: unknown, ack?: unknown) => {
            const reply =
              typeof ack === "function" ? (ack as (result: unknown) => void) : () => undefined;
            const current = authOf(socket);
            verify(token)
              .then((next) => {
                // A socket belongs to one user; a token of someone else cannot take it over.
                if (next.userId !== current.userId)
                  throw new AuthError("FORBIDDEN", "The token belongs to another user");
                setAuth(socket, next);
                reply({ ok: true, expiresAt: next.expiresAt });
              })
              .catch((error: unknown) => {
                const code = error instanceof AuthError ? error.code : "INTERNAL";
                reply({ ok: false, code });
              });
          });
          next();
        })
        .catch((error: unknown) => {
          const failure =
            error instanceof AuthError ? error : new AuthError("INTERNAL", "Internal error");
          const refused = new Error(failure.message) as ExtendedError;
          refused.data = { code: failure.code };
          next(refused);
        });
    },
    sweep,
    get size() {
      return live.size;
    },
    close() {
      clearInterval(timer);
    },
  };
}

function authOf(socket: Socket): SocketAuthData {
  return (socket.data as { auth: SocketAuthData }).auth;
}

function setAuth(socket: Socket, auth: SocketAuthData): void {
  (socket.data as { auth?: SocketAuthData }).auth = auth;
}
