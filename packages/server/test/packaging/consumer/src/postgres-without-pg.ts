// Asks for PostgreSQL in an app that did not install pg: the error must name the package.
import { createBaton } from "@baton/server";

try {
  await createBaton({ databaseUrl: "postgres://nobody@127.0.0.1:1/none", logger: false });
  console.log("opened");
} catch (error) {
  console.log((error as Error).message);
}
