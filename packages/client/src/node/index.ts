/**
 * Node-only helpers of the Baton client (`@baton/client/node`), kept out of the main entry so
 * that browser bundles never see `node:` imports.
 *
 * @module
 */
export { createFileTokenStore } from "./file-token-store.js";
