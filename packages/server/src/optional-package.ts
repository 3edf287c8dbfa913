/**
 * Loads the module that needs an optional peer dependency (a database driver, a parser), and
 * turns "cannot find package" into an error that names the package to install. The drivers are
 * optional so that an app on SQLite does not install PostgreSQL's, Redis's or the import
 * command's parsers (issue 13); they load only when their URL or command is used.
 */
export async function loadOptional<T>(
  packageName: string,
  usedFor: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, packageName)) throw error;
    throw new Error(
      `${usedFor} needs the package "${packageName}", which is not installed: npm install ${packageName}`,
      { cause: error },
    );
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(`'${packageName}'`)
  );
}
