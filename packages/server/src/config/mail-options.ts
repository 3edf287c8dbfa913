import { maskedUrl } from "./masked-url.js";

/** What the mailer needs: where mail goes, whom it is from, and what its links point at. */
export interface MailOptions {
  /**
   * `smtp://user:password@host:587` (STARTTLS when the server offers it) or
   * `smtps://user:password@host:465` (TLS from the first byte). Absent: mail goes to the
   * development inbox (development only).
   */
  smtpUrl?: string;
  /** The From address: `baton@example.com` or `Example <baton@example.com>`. */
  from: string;
  /** The application's name, shown in every message. */
  appName: string;
  /**
   * The application's public URL (`https://app.example.com/`, a path allowed): every link in a
   * message is built from it, never from a request's `Host` header, which a client chooses
   * (host-header poisoning would mail a victim a reset link to the attacker's site).
   */
  publicUrl: string;
  /** The locale of a message that names none. Default `en`. */
  defaultLocale?: string;
}

/** Options checked once; `publicUrl` ends with `/` so links resolve below its path. */
export interface ResolvedMailOptions {
  readonly smtpUrl: string | null;
  readonly from: string;
  readonly appName: string;
  readonly publicUrl: URL;
  readonly defaultLocale: string;
}

// A deliberately plain check: one @, no spaces or angle brackets in the address; the SMTP server
// has the last word on deliverability.
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;
const NAMED_ADDRESS = /^[^<>"\r\n]*<([^<>]+)>$/;

/**
 * Checks the options once and reports every problem at once, named by option.
 * `production: true` also requires an SMTP URL and an https public URL (a link on http would
 * carry its token in the clear).
 */
export function resolveMailOptions(
  options: MailOptions,
  { production }: { production: boolean },
): ResolvedMailOptions {
  const problems: string[] = [];
  const resolved = checkMailOptions(options, { production, problems });
  if (resolved === null) throw new TypeError(`Invalid mail options:\n- ${problems.join("\n- ")}`);
  return resolved;
}

/**
 * The same checks, adding each problem to `problems` (null when there is one), with each option
 * named by `label` (the configuration's names: `SMTP_URL` when it came from the environment).
 */
export function checkMailOptions(
  options: MailOptions,
  {
    production,
    problems,
    label = (key) => key,
  }: { production: boolean; problems: string[]; label?: (key: keyof MailOptions) => string },
): ResolvedMailOptions | null {
  const before = problems.length;

  let smtpUrl: string | null = null;
  if (options.smtpUrl !== undefined && options.smtpUrl !== "") {
    let url: URL | null = null;
    try {
      url = new URL(options.smtpUrl);
    } catch {
      problems.push(`${label("smtpUrl")} ${maskedUrl(options.smtpUrl)} is not a URL`);
    }
    if (url !== null) {
      if (url.protocol !== "smtp:" && url.protocol !== "smtps:")
        problems.push(
          `${label("smtpUrl")} ${maskedUrl(options.smtpUrl)} must start with smtp:// or smtps://`,
        );
      else if (url.hostname === "")
        problems.push(`${label("smtpUrl")} ${maskedUrl(options.smtpUrl)} names no host`);
      else smtpUrl = options.smtpUrl;
    }
  } else if (production) {
    problems.push(
      `${label("smtpUrl")} is required in production (without it mail only reaches the development inbox)`,
    );
  }

  const address = NAMED_ADDRESS.exec(options.from)?.[1] ?? options.from;
  if (!ADDRESS.test(address.trim()))
    problems.push(`${label("from")} ${JSON.stringify(options.from)} is not an email address`);

  if (options.appName.trim() === "") problems.push(`${label("appName")} must not be empty`);

  let publicUrl: URL | null = null;
  try {
    publicUrl = new URL(options.publicUrl);
  } catch {
    problems.push(
      `${label("publicUrl")} ${JSON.stringify(options.publicUrl)} is not an absolute URL: mail links are built from it`,
    );
  }
  if (publicUrl !== null) {
    if (publicUrl.protocol !== "https:" && publicUrl.protocol !== "http:")
      problems.push(`${label("publicUrl")} ${publicUrl.href} must be an http(s) URL`);
    else if (production && publicUrl.protocol !== "https:")
      problems.push(
        `${label("publicUrl")} ${publicUrl.href} must use https in production (links carry tokens)`,
      );
    if (publicUrl.username !== "" || publicUrl.password !== "")
      problems.push(`${label("publicUrl")} must not carry a user name or password`);
    if (publicUrl.search !== "" || publicUrl.hash !== "")
      problems.push(`${label("publicUrl")} ${publicUrl.href} must not have a query or fragment`);
  }

  const defaultLocale = options.defaultLocale ?? "en";
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(defaultLocale))
    problems.push(
      `${label("defaultLocale")} ${JSON.stringify(defaultLocale)} is not a language tag`,
    );

  if (problems.length > before || publicUrl === null) return null;
  if (!publicUrl.pathname.endsWith("/")) publicUrl.pathname += "/";
  return Object.freeze({
    smtpUrl,
    from: options.from,
    appName: options.appName.trim(),
    publicUrl,
    defaultLocale,
  });
}
