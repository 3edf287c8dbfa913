import type { Baton } from "../baton.js";
import { redactUrl } from "../logging.js";
import { coreOf } from "../baton-internals.js";
import { keyDescription } from "./key-description.js";
import type { RunningServer } from "../server.js";

/**
 * The loud development notice: what this start generated, where it lives, and what production
 * needs instead. Printed to stderr so it never mixes with JSON logs on stdout.
 */
export function developmentBanner(server: RunningServer): string {
  const { config, startup } = server.baton;
  const line = "=".repeat(78);
  const rows = [
    line,
    "  BATON is running in DEVELOPMENT mode",
    line,
    `  Auth API      ${server.url}${config.basePath}   (OpenAPI: ${config.basePath}/openapi.json)`,
    ...startupRows(server.baton),
    ...(startup.admin ? [`  Admin         ${config.adminEmail} (${startup.admin})`] : []),
    `  Cookies       ${config.cookieName}; Secure=${config.cookieSecure}; SameSite=${config.cookieSameSite}`,
    "",
    "  For production: NODE_ENV=production, BATON_SECRET=$(baton secret),",
    "  HTTPS in front, CORS_ORIGINS for your front-end. See docs/configuration.md.",
    line,
  ];
  return rows.join("\n");
}

/**
 * Banner rows saying where the data lives and what this start generated (database, root secret,
 * signing key), for any program that starts Baton. A password in the database URL is masked.
 */
export function startupRows(baton: Baton): string[] {
  const { config, startup } = baton;
  return [
    `  Database      ${redactUrl(config.databaseUrl)}`,
    startup.secret === "file"
      ? `  Root secret   ${startup.secretGeneratedAt ? "GENERATED now and saved to" : "read from"} ${config.secretFile}`
      : startup.secret === "memory"
        ? "  Root secret   GENERATED in memory only: sessions end when this process stops"
        : "  Root secret   from BATON_SECRET",
    config.jwtAlg === "HS256"
      ? "  Signing key   HS256 with JWT_SECRET"
      : `  Signing key   ${keyDescription(coreOf(baton).accessTokens.keyRing.active.alg)} kid=${startup.signingKeyId}${startup.signingKeyGenerated ? "  (GENERATED now; stored sealed in the database)" : ""}`,
  ];
}
