import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/**
 * The page may talk to its own origin only (REST and the socket.io WebSocket), run only its own
 * scripts and styles, and cannot be framed. A stolen access token is worth little when injected
 * script cannot run or send it anywhere.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

/**
 * Pages that mail links open, with a token in the fragment: they send no Referer at all (the
 * fragment is never in one, but nothing about the visit needs to leave either).
 */
const MAIL_LINK_PAGES = new Set(["/not-me"]);

/** Paths that belong to APIs: never answered with the app's HTML. */
const API_PREFIXES = ["/api/", "/socket.io/", "/.well-known/"];

/**
 * Serves the built single-page app from `root` (Vite's output) on the same origin as the API:
 * hashed files under `/assets/` are cached for a year, everything else is revalidated, and any
 * other page URL (`/chat`, `/security`, …: no file extension, not an API path) gets `index.html`
 * so client-side routes survive a reload. Without a build, pages explain how to make one.
 */
export function serveSpa(app: FastifyInstance, root: string | undefined): void {
  const built = root !== undefined && existsSync(join(root, "index.html"));

  async function handler(request: FastifyRequest, reply: FastifyReply) {
    const path = decodePath(request.url);
    if (path === undefined) return notFound(reply);
    if (built) {
      const file = await fileUnder(root, path);
      if (file) return sendFile(reply, file, path, path);
    }
    // A page URL (`/chat/…`) gets the app; a missing file (`/logo.png`) or API path is a 404.
    const isApi = API_PREFIXES.some((prefix) => path.startsWith(prefix) || `${path}/` === prefix);
    if (isApi || extname(path) !== "") return notFound(reply);
    if (!built) return reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
    return sendFile(reply, join(root, "index.html"), "/index.html", path);
  }

  app.get("/*", handler);
}

// Read whole: the app's files are small, and a buffer cannot end half-way like a stream.
async function sendFile(reply: FastifyReply, path: string, urlPath: string, page: string) {
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
  const body = await readFile(path);
  void reply.header("content-type", type);
  void reply.header("x-content-type-options", "nosniff");
  void reply.header(
    "cache-control",
    urlPath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
  );
  if (type.startsWith("text/html")) {
    void reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
    void reply.header("referrer-policy", MAIL_LINK_PAGES.has(page) ? "no-referrer" : "same-origin");
    void reply.header("x-frame-options", "DENY");
  }
  return reply.send(body);
}

function notFound(reply: FastifyReply) {
  return reply
    .code(404)
    .header("cache-control", "no-store")
    .send({ error: { code: "NOT_FOUND", message: "No such endpoint" } });
}

function decodePath(url: string): string | undefined {
  try {
    const path = decodeURIComponent(url.split("?")[0] ?? "/");
    return path.includes("\0") ? undefined : path;
  } catch {
    return undefined;
  }
}

/** The regular file `urlPath` names inside `root`, or undefined (directories, `..` escapes). */
async function fileUnder(root: string, urlPath: string): Promise<string | undefined> {
  const path = normalize(join(root, urlPath));
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    const info = await stat(path);
    return info.isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

const NOT_BUILT = `<!doctype html>
<meta charset="utf-8"><title>Baton demo: not built</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The demo's web app is not built yet</h1>
<p>The API is running. Build the single-page app with <code>npm run build -w @baton/demo</code>
(or start everything with <code>npm start</code>), or work on it with <code>npm run dev</code>.</p>
</body>`;
