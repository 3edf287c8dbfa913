import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AuthProvider, RequireAuth, useAuth } from "../src/react/index.js";
import { EMAIL, PASSWORD, setup } from "./support/setup.js";

function Status() {
  const { status, user, hasRole } = useAuth();
  return <p>{`${status}:${user?.email ?? "-"}:${hasRole("admin") ? "admin" : "no-admin"}`}</p>;
}

const guarded = (
  <RequireAuth
    roles={["admin"]}
    fallback={<i>login</i>}
    forbidden={<i>forbidden</i>}
    loading={<i>loading</i>}
  >
    <b>secret</b>
  </RequireAuth>
);

describe("React bindings", () => {
  it("render loading while the session is restored, never the fallback", async () => {
    const { reload } = await setup();
    const client = reload({ autoStart: false });
    const html = renderToStaticMarkup(
      <AuthProvider client={client}>
        <Status />
        {guarded}
      </AuthProvider>,
    );
    expect(html).toBe("<p>loading:-:no-admin</p><i>loading</i>");
  });

  it("render the fallback for a signed-out user, and 'forbidden' without the role", async () => {
    const { client } = await setup();
    const anonymous = renderToStaticMarkup(<AuthProvider client={client}>{guarded}</AuthProvider>);
    expect(anonymous).toBe("<i>login</i>");
    await client.login({ email: EMAIL, password: PASSWORD });
    const html = renderToStaticMarkup(
      <AuthProvider client={client}>
        <Status />
        {guarded}
        <RequireAuth fallback={<i>login</i>}>
          <b>any user</b>
        </RequireAuth>
      </AuthProvider>,
    );
    expect(html).toBe(`<p>authenticated:${EMAIL}:no-admin</p><i>forbidden</i><b>any user</b>`);
    client.dispose();
  });

  it("render children for a user with one of the roles", async () => {
    const { client, server } = await setup();
    server.addUser("root@example.com", PASSWORD, ["user", "admin"]);
    await client.login({ email: "root@example.com", password: PASSWORD });
    expect(renderToStaticMarkup(<AuthProvider client={client}>{guarded}</AuthProvider>)).toBe(
      "<b>secret</b>",
    );
    client.dispose();
  });

  it("useAuth outside <AuthProvider> is a programmer error", () => {
    expect(() => renderToStaticMarkup(<Status />)).toThrow(TypeError);
  });
});
