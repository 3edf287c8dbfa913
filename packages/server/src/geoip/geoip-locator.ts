import type { CityResponse } from "maxmind";
import { loadOptional } from "../optional-package.js";

/** An approximate place for an IP address ("Lyon, Auvergne-Rhône-Alpes, France"), or null. */
export type Locate = (ip: string) => string | null;

/** What is read of a record: the English names of city, first subdivision and country. */
type PlaceRecord = Pick<CityResponse, "city" | "subdivisions" | "country">;

/**
 * Opens a MaxMind DB file (GeoLite2/GeoIP2 City or Country) with the optional `maxmind` package,
 * read into memory once at start. Lookups never throw: an address the file does not know, or a
 * malformed one, has no place (the alert then omits the line).
 */
export async function openGeoIp(path: string): Promise<Locate> {
  const maxmind = await loadOptional("maxmind", "GEOIP_DATABASE", () => import("maxmind"));
  const reader = await maxmind.default.open<CityResponse>(path, { watchForUpdates: false });
  return (ip) => {
    try {
      return describePlace(reader.get(ip.replace(/^::ffff:/, "")));
    } catch {
      return null;
    }
  };
}

function describePlace(record: PlaceRecord | null): string | null {
  if (record === null) return null;
  const parts = [record.city, record.subdivisions?.[0], record.country]
    .map((place) => place?.names?.en)
    .filter((name): name is string => typeof name === "string" && name !== "");
  return parts.length === 0 ? null : parts.join(", ");
}
