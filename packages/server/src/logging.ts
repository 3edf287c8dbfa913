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

/**
 * A URL fit to print or log: the password of `scheme://user:password@host` is masked, the rest
 * kept so the reader can tell which database it names. The one rule for every place Baton
 * prints a database URL (banner, `baton migrate`, the error for an unsupported URL).
 */
export function redactUrl(url: string): string {
  // Scheme per RFC 3986 §3.1; the password runs to the last `@` of the authority.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^/]*@/i, "$1:***@");
}
