import type { FastifyInstance, FastifyReply } from "fastify";
import type { AuthInfo, Baton } from "@baton/server";
import type { ChatHub } from "./chat-hub.js";
import { toWire } from "./chat-hub.js";
import { directConversation, type MessageStore } from "./message-store.js";
import {
  GENERAL,
  MAX_HISTORY_PAGE,
  type DirectoryResponse,
  type HistoryResponse,
} from "./protocol.js";
import type { UserDirectory } from "./user-directory.js";

interface HistoryQuerystring {
  with?: string;
  before?: number;
  after?: number;
  limit?: number;
}

const historySchema = {
  querystring: {
    type: "object",
    additionalProperties: false,
    properties: {
      with: { type: "string", minLength: 1, maxLength: 128 },
      before: { type: "integer", minimum: 1 },
      after: { type: "integer", minimum: 0 },
      limit: { type: "integer", minimum: 1, maximum: MAX_HISTORY_PAGE },
    },
  },
} as const;

/**
 * The chat's REST side, under `/api/chat`, every route behind `baton.requireAuth()`:
 * `GET /users` (the directory with presence) and `GET /messages` (history of the general room or
 * of a direct conversation with `?with=<userId>`; nobody can read a conversation they are not in,
 * because the conversation key is built from the caller's own id).
 */
export function chatRoutes(deps: {
  baton: Baton;
  messages: MessageStore;
  directory: UserDirectory;
  hub: ChatHub;
}) {
  return (app: FastifyInstance, _options: unknown, registered: () => void): void => {
    app.addHook("preHandler", deps.baton.requireAuth());
    app.addHook("onRequest", (_request, reply, done) => {
      void reply.header("cache-control", "no-store");
      done();
    });
    // Same error shape as Baton's own routes: { error: { code, message } }.
    app.setErrorHandler((error: { validation?: unknown; message: string }, request, reply) => {
      if (error.validation) return fail(reply, 400, "VALIDATION_FAILED", error.message);
      request.log.error({ err: error }, "chat route failed");
      return fail(reply, 500, "INTERNAL", "Internal error");
    });

    app.get("/users", async (): Promise<DirectoryResponse> => {
      const users = await deps.directory.list();
      return { users: users.map((user) => ({ ...user, online: deps.hub.isOnline(user.id) })) };
    });

    app.get<{ Querystring: HistoryQuerystring }>(
      "/messages",
      { schema: historySchema },
      async (request, reply): Promise<HistoryResponse | undefined> => {
        const me = authOf(request).userId;
        const { with: peer, before, after, limit = 50 } = request.query;
        if (before !== undefined && after !== undefined) {
          return fail(reply, 400, "VALIDATION_FAILED", "Use before or after, not both");
        }
        if (peer !== undefined && (await deps.directory.find(peer)) === null) {
          return fail(reply, 404, "NOT_FOUND", "No such user");
        }
        const conversation = peer === undefined ? GENERAL : directConversation(me, peer);
        const page = await deps.messages.list(conversation, { before, after, limit });
        return { messages: page.messages.map(toWire), hasMore: page.hasMore };
      },
    );
    registered();
  };
}

/**
 * `request.auth`, set by `requireAuth()`. Read through a cast: @baton/server's built typings do not
 * carry its `FastifyRequest` augmentation (it lives in a module index.d.ts never references).
 */
function authOf(request: object): AuthInfo {
  return (request as { auth: AuthInfo }).auth;
}

function fail(reply: FastifyReply, status: number, code: string, message: string): undefined {
  void reply.code(status).send({ error: { code, message } });
  return undefined;
}
