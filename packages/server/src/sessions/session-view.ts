import type { SessionInfo } from "@baton/protocol";
import type { SessionRecord } from "../store/store.js";

/** What a user may see of a session: never its token material. */
export function toSessionInfo(session: SessionRecord, currentSessionId: string): SessionInfo {
  return {
    id: session.id,
    current: session.id === currentSessionId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}
