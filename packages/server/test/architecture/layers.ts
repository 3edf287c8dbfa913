/**
 * The layer order of every package, written once: layering.test.ts enforces it and
 * docs/architecture.md describes it.
 *
 * Each list runs from the top layer to the bottom one. A module may import from its own files
 * and from modules of LOWER layers only: never upward, never sideways (two modules of one layer
 * are independent of each other; if one needs the other, it belongs to a higher layer). No file
 * may take part in an import cycle, type-only imports included.
 *
 * A module is named by a path relative to the package's `src/`: `x.ts` (one file), `x/` (a
 * folder; a longer entry such as `x/y.ts` takes its file out of it), or `*` (every file no other
 * entry names). In @baton/server every file must be named: a new folder needs a place here.
 */
export interface Layer {
  name: string;
  /** Why the layer sits where it does: shown when an import breaks the order. */
  why: string;
  modules: string[];
  /** Core layers: no HTTP framework, no database or network driver, no `process.env`. */
  core?: true;
}

export interface PackageLayers {
  name: string;
  /** Relative to the repository root. */
  src: string;
  layers: Layer[];
}

/** Workspace packages, top to bottom: the client and resource servers never see server code. */
export const PACKAGE_LAYERS: string[][] = [
  ["@baton/server"],
  ["@baton/client", "@baton/verify"],
  ["@baton/protocol"],
];

export const PACKAGES: PackageLayers[] = [
  {
    name: "@baton/server",
    src: "packages/server/src",
    layers: [
      {
        name: "entry points",
        why: "the public entries (`@baton/server` and its subpaths /fastify, /express, /socket, /cli, /testing): nothing imports them",
        modules: ["index.ts", "testing/", "exports/"],
      },
      { name: "command line", why: "`baton …` commands use the whole server", modules: ["cli/"] },
      {
        name: "standalone server",
        why: "`baton serve`: Fastify around Baton",
        modules: ["server.ts"],
      },
      {
        name: "assembly",
        why: "createBaton wires drivers, the core and the adapters together",
        modules: ["baton.ts"],
      },
      {
        name: "instance internals",
        why: "the core, routes and pipeline of a Baton, reachable by the adapters and the CLI only",
        modules: ["baton-internals.ts"],
      },
      {
        name: "route guard",
        why: "requireAuth/requireRole: one guard made of the two framework guards",
        modules: ["require-auth.ts"],
      },
      {
        name: "adapters and drivers",
        why: "framework adapters call into http/; drivers implement the core's interfaces",
        modules: ["fastify/", "express/", "socket/", "store/", "redis/", "smtp/", "geoip/"],
      },
      {
        name: "http",
        why: "one request pipeline and route table over the core operations",
        modules: ["http/"],
      },
      {
        name: "account operations",
        why: "register, change password, admin: they start and end sessions",
        modules: ["accounts/", "maintenance/"],
        core: true,
      },
      {
        name: "session operations",
        why: "login, refresh, logout, authenticate",
        modules: ["sessions/"],
        core: true,
      },
      {
        name: "core object",
        why: "`Core`: what every operation works with",
        modules: ["core.ts"],
        core: true,
      },
      {
        name: "webhooks",
        why: "security events as signed webhooks, delivered by the outbox worker of mail/",
        modules: ["webhooks/"],
        core: true,
      },
      {
        name: "mail",
        why: "the mailer and the outbox delivery worker, and the single-use tokens mail carries: over the store interface, a clock, metrics",
        modules: ["mail/", "account-tokens/"],
        core: true,
      },
      {
        name: "core services",
        why: "the parts `Core` is made of, each over the store interface and a clock",
        modules: ["revocation/", "tokens/", "rate-limit/", "passwords/", "metrics/", "users/"],
        core: true,
      },
      {
        name: "configuration",
        why: "options, validated once; services read the resolved config",
        modules: ["config/"],
        core: true,
      },
      {
        name: "core foundations",
        why: "audit log, secrets and the cluster-bus interface: used by services and config",
        modules: ["audit/", "secrets/", "cluster/"],
        core: true,
      },
      {
        name: "store interface",
        why: "the storage contract (its implementations are drivers, above)",
        modules: ["store/store.ts"],
        core: true,
      },
      {
        name: "base",
        why: "errors, clock, actors, logging, optional-package loading and deferred work: used everywhere, import nothing of Baton's",
        modules: [
          "errors.ts",
          "clock.ts",
          "actor.ts",
          "logging.ts",
          "optional-package.ts",
          "deferred-work.ts",
        ],
        core: true,
      },
    ],
  },
  {
    name: "@baton/client",
    src: "packages/client/src",
    layers: [
      { name: "entry point", why: "`@baton/client`", modules: ["index.ts"] },
      {
        name: "bindings",
        why: "`@baton/client/react` and `@baton/client/node` over the framework-free client",
        modules: ["react/", "node/"],
      },
      { name: "client", why: "the framework-free token manager", modules: ["*"] },
    ],
  },
  {
    name: "@baton/verify",
    src: "packages/verify/src",
    layers: [
      { name: "entry point", why: "`@baton/verify`", modules: ["index.ts"] },
      { name: "verifier", why: "verification and the framework guards", modules: ["*"] },
      {
        name: "kernel",
        why: "`@baton/verify/kernel`: what a valid access token is, shared with the server",
        modules: ["kernel/"],
      },
    ],
  },
  {
    name: "@baton/protocol",
    src: "packages/protocol/src",
    layers: [
      { name: "entry point", why: "`@baton/protocol`", modules: ["index.ts"] },
      { name: "wire contract", why: "error codes and wire types", modules: ["*"] },
    ],
  },
];

/** What a core layer must not import: HTTP frameworks and database or network drivers. */
export const NOT_IN_CORE = [
  "fastify",
  "fastify-plugin",
  "find-my-way",
  "express",
  "socket.io",
  "node:http",
  "node:http2",
  "pg",
  "better-sqlite3",
  "kysely",
  "ioredis",
  "nodemailer",
  "maxmind",
];

/**
 * Imports known to break the rules, each to be fixed by the branch named. An entry excuses
 * exactly one import; one that no longer occurs fails the test (remove it). Issue 14 item 5:
 * the integrator empties this list once the kernel branch (which reshapes `tokens/` and
 * `packages/verify`) is merged.
 */
export const KNOWN_VIOLATIONS: { from: string; to: string; fixedBy: string }[] = [];
