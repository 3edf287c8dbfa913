import type { PublicUser } from "@baton/protocol";
import type { UserRecord } from "../store/store.js";

/** The user as the API shows it: never the hash, never a token. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    createdAt: new Date(user.createdAt).toISOString(),
    emailVerified: user.emailVerifiedAt !== null,
  };
}
