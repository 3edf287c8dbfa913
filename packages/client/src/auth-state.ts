import type { PublicUser } from "@baton/protocol";

/**
 * `loading` while the session is being restored (page load, through the refresh cookie, or from
 * the token store), then `authenticated` or `anonymous`. Network trouble during the restore keeps
 * it `loading` (retrying) rather than guessing `anonymous` and showing a login to a signed-in user.
 *
 * @example
 * ```ts
 * if (client.status === "loading") return <Spinner />;
 * ```
 */
export type AuthStatus = "loading" | "authenticated" | "anonymous";

/**
 * An immutable snapshot of the client's state: a new object on every change, so it can be the
 * snapshot of React's `useSyncExternalStore`.
 *
 * @example
 * ```ts
 * const state: AuthState = client.getSnapshot();
 * if (state.status === "authenticated") console.log(state.user.email);
 * ```
 */
export type AuthState =
  | { readonly status: "loading"; readonly user: null }
  | { readonly status: "anonymous"; readonly user: null }
  | { readonly status: "authenticated"; readonly user: PublicUser };

/**
 * A minimal observable holding {@link AuthState}. Listeners are called synchronously after each
 * change; a throwing listener does not stop the others.
 */
export interface StateStore {
  get(): AuthState;
  set(next: AuthState): void;
  subscribe(listener: () => void): () => void;
}

/**
 * Creates a {@link StateStore}. Setting an equal state (same status, same user fields) keeps the
 * old snapshot, so subscribers are not woken for nothing.
 */
export function createStateStore(
  initial: AuthState,
  onListenerError?: (error: unknown) => void,
): StateStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      if (sameState(state, next)) return;
      state = next;
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

function sameState(a: AuthState, b: AuthState): boolean {
  if (a.status !== b.status) return false;
  if (a.user === b.user) return true;
  if (!a.user || !b.user) return false;
  return JSON.stringify(a.user) === JSON.stringify(b.user);
}
