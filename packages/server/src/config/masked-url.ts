/**
 * A URL as it may be shown in a log line or an error: its password (an SMTP account's, say)
 * replaced by `***`. Text that is not a URL is not shown at all, since it may be a password typed
 * in the wrong place.
 */
export function maskedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "(not a URL)";
  }
  if (url.password !== "") url.password = "***";
  return url.href;
}
