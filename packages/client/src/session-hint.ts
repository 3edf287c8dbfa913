import { SESSION_HINT_COOKIE } from "@baton/protocol";

/**
 * Whether restoring a session on page load is worth a `POST /refresh`. Next to the `HttpOnly`
 * refresh cookie the server sets a readable `baton_session=1` cookie, and clears both together,
 * so a page without it has no session: asking anyway only earns a 401, which browsers print in
 * red in every anonymous visitor's console.
 *
 * The hint is read only where it can be seen: in a browser, with cookie transport, and when the
 * auth server is on the page's host (scripts cannot read another host's cookies; cookies ignore
 * ports, so a dev server on another port of `localhost` still sees them). Everywhere else, and if
 * the cookie cannot be read at all (a sandboxed frame), the answer is "maybe": restore as before.
 */
export function createSessionHint(options: {
  enabled: boolean;
  cookieTransport: boolean;
  baseUrl: string;
  document: { readonly cookie: string } | undefined;
  pageUrl: string | undefined;
}): () => boolean {
  const { document: doc, pageUrl } = options;
  if (!options.enabled || !options.cookieTransport || !doc || !pageUrl) return () => true;
  const pageHost = hostOf(pageUrl, pageUrl);
  if (!pageHost || hostOf(options.baseUrl, pageUrl) !== pageHost) return () => true;
  return () => {
    let cookies: string;
    try {
      cookies = doc.cookie;
    } catch {
      return true;
    }
    return hasSessionHint(cookies);
  };
}

/** Whether a `document.cookie` string holds `baton_session=1`. */
export function hasSessionHint(cookies: string): boolean {
  return cookies.split(";").some((pair) => pair.trim() === `${SESSION_HINT_COOKIE}=1`);
}

function hostOf(url: string, base: string): string | undefined {
  try {
    return new URL(url, base).hostname;
  } catch {
    return undefined;
  }
}
