import {
  ADMIN_ROLE,
  adminActor,
  deleteUser,
  listUsers,
  setUserRoles,
} from "../../accounts/admin.js";
import { toPublicUser } from "../../accounts/user-view.js";
import {
  DEFAULT_PAGE_LIMIT,
  ErrorBodySchema,
  IdParams,
  PageQuery,
  RolesBody,
  UserResponseSchema,
  UsersResponseSchema,
} from "../schemas.js";
import { defineRoute } from "../route.js";

const lastAdmin = {
  409: {
    description: "LAST_ADMIN: the change would leave no admin (nobody could use this API again)",
    schema: ErrorBodySchema,
  },
};

export const listUsersRoute = defineRoute({
  method: "GET",
  path: "/admin/users",
  scope: "auth",
  operationId: "listUsers",
  summary: "List users (admin)",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  query: PageQuery,
  responses: { 200: { description: "A page of users", schema: UsersResponseSchema } },
  async handle({ core, query }) {
    const limit = Number(query.limit ?? DEFAULT_PAGE_LIMIT);
    const offset = Number(query.offset ?? 0);
    const page = await listUsers(core, { limit, offset });
    return {
      status: 200,
      body: { users: page.users.map(toPublicUser), total: page.total, limit, offset },
    };
  },
});

export const setRolesRoute = defineRoute({
  method: "PUT",
  path: "/admin/users/:id/roles",
  scope: "auth",
  operationId: "setUserRoles",
  summary: "Replace a user's roles (admin); the user's older access tokens stop working at once",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  params: IdParams,
  body: RolesBody,
  responses: {
    200: { description: "Updated user", schema: UserResponseSchema },
    404: { description: "NOT_FOUND", schema: ErrorBodySchema },
    ...lastAdmin,
  },
  async handle({ core, auth, params, body, meta }) {
    const user = await setUserRoles(core, adminActor(auth), params.id, body.roles, meta);
    return { status: 200, body: { user: toPublicUser(user) } };
  },
});

export const deleteUserRoute = defineRoute({
  method: "DELETE",
  path: "/admin/users/:id",
  scope: "auth",
  operationId: "deleteUser",
  summary: "Delete a user (admin); every session of that user ends at once",
  auth: { role: ADMIN_ROLE },
  rateLimited: true,
  params: IdParams,
  responses: {
    204: { description: "Deleted" },
    404: { description: "NOT_FOUND", schema: ErrorBodySchema },
    ...lastAdmin,
  },
  async handle({ core, auth, params, meta }) {
    await deleteUser(core, adminActor(auth), params.id, meta);
    return { status: 204 };
  },
});
