/**
 * Just enough user-agent parsing to label a session ("Chrome 131 on macOS", a phone icon): the
 * demo's Security page shows where an account is signed in, and the server's new-device alert
 * names the device in its mail. One parser for both, here, because both sides import this package. Order matters: Edge and Opera also say
 * "Chrome", Chrome also says "Safari", and iPadOS 13+ may pretend to be a Mac.
 */
export type DeviceKind = "desktop" | "mobile" | "tablet" | "tool";

export interface ParsedUserAgent {
  /** e.g. "Chrome 131", "Safari 17.4", "curl 8.5", "Unknown browser". */
  browser: string;
  /** e.g. "macOS", "Windows", "iOS 17.4", "Android 14", "Linux"; empty when unknown. */
  os: string;
  device: DeviceKind;
  /** "Chrome 131 on macOS" */
  label: string;
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\bFirefox\/(\d+)/, "Firefox"],
  [/\bFxiOS\/(\d+)/, "Firefox"],
  [/\bCriOS\/(\d+)/, "Chrome"],
  [/\bHeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/\bChrom(?:e|ium)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+(?:\.\d+)?).*\bSafari\//, "Safari"],
];

const TOOLS: [RegExp, string][] = [
  [/^curl\/(\d+(?:\.\d+)?)/, "curl"],
  [/^Wget\/(\d+(?:\.\d+)?)/, "Wget"],
  [/^node(?:-fetch)?(?:\/(\d+))?/i, "Node.js"],
  [/^undici/i, "Node.js"],
  [/^python-requests\/(\d+(?:\.\d+)?)/, "Python requests"],
  [/^PostmanRuntime\/(\d+(?:\.\d+)?)/, "Postman"],
  [/^HTTPie\/(\d+(?:\.\d+)?)/, "HTTPie"],
];

export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  const ua = (userAgent ?? "").trim();
  if (ua === "") return done("Unknown browser", "", "desktop");

  for (const [pattern, name] of TOOLS) {
    const match = pattern.exec(ua);
    if (match) return done(match[1] ? `${name} ${match[1]}` : name, "", "tool");
  }

  const os = parseOs(ua);
  const device: DeviceKind =
    /\biPad\b|\bTablet\b/.test(ua) || (/\bAndroid\b/.test(ua) && !/\bMobile\b/.test(ua))
      ? "tablet"
      : /\bMobi(le)?\b|\biPhone\b|\biPod\b/.test(ua)
        ? "mobile"
        : "desktop";

  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) return done(`${name} ${match[1]}`, os, device);
  }
  return done("Unknown browser", os, device);
}

function parseOs(ua: string): string {
  const ios = /\b(?:iPhone|iPad|iPod)\b.*?\bOS (\d+)(?:_(\d+))?/.exec(ua);
  if (ios)
    return `${/\biPad\b/.test(ua) ? "iPadOS" : "iOS"} ${ios[1]}${ios[2] ? `.${ios[2]}` : ""}`;
  const android = /\bAndroid (\d+(?:\.\d+)?)/.exec(ua);
  if (android) return `Android ${android[1]}`;
  if (/\bWindows NT 10\.0\b/.test(ua)) return "Windows";
  const windows = /\bWindows NT (\d+\.\d+)/.exec(ua);
  if (windows) return `Windows NT ${windows[1]}`;
  if (/\bCrOS\b/.test(ua)) return "ChromeOS";
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return "macOS";
  if (/\bUbuntu\b/.test(ua)) return "Ubuntu";
  if (/\bLinux\b|\bX11\b/.test(ua)) return "Linux";
  return "";
}

function done(browser: string, os: string, device: DeviceKind): ParsedUserAgent {
  return { browser, os, device, label: os ? `${browser} on ${os}` : browser };
}
