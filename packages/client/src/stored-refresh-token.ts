import type { AuthLogger } from "./logger.js";
import type { TokenStore } from "./token-store.js";

/**
 * The refresh token of a body-transport client (Node, CLIs, native apps): a copy in memory in
 * front of the {@link TokenStore}. A store that fails to read or write never ends the session:
 * the copy in memory carries on, and the failure is logged.
 */
export interface StoredRefreshToken {
  /**
   * The refresh token to send, or `null` when there is none. `fresh` re-reads the store: inside
   * the refresh lock another client sharing the store (another tab or process) may have rotated
   * it, and sending an old copy after the grace window would look like theft.
   */
  load(fresh?: boolean): Promise<string | null>;
  save(refreshToken: string): Promise<void>;
  /** Forgets the token now and clears the store in the background. */
  clear(): void;
}

/** Creates a {@link StoredRefreshToken} over `store`. */
export function createStoredRefreshToken(store: TokenStore, log: AuthLogger): StoredRefreshToken {
  let refreshToken: string | null | undefined; // undefined = not loaded yet
  return {
    async load(fresh = false) {
      if (refreshToken === undefined || fresh) {
        try {
          refreshToken = await store.load();
        } catch (error) {
          log.warn("could not read the token store", { error });
          refreshToken ??= null;
        }
      }
      return refreshToken ?? null;
    },
    async save(rotated) {
      refreshToken = rotated;
      try {
        await store.save(rotated);
      } catch (error) {
        log.warn("could not save the refresh token; it is kept in memory", { error });
      }
    },
    clear() {
      refreshToken = null;
      void Promise.resolve()
        .then(() => store.clear())
        .catch((error: unknown) => log.warn("could not clear the token store", { error }));
    },
  };
}
