import axios, { AxiosError } from "axios";
import { describe, expect, it } from "vitest";
import { SessionEndedError } from "../src/errors.js";
import { EMAIL, PASSWORD, setup } from "./support/setup.js";

async function withAxios() {
  const harness = await setup();
  const api = axios.create({
    baseURL: "http://app.test/api",
    adapter: "fetch",
    env: { fetch: harness.server.fetchFor(harness.jar) },
  });
  const remove = harness.client.axios(api);
  await harness.client.login({ email: EMAIL, password: PASSWORD });
  return { ...harness, api, remove };
}

describe("client.axios(instance)", () => {
  it("attaches the token and turns 30 parallel TOKEN_EXPIRED answers into one refresh", async () => {
    const { api, server, client } = await withAxios();
    server.skewMs = 16 * 60_000;
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => api.get<{ ok: boolean }>("/data")),
    );
    expect(responses.every((r) => r.status === 200 && r.data.ok)).toBe(true);
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(server.count("/api/data")).toBe(60);
    client.dispose();
  });

  it("leaves TOKEN_INVALID to the caller, without refreshing", async () => {
    const { api, server, client } = await withAxios();
    server.resourceStatus = () => ({ status: 401, code: "TOKEN_INVALID" });
    const error = await api.get("/data").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.count("/api/auth/refresh")).toBe(0);
    client.dispose();
  });

  it("retries a request once: a second TOKEN_EXPIRED is the caller's", async () => {
    const { api, server, client } = await withAxios();
    server.resourceStatus = () => ({ status: 401, code: "TOKEN_EXPIRED" });
    const error = await api.get("/data").catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.count("/api/data")).toBe(2);
    expect(server.count("/api/auth/refresh")).toBe(1);
    client.dispose();
  });

  it("rejects with SessionEndedError when the refresh ends the session", async () => {
    const { api, server } = await withAxios();
    server.skewMs = 16 * 60_000;
    server.fail("/api/auth/refresh", { kind: "status", status: 401, code: "REFRESH_INVALID" });
    await expect(api.get("/data")).rejects.toBeInstanceOf(SessionEndedError);
  });

  it("keeps a caller's Authorization header, skips foreign origins, and can be removed", async () => {
    const { api, server, remove, client } = await withAxios();
    await api.get("/data", { headers: { Authorization: "Basic abc" } }).catch(() => undefined);
    expect(server.requests.at(-1)?.authorization).toBe("Basic abc");
    await api.get("https://tracker.example.net/collect").catch(() => undefined);
    expect(server.requests.at(-1)?.authorization).toBeNull();
    remove();
    await api.get("/data").catch(() => undefined);
    expect(server.requests.at(-1)?.authorization).toBeNull();
    client.dispose();
  });
});
