import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A folder for prebuild-install's local prebuilds (`npm_config_better_sqlite3_local_prebuilds`)
 * holding the better-sqlite3 binary this checkout already built. Its install script downloads a
 * prebuilt binary from GitHub, or compiles SQLite for minutes when it cannot; the installs of
 * the packaging tests get the same binary (same version, Node ABI and platform) from here. A
 * different resolved version finds nothing and is compiled as usual.
 */
export async function localSqlitePrebuild(root: string, work: string): Promise<string> {
  const dir = join(work, ".prebuilds");
  const built = join(root, "node_modules/better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(built, "package.json"), "utf8")) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(built, "build/Release/better_sqlite3.node")))
    await promisify(execFile)(
      "tar",
      ["-czf", join(dir, name), "build/Release/better_sqlite3.node"],
      {
        cwd: built,
      },
    );
  return dir;
}
