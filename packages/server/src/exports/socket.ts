/**
 * `@baton/server/socket`: socket.io authentication that follows each token's life. The only
 * entry point that needs `socket.io` (an optional peer dependency).
 *
 * @example
 * import { batonSocketAuth } from "@baton/server/socket";
 *
 * const sockets = batonSocketAuth(baton);
 * io.use(sockets.middleware); // handshake: io(url, { auth: { token: accessToken } })
 */
import type { Baton } from "../baton.js";
import { internalsOf } from "../baton-internals.js";
import {
  createSocketAuth,
  type SocketAuth,
  type SocketAuthOptions,
} from "../socket/socket-auth.js";

/**
 * Socket authentication for `baton` (see `SocketAuth`); its sweep timer stops when the Baton
 * closes.
 */
export function batonSocketAuth(baton: Baton, options?: SocketAuthOptions): SocketAuth {
  const { core, closeWith } = internalsOf(baton);
  const sockets = createSocketAuth(core, options);
  closeWith(() => sockets.close());
  return sockets;
}

export type { SocketAuth, SocketAuthData, SocketAuthOptions } from "../socket/socket-auth.js";
export { REAUTH_EVENT, SESSION_ENDED_EVENT } from "@baton/protocol";
