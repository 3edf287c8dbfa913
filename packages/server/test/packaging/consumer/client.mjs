// A plain Node ESM script using @baton/client against the Express app (BATON_URL).
import { createAuthClient } from "@baton/client";

const auth = createAuthClient({ baseUrl: `${process.env.BATON_URL}/api/auth`, transport: "body" });
await auth.login({ email: "ada@example.com", password: "correct horse battery" });
const notes = await (await auth.fetch(`${process.env.BATON_URL}/api/notes`)).json();
console.log(JSON.stringify(notes));
await auth.logout();
