// Compiled with moduleResolution "node" (node10): every entry point must resolve with its types
// (but @baton/server/socket, which needs socket.io, not installed here).
import type { Baton } from "@baton/server";
import type { batonExpress } from "@baton/server/express";
import type { batonFastify } from "@baton/server/fastify";
import type { storeConformance } from "@baton/server/testing";
import type { createAuthClient } from "@baton/client";
import type { AuthProvider } from "@baton/client/react";
import type { createFileTokenStore } from "@baton/client/node";
import type { createVerifier } from "@baton/verify";
import type { ErrorCode } from "@baton/protocol";

export type Entries = [
  Baton,
  typeof batonExpress,
  typeof batonFastify,
  typeof storeConformance,
  typeof createAuthClient,
  typeof AuthProvider,
  typeof createFileTokenStore,
  typeof createVerifier,
  ErrorCode,
];
