import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/** Owner only: the database holds password hashes, sealed keys and personal data. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;
/** What SQLite writes beside the database file. */
const COMPANIONS = ["-wal", "-shm", "-journal"];
/** Other files Baton keeps beside the database (secrets/root-secret.ts). */
const NEIGHBOURS = ["baton.secret"];

/**
 * Makes the SQLite database file private before SQLite opens it: a missing file is created with
 * mode 0600 (SQLite gives its `-wal`, `-shm` and `-journal` files the database file's mode), a
 * missing folder with 0700. A database from an older version (0644) is tightened to 0600 with its
 * companions.
 *
 * Folders are chmodded only when they are Baton's: created now, or holding nothing but Baton's
 * files (an older version's data folder). A folder that holds anything else — the user's working
 * directory, a shared `/var/lib` — is never changed: its other contents are not Baton's to judge.
 */
export function preparePrivateDatabaseFile(path: string): void {
  const folder = dirname(resolve(path));
  const created = mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
  if (created === undefined) tightenFolderIfOurs(folder, basename(path));
  try {
    closeSync(openSync(path, "wx", FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  for (const file of [path, ...COMPANIONS.map((suffix) => path + suffix)]) tighten(file, FILE_MODE);
}

function tightenFolderIfOurs(folder: string, databaseName: string): void {
  if (folder === process.cwd()) return;
  const ours = new Set([
    databaseName,
    ...COMPANIONS.map((suffix) => databaseName + suffix),
    ...NEIGHBOURS,
  ]);
  if (readdirSync(folder).every((name) => ours.has(name))) tighten(folder, FOLDER_MODE);
}

/**
 * Removes the permissions `mode` does not allow; never adds any. A missing file is fine, and so is
 * one owned by another account (EPERM): that is its owner's arrangement, not an older Baton's.
 */
function tighten(path: string, mode: number): void {
  try {
    const current = statSync(path).mode & 0o777;
    if ((current & ~mode) !== 0) chmodSync(path, current & mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "EPERM") throw error;
  }
}
