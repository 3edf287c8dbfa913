import type { BatonConfig, BatonOptions } from "./options.js";

/**
 * What a production configuration allows but should not have: said loudly at every start (logged
 * at `warn` by createBaton), not refused, because each has a legitimate if rare use (an internal
 * front-end on plain HTTP behind a VPN; a cookie name another system depends on). `names` maps
 * option keys to the variables the user wrote.
 */
export function productionWarnings(
  config: BatonConfig,
  names: Partial<Record<keyof BatonOptions, string>> = {},
): string[] {
  if (!config.production) return [];
  const label = (key: keyof BatonOptions) => names[key] ?? key;
  const warnings: string[] = [];
  for (const origin of config.corsOrigins.filter((origin) => origin.startsWith("http://"))) {
    // Anyone on the network path can change a page served over plain HTTP, so script injected
    // there calls the API with the user's credentials (OWASP ASVS 9.1.1: TLS for all client connections).
    warnings.push(
      `${label("corsOrigins")}: ${origin} is plain HTTP: anyone on its network path can inject script that calls Baton with your users' credentials. Serve that front-end over https:// and list it as such.`,
    );
  }
  if (!config.cookieName.startsWith("__Secure-")) {
    // RFC 6265bis §4.1.3.1: without the prefix, a plain-HTTP page or a sibling subdomain can set a
    // cookie of the same name (cookie tossing) and browsers will send it to Baton.
    warnings.push(
      `${label("cookieName")} ${JSON.stringify(config.cookieName)} has no __Secure- prefix: a plain-HTTP page or a sibling subdomain can plant a cookie of that name. Use __Secure-${config.cookieName} (the production default is __Secure-refresh_token).`,
    );
  }
  if (config.mail === null) {
    // Not refused: an app may run its own account mail; but its users cannot recover a password.
    warnings.push(
      `${label("smtpUrl")} is not set: Baton sends no mail, so password reset, email verification and sign-in alerts are off (they answer FEATURE_DISABLED). Set ${label("smtpUrl")} and ${label("publicUrl")} to turn them on.`,
    );
  }
  return warnings;
}
