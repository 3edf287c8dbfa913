import type { ServerResponse } from "node:http";
import type { HttpReply } from "../http/route.js";

/** The one writer of Baton's replies on Express, Connect and `node:http` (routes and guards). */
export function writeReply(response: ServerResponse, reply: HttpReply): void {
  if (response.headersSent) return;
  response.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.text !== undefined) {
    response.end(reply.text);
    return;
  }
  if (reply.body === undefined) {
    response.end();
    return;
  }
  response.setHeader("content-type", "application/json; charset=utf-8");
  response.end(JSON.stringify(reply.body));
}
