/**
 * `@baton/server/cli`: the parts of `baton serve` for programs that wrap it (Baton's demo is one):
 * the server's own environment variables and the development banner.
 *
 * @example
 * import { startServer } from "@baton/server";
 * import { developmentBanner, serverEnv } from "@baton/server/cli";
 *
 * const running = await startServer({ ...serverEnv(process.env).value });
 * console.error(developmentBanner(running));
 */
export { serverEnv } from "../config/env.js";
export { developmentBanner, startupRows } from "../cli/banner.js";
