import { commaList } from "./option-kinds.js";

/** `true`/`false`, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
export function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw === "" || /^(false|0|no)$/i.test(raw)) return false;
  if (/^(true|yes)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return commaList(raw);
}
