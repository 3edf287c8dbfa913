/**
 * The browser test page: a tiny React app over the real client, served by the test from the same
 * origin as the Baton routes. It exposes `window.__baton` so that Playwright can drive it and
 * read what happened.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAuthClient, type FetchLike } from "../../src/index.js";
import { AuthProvider, RequireAuth, useAuth } from "../../src/react/index.js";

export interface PageStats {
  ok: number;
  failed: number;
  errors: string[];
  sessionEnded: string[];
  /** POST /refresh requests made by this page. */
  refreshRequests: number;
  /** Every status change, with the time it happened. */
  statuses: { status: string; at: number }[];
  /** document.cookie samples that mentioned the refresh cookie (must stay empty). */
  cookieLeaks: string[];
}

const stats: PageStats = {
  ok: 0,
  failed: 0,
  errors: [],
  sessionEnded: [],
  refreshRequests: 0,
  statuses: [],
  cookieLeaks: [],
};

const countingFetch: FetchLike = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.endsWith("/api/auth/refresh")) stats.refreshRequests += 1;
  return fetch(input, init);
};

const client = createAuthClient({
  baseUrl: "/api/auth",
  fetch: countingFetch,
  onSessionEnded: (reason) => stats.sessionEnded.push(reason),
});
stats.statuses.push({ status: client.status, at: Date.now() });
client.subscribe(() => stats.statuses.push({ status: client.status, at: Date.now() }));

let busy = false;
async function work(): Promise<void> {
  while (busy) {
    try {
      const response = await client.fetch("/api/data");
      if (response.ok) stats.ok += 1;
      else {
        stats.failed += 1;
        stats.errors.push(`HTTP ${response.status} ${await response.text()}`);
      }
    } catch (error) {
      stats.failed += 1;
      stats.errors.push(String(error));
    }
    if (/refresh/i.test(document.cookie)) stats.cookieLeaks.push(document.cookie);
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
  }
}

const handle = {
  client,
  stats,
  startBusy() {
    busy = true;
    void work();
    void work();
    void work();
  },
  stopBusy() {
    busy = false;
  },
};

declare global {
  interface Window {
    __baton: typeof handle;
  }
}
window.__baton = handle;

function App() {
  const { status, user } = useAuth();
  return (
    <main>
      <p id="status">{status}</p>
      <RequireAuth
        fallback={<p id="signed-out">Please sign in</p>}
        loading={<p id="restoring">Restoring…</p>}
      >
        <p id="user">{user?.email}</p>
      </RequireAuth>
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthProvider client={client}>
      <App />
    </AuthProvider>
  </StrictMode>,
);
