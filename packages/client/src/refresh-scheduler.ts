import type { Clock, TimerHandle } from "./clock.js";

const MIN_LEAD_MS = 1_000;
const MAX_LEAD_MS = 60_000;
const LEAD_FRACTION = 0.1;
const JITTER_FRACTION = 0.25;

/**
 * How long before expiry to refresh a token that lives `ttlMs`: 10% of the lifetime, clamped to
 * 1 s..60 s, plus up to 25% of that as jitter so that tabs and devices sharing a token do not all
 * fire in the same millisecond; never more than half the lifetime, so a token is refreshed at
 * most once per half-life even by racing tabs (a 15-minute token: 60–75 s early; a 4-second test
 * token: 1–1.25 s early; a 2-second token: 1 s early).
 */
export function refreshLeadTime(ttlMs: number, random: () => number): number {
  const margin = Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, ttlMs * LEAD_FRACTION));
  return Math.min(margin * (1 + JITTER_FRACTION * random()), ttlMs / 2);
}

/**
 * Arms one timer for the next proactive refresh and can be asked to re-check it. Timers do not
 * run while a laptop sleeps, and background tabs throttle them, so the client calls
 * {@link RefreshScheduler.check} on `visibilitychange`, `focus` and `online`: a refresh that became
 * due while the timer was frozen fires then, not up to a token lifetime late.
 */
export interface RefreshScheduler {
  /** Replaces any earlier schedule with one at local time `dueAt` (ms). */
  schedule(dueAt: number): void;
  cancel(): void;
  /** Fires now if the scheduled time has passed (timers may have slept); otherwise does nothing. */
  check(): void;
  readonly dueAt: number | undefined;
}

/** Creates a {@link RefreshScheduler}. */
export function createRefreshScheduler(options: {
  clock: Clock;
  onDue: () => void;
}): RefreshScheduler {
  const { clock, onDue } = options;
  let dueAt: number | undefined;
  let timer: TimerHandle;

  const disarm = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  const fireIfDue = () => {
    if (dueAt === undefined || clock.now() < dueAt) return false;
    dueAt = undefined;
    disarm();
    onDue();
    return true;
  };
  const arm = () => {
    disarm();
    if (dueAt === undefined) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      // A timer can fire early (long delays are clamped) or late (sleep): trust the clock only.
      if (!fireIfDue()) arm();
    }, dueAt - clock.now());
    // In Node, a pending proactive refresh must not keep a finished CLI process alive.
    (timer as { unref?: () => void } | undefined)?.unref?.();
  };

  return {
    schedule(at) {
      dueAt = at;
      arm();
    },
    cancel() {
      dueAt = undefined;
      disarm();
    },
    check() {
      fireIfDue();
    },
    get dueAt() {
      return dueAt;
    },
  };
}
