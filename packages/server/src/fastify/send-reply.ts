import type { FastifyReply } from "fastify";
import type { HttpReply } from "../http/route.js";

/** The one writer of Baton's replies on Fastify (routes, guards, error handlers). */
export function sendReply(reply: FastifyReply, result: HttpReply): FastifyReply {
  reply.code(result.status);
  if (result.headers) reply.headers(result.headers);
  if (result.text !== undefined) return reply.send(result.text);
  if (result.body === undefined) return reply.send();
  return reply.type("application/json; charset=utf-8").send(JSON.stringify(result.body));
}
