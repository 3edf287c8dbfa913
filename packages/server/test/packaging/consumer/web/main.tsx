// A Vite + React app using @baton/client and its React bindings.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAuthClient } from "@baton/client";
import { AuthProvider, RequireAuth, useAuth } from "@baton/client/react";

const auth = createAuthClient({ baseUrl: "/api/auth" });

function Whoami() {
  const { user } = useAuth();
  return <p>{user?.email}</p>;
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthProvider client={auth}>
      <RequireAuth fallback={<p>Sign in</p>}>
        <Whoami />
      </RequireAuth>
    </AuthProvider>
  </StrictMode>,
);
