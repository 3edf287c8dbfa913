// Asks for PostgreSQL, then Redis, in an app that installed neither driver: each error must name
// the package to install.
import { createBaton } from "@baton/server";

for (const options of [
  { databaseUrl: "postgres://nobody@127.0.0.1:1/none" },
  { databaseUrl: "sqlite::memory:", redisUrl: "redis://127.0.0.1:1" },
]) {
  try {
    const baton = await createBaton({ ...options, logger: false });
    await baton.close();
    console.log("started");
  } catch (error) {
    console.log((error as Error).message);
  }
}
