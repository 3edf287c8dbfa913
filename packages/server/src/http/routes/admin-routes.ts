import {
  ADMIN_ROLE,
  adminActor,
  deleteUser,
  listUsers,
  setUserRoles,
} from "../../accounts/admin.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { AuthError } from "../../errors.js";
import {
  ErrorBodySchema,
  IdParams,
  PageQuery,
  RolesBody,
  UserResponseSchema,
  UsersResponseSchema,
} from "../schemas.js";
import type { Route, RouteContext } from "../route.js";

const forbidden = {
  403: { description: "FORBIDDEN: caller lacks the admin role", schema: ErrorBodySchema },
};
const lastAdmin = {
  409: {
    description: "LAST_ADMIN: the change would leave no admin (nobody could use this API again)",
    schema: ErrorBodySchema,
  },
};

export const listUsersRoute: Route = {
  method: "GET",
  path: "/admin/users",
  scope: "auth",
  summary: "List users (admin)",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  query: PageQuery,
  responses: { 200: { description: "A page of users", schema: UsersResponseSchema }, ...forbidden },
  async handle({ core, query }: RouteContext<unknown, unknown, PageQuery>) {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (limit < 1 || limit > 100) {
      throw new AuthError("VALIDATION_FAILED", "limit must be 1 to 100", {
        details: [{ path: "/limit", message: "must be 1 to 100" }],
      });
    }
    const page = await listUsers(core, { limit, offset });
    return {
      status: 200,
      body: { users: page.users.map(toPublicUser), total: page.total, limit, offset },
    };
  },
};

export const setRolesRoute: Route = {
  method: "PUT",
  path: "/admin/users/:id/roles",
  scope: "auth",
  summary: "Replace a user's roles (admin); the user's older access tokens stop working at once",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  params: IdParams,
  body: RolesBody,
  responses: {
    200: { description: "Updated user", schema: UserResponseSchema },
    ...forbidden,
    404: { description: "NOT_FOUND", schema: ErrorBodySchema },
    ...lastAdmin,
  },
  async handle({ core, auth, params, body, meta }: RouteContext<RolesBody, IdParams>) {
    const user = await setUserRoles(core, adminActor(auth!), params.id, body.roles, meta);
    return { status: 200, body: { user: toPublicUser(user) } };
  },
};

export const deleteUserRoute: Route = {
  method: "DELETE",
  path: "/admin/users/:id",
  scope: "auth",
  summary: "Delete a user (admin); every session of that user ends at once",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  params: IdParams,
  responses: {
    204: { description: "Deleted" },
    ...forbidden,
    404: { description: "NOT_FOUND", schema: ErrorBodySchema },
    ...lastAdmin,
  },
  async handle({ core, auth, params, meta }: RouteContext<unknown, IdParams>) {
    await deleteUser(core, adminActor(auth!), params.id, meta);
    return { status: 204 };
  },
};
