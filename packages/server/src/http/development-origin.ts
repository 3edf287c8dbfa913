/** The host names that always mean "this machine" (RFC 6761 §6.3; RFC 5735 §3; RFC 4291 §2.5.3). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Development only: a page on a loopback origin may send cookie requests to a Baton that is
 * itself reached on loopback. That is every dev-server proxy setup: Vite's short proxy form
 * (`'/api': 'http://localhost:3000'`) sets `changeOrigin`, so Baton sees `Host: localhost:3000`
 * while the page's `Origin` is `http://localhost:5173`; Next.js dev rewrites do the same.
 *
 * Why this stays safe: a loopback Origin can only come from a page served by this machine, and
 * both sides must be loopback, so a Baton reached on a LAN or public address is never relaxed. A
 * foreign page (or a DNS-rebinding one, whose Origin keeps its own host name) is still refused.
 * Production ignores this rule entirely: there only the exact origins of CORS_ORIGINS pass.
 */
export function isDevelopmentLoopbackPair(origin: string, selfOrigin: string): boolean {
  return isLoopbackOrigin(origin) && isLoopbackOrigin(selfOrigin);
}

function isLoopbackOrigin(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // Exactly as a browser serialises an origin (lower case, no path, no user info): anything else
  // is not a browser's Origin header and gets no favour.
  return url.origin === text && LOOPBACK_HOSTS.has(url.hostname);
}
