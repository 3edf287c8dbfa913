/**
 * The part of `window`/`document` the wake watcher listens on (inject a fake in tests).
 *
 * @example
 * ```ts
 * const environment: WakeEnvironment = { window, document };
 * ```
 */
export interface WakeEnvironment {
  window?: EventTargetLike | undefined;
  document?: (EventTargetLike & { visibilityState?: string }) | undefined;
}

/**
 * Anything with `addEventListener`/`removeEventListener`.
 *
 * @example
 * ```ts
 * const target: EventTargetLike = window;
 * ```
 */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** What woke the client up: the page became visible, gained focus, or the network came back. */
export type WakeReason = "visible" | "focus" | "online";

/**
 * Calls `onWake` when the page becomes visible, gains focus, or goes back online: the moments when
 * timers may have been asleep (laptop lid, background-tab throttling) or requests were failing.
 * Returns a function that removes the listeners.
 */
export function watchWakeEvents(
  environment: WakeEnvironment,
  onWake: (reason: WakeReason) => void,
): () => void {
  const { window: win, document: doc } = environment;
  const onVisibility = () => {
    if (doc?.visibilityState !== "hidden") onWake("visible");
  };
  const onFocus = () => onWake("focus");
  const onOnline = () => onWake("online");
  doc?.addEventListener("visibilitychange", onVisibility);
  win?.addEventListener("focus", onFocus);
  win?.addEventListener("online", onOnline);
  return () => {
    doc?.removeEventListener("visibilitychange", onVisibility);
    win?.removeEventListener("focus", onFocus);
    win?.removeEventListener("online", onOnline);
  };
}
