/**
 * Name of the session hint cookie. The server sets it (value `1`, readable by scripts, `Path=/`)
 * whenever it sets the refresh cookie, and clears it whenever it clears that cookie. It carries
 * no secret: it only tells a page whether restoring a session is worth a `POST /refresh`, so an
 * anonymous first visit makes no request that the browser would print as a red 401.
 */
export const SESSION_HINT_COOKIE = "baton_session";
