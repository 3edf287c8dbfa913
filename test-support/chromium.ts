import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { describe, it } from "vitest";

/**
 * The one way the repository's browser tests get a browser: Debian's chromium through
 * playwright-core (never a downloaded one), with the flags a headless CI container needs.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const haveChromium = existsSync(CHROMIUM);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/**
 * `describe` for browser tests: skipped with the reason printed when chromium is absent on a
 * developer's machine, failing in CI (process.env.CI), where a missing browser is a broken setup.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!haveChromium && process.env.CI) {
    describe(name, () => {
      it("needs chromium", () => {
        throw new Error(
          `chromium not found at ${CHROMIUM} (set CHROMIUM_PATH); browser tests cannot run`,
        );
      });
    });
    return;
  }
  if (!haveChromium) {
    console.warn(
      `[browser] skipped "${name}": chromium not found at ${CHROMIUM} (set CHROMIUM_PATH to run)`,
    );
  }
  describe.skipIf(!haveChromium)(name, body);
}
