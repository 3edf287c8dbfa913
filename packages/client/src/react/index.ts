/**
 * React bindings of the Baton client (`@baton/client/react`): `<AuthProvider>`, `useAuth()` and
 * `<RequireAuth>`. React is a peer dependency.
 *
 * @module
 */
export { AuthProvider } from "./auth-provider.js";
export type { AuthProviderProps } from "./auth-provider.js";
export { useAuth } from "./use-auth.js";
export type { UseAuthResult } from "./use-auth.js";
export { RequireAuth } from "./require-auth.js";
export type { RequireAuthProps } from "./require-auth.js";
export { AuthClientContext } from "./context.js";
