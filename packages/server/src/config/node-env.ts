/**
 * The one NODE_ENV rule: unset (or empty), exactly `development` and exactly `test` are
 * development; any other value (`production`, `Production`, `prod`, `staging`, ...) is production.
 * A misspelling thus gets the strict checks instead of silently running development mode.
 */
export function isProductionEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.NODE_ENV;
  return !(value === undefined || value === "" || value === "development" || value === "test");
}
