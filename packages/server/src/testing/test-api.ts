/**
 * The test functions the store conformance suite registers its tests with, and the matchers it
 * uses: a subset of vitest's API, written out so that `@baton/server/testing` needs no test
 * runner of its own (pass `import * as vitest from "vitest"`).
 */
export interface TestApi {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => Promise<void>) => unknown;
  beforeEach: (hook: () => Promise<unknown>) => unknown;
  afterEach: (hook: () => Promise<unknown>) => unknown;
  expect: Expect;
}

export interface Expect {
  /** `message` names the failing case in the report. */
  (actual: unknown, message?: string): Assertion;
  objectContaining(expected: Record<string, unknown>): unknown;
}

export interface Assertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toHaveLength(length: number): void;
  toContainEqual(expected: unknown): void;
  readonly not: Assertion;
  readonly resolves: SettledAssertion;
  readonly rejects: SettledAssertion;
}

/** Assertions on what a promise settles to. */
export interface SettledAssertion {
  toBeUndefined(): Promise<unknown>;
  toBeDefined(): Promise<unknown>;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): Promise<unknown>;
}
