/**
 * Where a body-transport client (Node, CLI, native app) keeps its refresh token between runs.
 * Browsers never use one: their refresh token lives in an `HttpOnly` cookie that scripts cannot
 * read, and the access token lives only in the client's memory.
 *
 * Every refresh rotates the token, so `save` is called after each one; a store that loses a
 * write makes the next run present a retired token (fine within the server's grace window; after
 * it the server recovers the parent of a successor nobody has used, once, and answers
 * `REFRESH_REUSED` otherwise).
 *
 * @example
 * ```ts
 * const keychainStore: TokenStore = {
 *   load: () => keychain.get("baton"),
 *   save: (refreshToken) => keychain.set("baton", refreshToken),
 *   clear: () => keychain.delete("baton"),
 * };
 * createAuthClient({ baseUrl: "https://auth.example.com/api/auth", transport: "body", tokenStore: keychainStore });
 * ```
 */
export interface TokenStore {
  load(): Promise<string | null> | string | null;
  save(refreshToken: string): Promise<void> | void;
  clear(): Promise<void> | void;
}

/**
 * A {@link TokenStore} in memory: the default. The session lasts as long as the process.
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl, transport: "body", tokenStore: createMemoryTokenStore() });
 * ```
 */
export function createMemoryTokenStore(initial: string | null = null): TokenStore {
  let refreshToken = initial;
  return {
    load: () => refreshToken,
    save: (token) => {
      refreshToken = token;
    },
    clear: () => {
      refreshToken = null;
    },
  };
}
