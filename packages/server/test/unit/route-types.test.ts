import { Type } from "@sinclair/typebox";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AuthInfo, Core } from "../../src/core.js";
import { defineRoute, type HandlerInput } from "../../src/http/route.js";
import {
  IdParams,
  LoginBody,
  PageQuery,
  RolesBody,
  UserResponseSchema,
} from "../../src/http/schemas.js";
import { compileValidator } from "../../src/http/validation.js";

// A route's handler is typed from the route's own schemas and auth (issue 14.4). Most of this
// file is checked by the compiler, not at run time: `npm run typecheck` (tsc -p
// tsconfig.test.json) fails when a `@ts-expect-error` line below stops being an error, that is
// when a handler could read a field its schema lacks or answer what its responses do not list.

const description = {
  method: "POST",
  path: "/example",
  scope: "auth",
  operationId: "example",
  summary: "A route for the type tests",
  rateLimited: false,
} as const;

const caller: AuthInfo = { userId: "u1", sessionId: "s1", roles: ["admin"], emailVerified: true };

function input(overrides: Partial<HandlerInput>): HandlerInput {
  return {
    core: {} as Core,
    body: {},
    params: {},
    query: {},
    cookies: {},
    headers: {},
    meta: { ip: null, userAgent: null },
    auth: null,
    rawHeaders: [],
    ...overrides,
  };
}

describe("defineRoute types a handler from its schemas", () => {
  it("a public route's body is its schema's type, and there is no caller", async () => {
    const route = defineRoute({
      ...description,
      auth: "none",
      body: LoginBody,
      responses: { 204: { description: "Done" } },
      handle({ body, auth, params, query }) {
        expectTypeOf(body).toEqualTypeOf<{
          email: string;
          password: string;
          transport?: "cookie" | "body";
        }>();
        expectTypeOf(auth).toEqualTypeOf<null>();
        // @ts-expect-error LoginBody has no `name`
        void body.name;
        // @ts-expect-error a route without a params schema has no params to read
        void params.id;
        // @ts-expect-error nor a query
        void query.limit;
        expect(body.email).toBe("ada@example.com");
        return { status: 204 };
      },
    });
    const answer = await route.handle(input({ body: { email: "ada@example.com", password: "x" } }));
    expect(answer).toEqual({ status: 204 });
  });

  it("a Bearer or role route has a caller: AuthInfo, never null", async () => {
    const bearer = defineRoute({
      ...description,
      auth: "bearer",
      responses: { 204: { description: "Done" } },
      handle({ auth }) {
        expectTypeOf(auth).toEqualTypeOf<AuthInfo>();
        expect(auth.userId).toBe("u1");
        return { status: 204 };
      },
    });
    const admin = defineRoute({
      ...description,
      auth: { role: "admin" },
      params: IdParams,
      body: RolesBody,
      responses: { 204: { description: "Done" } },
      handle({ auth, params, body }) {
        expectTypeOf(auth).toEqualTypeOf<AuthInfo>();
        expectTypeOf(params).toEqualTypeOf<{ id: string }>();
        expectTypeOf(body).toEqualTypeOf<{ roles: string[] }>();
        // @ts-expect-error RolesBody has `roles`, not `role`
        void body.role;
        return { status: 204 };
      },
    });
    expect(await bearer.handle(input({ auth: caller }))).toEqual({ status: 204 });
    expect(
      await admin.handle(input({ auth: caller, params: { id: "u2" }, body: { roles: [] } })),
    ).toEqual({ status: 204 });
  });

  it("a query is typed by its schema, whose patterns hold the bounds", () => {
    defineRoute({
      ...description,
      method: "GET",
      auth: "none",
      query: PageQuery,
      responses: { 204: { description: "Done" } },
      handle({ query }) {
        expectTypeOf(query).toEqualTypeOf<{ limit?: string; offset?: string }>();
        return { status: 204 };
      },
    });
    const check = compileValidator(PageQuery, "query");
    for (const limit of ["1", "50", "100", "007", "000100"])
      expect(() => check({ limit })).not.toThrow();
    for (const limit of ["0", "101", "1000", "-1", "1.5", "", "0000100"]) {
      expect(() => check({ limit }), limit).toThrow(
        expect.objectContaining({
          code: "VALIDATION_FAILED",
          message: "query/limit must be a whole number from 1 to 100 (50 when absent)",
          details: [
            { path: "/limit", message: "must be a whole number from 1 to 100 (50 when absent)" },
          ],
        }),
      );
    }
    expect(() => check({ offset: "999999" })).not.toThrow();
    expect(() => check({ offset: "1000000" })).toThrow(/offset must be a whole number from 0/);
  });

  it("a reply must be a documented status, with that status's body", async () => {
    const user = {
      id: "u1",
      email: "ada@example.com",
      name: null,
      roles: ["user"],
      createdAt: "2026-01-01T00:00:00.000Z",
      emailVerified: false,
    };
    const route = defineRoute({
      ...description,
      method: "GET",
      auth: "bearer",
      responses: {
        200: { description: "The user", schema: UserResponseSchema },
        204: { description: "Nothing" },
      },
      handle() {
        return { status: 200, body: { user } };
      },
    });
    expect(await route.handle(input({ auth: caller }))).toEqual({ status: 200, body: { user } });

    defineRoute({
      ...description,
      auth: "none",
      responses: { 200: { description: "The user", schema: UserResponseSchema } },
      // @ts-expect-error 201 is not among the documented statuses
      handle() {
        return { status: 201, body: { user } };
      },
    });
    defineRoute({
      ...description,
      auth: "none",
      responses: { 200: { description: "The user", schema: UserResponseSchema } },
      // @ts-expect-error the body lacks the `user` the schema requires
      handle() {
        return { status: 200, body: { account: user } };
      },
    });
    defineRoute({
      ...description,
      auth: "none",
      responses: { 204: { description: "No content" } },
      // @ts-expect-error a status documented without a schema has no body
      handle() {
        return { status: 204, body: { user } };
      },
    });
    defineRoute({
      ...description,
      auth: "none",
      responses: {
        200: { description: "Counted", schema: Type.Object({ count: Type.Integer() }) },
      },
      // @ts-expect-error `count` is a number
      handle() {
        return { status: 200, body: { count: "1" } };
      },
    });
  });
});
