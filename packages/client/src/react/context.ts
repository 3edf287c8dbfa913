import { createContext } from "react";
import type { AuthClient } from "../client-types.js";

/**
 * The React context holding the {@link AuthClient}. Most apps use `<AuthProvider>` and
 * `useAuth()` instead of reading it directly.
 *
 * @example
 * ```tsx
 * const client = useContext(AuthClientContext);
 * ```
 */
export const AuthClientContext = createContext<AuthClient | null>(null);
