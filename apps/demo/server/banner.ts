import { startupRows } from "@baton/server/cli";
import type { DemoAdmin } from "./demo-env.js";
import type { DemoServer } from "./demo-server.js";

/**
 * The development banner, in the spirit of `baton serve`'s: where to click, how to get into the
 * Admin page, what was generated and where. On stderr, so stdout keeps only JSON logs.
 */
export function demoBanner(
  server: DemoServer,
  details: { admin: DemoAdmin | undefined; publicUrl?: string | undefined; spaBuilt: boolean },
): string {
  const { config } = server.baton;
  const line = "=".repeat(78);
  const open = details.publicUrl ?? server.url;
  const ttl = formatMs(config.accessTokenTtlMs);
  const admin = details.admin;
  const rows = [
    line,
    "  BATON DEMO: real-time chat on Baton, in DEVELOPMENT mode",
    line,
    `  Open          ${open}${details.spaBuilt ? "" : "   (web app not built: npm run build -w @baton/demo)"}`,
    ...(details.publicUrl
      ? [`  API server    ${server.url}  (Vite proxies /api and /socket.io here)`]
      : []),
    ...(admin
      ? [
          // The password itself is never printed: console output ends up in logs.
          `  Admin login   ${admin.email}`,
          admin.source === "env"
            ? "                password from ADMIN_PASSWORD"
            : admin.source === "memory"
              ? "                password generated for this in-memory database (set ADMIN_PASSWORD to choose one)"
              : `                password ${admin.source === "generated" ? "GENERATED now and saved to" : "in"} ${admin.file}  (cat it; or set ADMIN_EMAIL/ADMIN_PASSWORD)`,
        ]
      : []),
    `  Auth API      ${server.url}${config.basePath}   (OpenAPI: ${config.basePath}/openapi.json)`,
    `  Chat          ${server.url}/api/chat  +  socket.io at /socket.io (Baton socket auth)`,
    ...startupRows(server.baton).map((row) =>
      row.startsWith("  Database") ? `${row}   (chat messages: table demo_messages)` : row,
    ),
    `  Access tokens ${ttl}  (try ACCESS_TOKEN_TTL=10s npm start: sockets re-authenticate live)`,
    ...(server.baton.mail?.inbox
      ? [
          `  Mail          kept in the development inbox: ${new URL("dev/inbox", `${open.replace(/\/?$/, "/")}`).href}`,
          "                (and one line per message here; set SMTP_URL to send real mail)",
        ]
      : []),
    "",
    "  Production: NODE_ENV=production, BATON_SECRET, HTTPS in front. See docs/configuration.md.",
    line,
  ];
  return rows.join("\n");
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
