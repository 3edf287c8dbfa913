/**
 * What the founding documents' clients send, as they send it (issue 13 §4, docs/migrating.md):
 * seed 000's sign-up names the user `fullName`, seed 002's `firstName` + `lastName`, and axios in
 * Node sends a bodiless POST /refresh with a form content type. Each through both adapters.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import axios from "axios";
import express from "express";
import { createBaton } from "@baton/server";
import { batonExpress } from "@baton/server/express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type Adapter, type TestServer } from "../support/test-server.js";
import { expectError, rawRequest } from "../security/support/attack-kit.js";

const PASSWORD = "correct horse battery";

describe.each<Adapter>(["fastify", "express"])("the seeds' requests through %s", (adapter) => {
  let server: TestServer;
  let counter = 0;
  const email = () => `seed-${adapter}-${++counter}@example.com`;
  beforeAll(async () => {
    server = await startTestServer(adapter);
  });
  afterAll(() => server.close());

  describe("POST /register names the user", () => {
    it.each([
      ["fullName (seed 000's sign-up)", { fullName: " Ada Lovelace " }, "Ada Lovelace"],
      [
        "firstName + lastName (seed 002's register)",
        { firstName: "Ada", lastName: "Lovelace" },
        "Ada Lovelace",
      ],
      ["firstName alone", { firstName: "Ada" }, "Ada"],
      [
        "name and fullName that agree",
        { name: "Ada Lovelace", fullName: " Ada Lovelace" },
        "Ada Lovelace",
      ],
      [
        "name and firstName + lastName that agree",
        { name: "Ada Lovelace", firstName: "Ada", lastName: "Lovelace" },
        "Ada Lovelace",
      ],
      ["a null fullName (no name)", { fullName: null }, null],
    ])("with %s", async (_what, fields, name) => {
      const response = await server.client().post("/api/auth/register", {
        email: email(),
        password: PASSWORD,
        ...fields,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.user.name).toBe(name);
    });

    it.each([
      ["name and fullName", { name: "Ada", fullName: "Ada Lovelace" }, "/fullName"],
      [
        "fullName and firstName + lastName",
        { fullName: "Ada Lovelace", firstName: "Grace", lastName: "Hopper" },
        "/firstName",
      ],
    ])(
      "refuses %s that disagree: 400 VALIDATION_FAILED saying which to send",
      async (_what, fields, path) => {
        const address = email();
        const response = await server.client().post("/api/auth/register", {
          email: address,
          password: PASSWORD,
          ...fields,
        });
        expectError(response, "VALIDATION_FAILED");
        expect(response.body.error.details).toEqual([
          { path, message: expect.stringMatching(/send one/) },
        ]);
        // Nothing was created: the same email registers afterwards.
        const retry = await server
          .client()
          .post("/api/auth/register", { email: address, password: PASSWORD });
        expect(retry.status).toBe(201);
      },
    );

    it("refuses fields it does not keep (seed 000's bio), saying which it takes", async () => {
      const response = await server.client().post("/api/auth/register", {
        email: email(),
        password: PASSWORD,
        fullName: "Ada",
        bio: "Hi",
      });
      expectError(response, "VALIDATION_FAILED");
      expect(response.body.error.message).toBe(
        "body/bio is not an accepted field (accepted: email, password, name, fullName, firstName, lastName, transport)",
      );
    });
  });

  describe("a bodiless POST /refresh with a form content type (axios in Node)", () => {
    it("axios.post(url) with the refresh cookie: 200 and a new access token", async () => {
      const { client } = await signUp(server, email());
      const cookie = `refresh_token=${client.jar.get("refresh_token")}`;
      const response = await axios.post(`${server.url}/api/auth/refresh`, undefined, {
        headers: { cookie },
        validateStatus: () => true,
      });
      // What axios sent: the form content type with nothing in it.
      expect(response.config.headers.getContentType()).toBe("application/x-www-form-urlencoded");
      expect(response.status, JSON.stringify(response.data)).toBe(200);
      expect(response.data.accessToken).toEqual(expect.any(String));
    });

    it.each([["multipart/form-data; boundary=x"], ["text/plain"], ["application/xml"]])(
      "an empty body typed %s is not read as one either: 200",
      async (type) => {
        const { client } = await signUp(server, email());
        const response = await rawRequest(
          server.url,
          "POST",
          "/api/auth/refresh",
          [
            ["cookie", `refresh_token=${client.jar.get("refresh_token")}`],
            ["content-type", type],
          ],
          "",
        );
        expect(response.status, response.text).toBe(200);
      },
    );

    it.each<[string, [string, string]]>([
      ["a foreign Origin", ["origin", "https://evil.example"]],
      ["Sec-Fetch-Site: cross-site", ["sec-fetch-site", "cross-site"]],
    ])("an empty form post with %s is still CSRF_FAILED", async (_what, extra) => {
      const { client } = await signUp(server, email());
      const response = await rawRequest(
        server.url,
        "POST",
        "/api/auth/refresh",
        [
          ["cookie", `refresh_token=${client.jar.get("refresh_token")}`],
          ["content-type", "application/x-www-form-urlencoded"],
          extra,
        ],
        "",
      );
      expectError(response, "CSRF_FAILED");
    });

    it("a form body that is not empty is still CSRF_FAILED", async () => {
      const { client } = await signUp(server, email());
      const response = await axios.post(`${server.url}/api/auth/refresh`, "transport=body", {
        headers: { cookie: `refresh_token=${client.jar.get("refresh_token")}` },
        validateStatus: () => true,
      });
      expect(response.status).toBe(403);
      expect(response.data.error.code).toBe("CSRF_FAILED");
    });
  });
});

describe("behind a host app's own body parsers (express.urlencoded and express.json first)", () => {
  it("an empty form-typed refresh passes; a parsed form with fields is still CSRF_FAILED", async () => {
    const baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      logger: false,
      authRateLimit: 0,
    });
    const app = express();
    app.use(express.urlencoded({ extended: false }), express.json());
    app.use(batonExpress(baton));
    const listener = app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const registered = await fetch(`${url}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "parsed@example.com", password: PASSWORD, fullName: "Ada" }),
      });
      expect(registered.status).toBe(201);
      const cookie = registered.headers
        .getSetCookie()
        .map((line) => line.split(";")[0])
        .join("; ");
      const refresh = (body?: string) =>
        axios.post(`${url}/api/auth/refresh`, body, {
          headers: { cookie },
          validateStatus: () => true,
        });
      const withFields = await refresh("transport=body");
      expect(withFields.status).toBe(403);
      expect(withFields.data.error.code).toBe("CSRF_FAILED");
      expect((await refresh()).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await baton.close();
    }
  });
});
