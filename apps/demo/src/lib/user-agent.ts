// The parser is shared with the server's new-device alert (it names the device in its mail).
export { parseUserAgent } from "@baton/client";
export type { DeviceKind, ParsedUserAgent } from "@baton/client";
