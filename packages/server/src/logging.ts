import { pino, type Logger } from "pino";

/**
 * Request lines show the path only: a query string is never logged (a client may have put a
 * token there even though Baton refuses it).
 */
export function requestSerializer(request: { method?: string; url?: string; ip?: string }) {
  return { method: request.method, url: request.url?.split("?")[0], remoteAddress: request.ip };
}

/** JSON logs; credentials are redacted wherever a request or response is logged. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "headers.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
    serializers: { req: requestSerializer },
  });
}

/** The same request serializer on a logger someone else configured. */
export function withRequestSerializer(logger: Logger): Logger {
  return logger.child({}, { serializers: { req: requestSerializer } });
}
