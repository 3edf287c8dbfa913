import type { Clock, TimerHandle } from "../../src/clock.js";

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when the test says so. `advance` fires due timers in time order, and
 * lets promise chains settle between them, so "a refresh is due in 54 s" is tested by advancing
 * 54 s, not by sleeping.
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Timers still armed. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the next timer fires, if any. */
  get nextAt(): number | undefined {
    return this.timers.reduce<number | undefined>(
      (min, t) => (min === undefined || t.at < min ? t.at : min),
      undefined,
    );
  }

  /** Moves the clock without firing anything: a laptop that slept. */
  jump(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time, settling promises between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.nextAt;
      if (next === undefined || next > end) break;
      // Everything due at the same instant fires before promises settle, as two tabs' timers
      // would: their requests are in flight together.
      const due = this.timers.filter((timer) => timer.at === next).sort((a, b) => a.id - b.id);
      this.timers = this.timers.filter((timer) => timer.at !== next);
      this.time = Math.max(this.time, next);
      for (const timer of due) timer.callback();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every pending promise reaction run (fake transports answer through microtasks only). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
