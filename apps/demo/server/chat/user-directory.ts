import type { Store, UserRecord } from "@baton/server";
import type { ChatUser } from "./protocol.js";

/** How long a looked-up name is reused before asking the store again. */
const NAME_TTL_MS = 60_000;
/** The directory lists at most this many accounts (a demo, not a company address book). */
const DIRECTORY_LIMIT = 500;

/** A user as other people in the chat see them: a display name, never the email address. */
export function chatUser(user: Pick<UserRecord, "id" | "name" | "email">): ChatUser {
  const name = user.name?.trim() || user.email.split("@")[0] || "user";
  return { id: user.id, name };
}

/**
 * Display names from Baton's store, cached briefly: every message and every connection needs the
 * sender's name, and a store read per message would be wasteful.
 */
export class UserDirectory {
  private readonly names = new Map<string, { user: ChatUser | null; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user, or null when no such account exists (deleted, or an id that never existed). */
  async find(userId: string): Promise<ChatUser | null> {
    const cached = this.names.get(userId);
    if (cached && cached.until > this.now()) return cached.user;
    const record = await this.store.findUserById(userId);
    const user = record ? chatUser(record) : null;
    this.names.set(userId, { user, until: this.now() + NAME_TTL_MS });
    return user;
  }

  async list(): Promise<ChatUser[]> {
    const { users } = await this.store.listUsers({ limit: DIRECTORY_LIMIT, offset: 0 });
    return users.map(chatUser).sort((a, b) => a.name.localeCompare(b.name));
  }
}
