/**
 * The token of a mailed link, from the URL's fragment: a fragment never reaches a server, a log
 * or a `Referer`. Reading it spends nothing (mail scanners open links too): the page submits it
 * only when the person acts.
 */
export function fragmentToken(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get("token");
}

/** Takes the token out of the address bar and the history entry: a shared screen or a copied URL must not carry it. */
export function forgetFragment(): void {
  if (window.location.hash !== "")
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
}
