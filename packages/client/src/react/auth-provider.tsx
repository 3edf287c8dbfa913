import { useEffect, type ReactNode } from "react";
import type { AuthClient } from "../client-types.js";
import { AuthClientContext } from "./context.js";

/**
 * Props of {@link AuthProvider}.
 *
 * @example
 * ```tsx
 * const props: AuthProviderProps = { client, children: <App /> };
 * ```
 */
export interface AuthProviderProps {
  /** Create it once, outside components (module scope), so re-renders keep the same client. */
  client: AuthClient;
  children?: ReactNode;
}

/**
 * Makes `client` available to `useAuth()` and `<RequireAuth>`, and holds it started while
 * mounted. Starting is reference-counted, so StrictMode's mount–unmount–mount (and HMR) neither
 * restores the session twice nor leaves duplicate listeners behind.
 *
 * @example
 * ```tsx
 * const client = createAuthClient({ baseUrl: "/api/auth" });
 *
 * createRoot(document.getElementById("root")!).render(
 *   <StrictMode>
 *     <AuthProvider client={client}>
 *       <App />
 *     </AuthProvider>
 *   </StrictMode>,
 * );
 * ```
 */
export function AuthProvider({ client, children }: AuthProviderProps) {
  useEffect(() => client.start(), [client]);
  return <AuthClientContext.Provider value={client}>{children}</AuthClientContext.Provider>;
}
