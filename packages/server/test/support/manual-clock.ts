import type { Clock } from "@baton/server";

/** A clock that moves only when told to: time-dependent rules are tested without sleeping. */
export class ManualClock implements Clock {
  constructor(private time = Date.parse("2026-03-01T12:00:00.000Z")) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
