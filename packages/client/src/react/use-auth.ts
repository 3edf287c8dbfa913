import type { PublicUser } from "@baton/protocol";
import { useContext, useMemo, useSyncExternalStore } from "react";
import type { AuthClient } from "../client-types.js";
import type { AuthStatus } from "../auth-state.js";
import { AuthClientContext } from "./context.js";

/**
 * What {@link useAuth} returns: the current state plus the client's actions.
 *
 * @example
 * ```tsx
 * const { status, user, logout }: UseAuthResult = useAuth();
 * ```
 */
export interface UseAuthResult {
  status: AuthStatus;
  user: PublicUser | null;
  isLoading: boolean;
  isAuthenticated: boolean;
  /** True when the signed-in user has at least one of `roles`. */
  hasRole: (...roles: string[]) => boolean;
  login: AuthClient["login"];
  register: AuthClient["register"];
  logout: AuthClient["logout"];
  logoutAll: AuthClient["logoutAll"];
  refresh: AuthClient["refresh"];
  changePassword: AuthClient["changePassword"];
  /** Whether the signed-in user's address is verified (false when signed out). */
  emailVerified: boolean;
  verifyEmail: AuthClient["verifyEmail"];
  resendVerification: AuthClient["resendVerification"];
  changeEmail: AuthClient["changeEmail"];
  undoEmailChange: AuthClient["undoEmailChange"];
  /** The client itself, for `client.fetch`, `sessions()` and the rest. */
  client: AuthClient;
}

/**
 * The auth state and actions, re-rendering on every change. Reads the client through
 * `useSyncExternalStore`, so a component never renders a torn or stale state during concurrent
 * rendering. Must be used under `<AuthProvider>`.
 *
 * @example
 * ```tsx
 * function Header() {
 *   const { status, user, logout } = useAuth();
 *   if (status === "loading") return <Spinner />;
 *   return user ? <button onClick={() => void logout()}>Sign out {user.email}</button> : <LoginLink />;
 * }
 * ```
 */
export function useAuth(): UseAuthResult {
  const client = useContext(AuthClientContext);
  if (!client) throw new TypeError("useAuth() must be used inside <AuthProvider client={…}>.");
  const state = useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot);
  return useMemo(
    () => ({
      status: state.status,
      user: state.user,
      isLoading: state.status === "loading",
      isAuthenticated: state.status === "authenticated",
      hasRole: (...roles: string[]) => roles.some((role) => state.user?.roles.includes(role)),
      login: client.login,
      register: client.register,
      logout: client.logout,
      logoutAll: client.logoutAll,
      refresh: client.refresh,
      changePassword: client.changePassword,
      emailVerified: state.user?.emailVerified === true,
      verifyEmail: client.verifyEmail,
      resendVerification: client.resendVerification,
      changeEmail: client.changeEmail,
      undoEmailChange: client.undoEmailChange,
      client,
    }),
    [client, state],
  );
}
