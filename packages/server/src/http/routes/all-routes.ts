import type { Route } from "../route.js";
import {
  changeEmailRoute,
  resendVerificationRoute,
  undoEmailChangeRoute,
  verifyEmailRoute,
} from "./email-routes.js";
import { loginRoute, meRoute, notMeRoute, passwordRoute, registerRoute } from "./account-routes.js";
import { deleteUserRoute, listUsersRoute, setRolesRoute } from "./admin-routes.js";
import { forgotPasswordRoute, resetPasswordRoute } from "./password-reset-routes.js";
import { healthRoute, jwksRoute, metricsRoute, openApiRoute } from "./meta-routes.js";
import {
  logoutAllRoute,
  logoutRoute,
  refreshRoute,
  revokeRoute,
  revokeSessionRoute,
  sessionsRoute,
} from "./session-routes.js";

/** Every endpoint Baton serves, in the order the docs list them. */
export function allRoutes(): Route[] {
  const routes: Route[] = [
    registerRoute,
    loginRoute,
    refreshRoute,
    logoutRoute,
    logoutAllRoute,
    meRoute,
    sessionsRoute,
    revokeSessionRoute,
    revokeRoute,
    passwordRoute,
    forgotPasswordRoute,
    resetPasswordRoute,
    verifyEmailRoute,
    resendVerificationRoute,
    changeEmailRoute,
    undoEmailChangeRoute,
    notMeRoute,
    listUsersRoute,
    setRolesRoute,
    deleteUserRoute,
    jwksRoute,
    healthRoute,
    metricsRoute,
  ];
  routes.push(openApiRoute(() => routes));
  return routes;
}

/** The URL a route answers at, given the base path. */
export function routeUrl(route: Route, path: string, basePath: string): string {
  return route.scope === "auth" ? basePath + path : path;
}
