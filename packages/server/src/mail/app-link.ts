/**
 * A link into the application: `path` resolved below the configured public URL, never against a
 * request's host. A token goes in the fragment, which browsers neither send to servers nor put
 * in `Referer`, so it stays out of access logs and third-party requests (the page reads it and
 * submits it).
 */
export function appLink(
  publicUrl: URL,
  path: string,
  fragment: Record<string, string> = {},
): string {
  // A path that is a URL of its own, or starts at a host (`//evil.example`), would leave the
  // public URL behind: refuse it (a programming error, not user input).
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("/") || path.startsWith("\\"))
    throw new TypeError(
      `Mail link paths are relative to the public URL: got ${JSON.stringify(path)}`,
    );
  const url = new URL(path, publicUrl);
  if (url.origin !== publicUrl.origin || !url.pathname.startsWith(publicUrl.pathname))
    throw new TypeError(`Mail link ${JSON.stringify(path)} leaves the public URL`);
  const hash = new URLSearchParams(fragment).toString();
  if (hash !== "") url.hash = hash;
  return url.href;
}
