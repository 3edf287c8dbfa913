import type { ErrorCode } from "@baton/protocol";

/**
 * An access token together with the generation it belongs to: the client counts every token it
 * holds, so a request that failed with generation 7 can tell whether someone already replaced it.
 */
export interface IssuedToken {
  readonly accessToken: string;
  readonly generation: number;
}

/**
 * What request wrappers (`client.fetch`, the axios interceptors) need from the client: a token to
 * send, a renewed one after the server rejected it, and which URLs may see it at all.
 */
export interface TokenAccess {
  /** A token to send (refreshed first if it has expired), or `null` when nobody is signed in. */
  acquire(): Promise<IssuedToken | null>;
  /**
   * A replacement for `rejected`, which the server refused with a {@link RENEWABLE_CODES} code.
   * If the client already holds a newer token it is returned without a request; otherwise one
   * refresh runs for all callers. Rejects with `SessionEndedError` or a transient error.
   */
  renew(rejected: IssuedToken): Promise<IssuedToken>;
  /** Whether a request to `url` may carry the token (see the `tokenOrigins` option). */
  attachesTo(url: string): boolean;
}

/**
 * The 401 codes after which a refresh can help: an expired (or role-staled) token, and a revoked
 * session, which only the refresh endpoint can confirm (a password change can race a request).
 * Every other 401, `TOKEN_INVALID` first, is returned to the caller: refreshing would not fix it
 * and retrying it is how refresh loops start.
 */
export const RENEWABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "TOKEN_EXPIRED",
  "SESSION_REVOKED",
]);
