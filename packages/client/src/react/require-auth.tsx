import type { ReactNode } from "react";
import { useAuth } from "./use-auth.js";

/**
 * Props of {@link RequireAuth}.
 *
 * @example
 * ```tsx
 * const props: RequireAuthProps = { roles: ["admin"], fallback: <Navigate to="/login" /> };
 * ```
 */
export interface RequireAuthProps {
  children?: ReactNode;
  /** The user needs at least one of these roles. Omit to only require a signed-in user. */
  roles?: readonly string[];
  /** Shown to signed-out users (e.g. a redirect to the login page). Default: nothing. */
  fallback?: ReactNode;
  /** Shown to signed-in users without a required role. Default: `fallback`. */
  forbidden?: ReactNode;
  /** Shown while the session is being restored. Default: nothing. */
  loading?: ReactNode;
}

/**
 * Renders `children` only for a signed-in user (with one of `roles`, if given) — the seeds'
 * `ProtectedRoute`, without their flash of the login page: while the session is being restored it
 * shows `loading`, not `fallback`. Roles here decide what to *render*; the server still checks
 * them on every request.
 *
 * @example
 * ```tsx
 * <Route
 *   path="/admin"
 *   element={
 *     <RequireAuth roles={["admin"]} fallback={<Navigate to="/login" replace />} loading={<Spinner />}>
 *       <AdminPage />
 *     </RequireAuth>
 *   }
 * />
 * ```
 */
export function RequireAuth({
  children,
  roles,
  fallback = null,
  forbidden,
  loading = null,
}: RequireAuthProps) {
  const { status, hasRole } = useAuth();
  if (status === "loading") return <>{loading}</>;
  if (status === "anonymous") return <>{fallback}</>;
  if (roles && roles.length > 0 && !hasRole(...roles)) return <>{forbidden ?? fallback}</>;
  return <>{children}</>;
}
