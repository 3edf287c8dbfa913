import type { Core } from "../core.js";
import { hashRefreshToken, isWellFormedRefreshToken } from "../tokens/refresh-token.js";

/** The id of the session a refresh token (current or retired) belongs to, or null. */
export async function sessionIdOfRefreshToken(core: Core, token: string): Promise<string | null> {
  if (!isWellFormedRefreshToken(token)) return null;
  const match = await core.store.findByRefreshToken(hashRefreshToken(token));
  return match?.session.id ?? null;
}
