/**
 * Decides which URLs may receive the access token. A drop-in `fetch` that attached the token to
 * every URL would hand it to any third-party API, CDN or analytics endpoint the app calls; so the
 * token goes only to relative URLs, the page's own origin, the auth server's origin, and origins
 * listed in the `tokenOrigins` option.
 */
export function createTokenOriginPolicy(options: {
  baseUrl: string;
  pageOrigin: string | undefined;
  extraOrigins: readonly string[] | undefined;
}): (url: string) => boolean {
  const allowed = new Set<string>();
  const add = (value: string | undefined) => {
    const origin = originOf(value, options.pageOrigin);
    if (origin) allowed.add(origin);
  };
  add(options.pageOrigin);
  add(options.baseUrl);
  for (const origin of options.extraOrigins ?? []) add(origin);

  return (url) => {
    const origin = originOf(url, options.pageOrigin);
    // Without a page origin (Node) a relative URL cannot leave for a stranger: fetch rejects it.
    if (origin === undefined) return !isAbsolute(url);
    return allowed.has(origin);
  };
}

function isAbsolute(url: string): boolean {
  return /^[a-z][a-z\d+\-.]*:/i.test(url) || url.startsWith("//");
}

function originOf(url: string | undefined, base: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, base).origin;
  } catch {
    return undefined;
  }
}
