import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openGeoIp } from "../../src/geoip/geoip-locator.js";
import { mmdbFile } from "../support/mmdb-file.js";

// GEOIP_DATABASE read with the `maxmind` package, on a database this test writes (no real GeoIP
// file can be fetched offline).

const dir = mkdtempSync(join(tmpdir(), "baton-geoip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("names city, region and country when known; nothing for unknown or malformed addresses", async () => {
  const path = join(dir, "City.mmdb");
  writeFileSync(
    path,
    mmdbFile([
      {
        ip: "203.0.113.7",
        record: {
          city: { names: { en: "Lyon", fr: "Lyon" } },
          subdivisions: [{ names: { en: "Auvergne-Rhône-Alpes" } }],
          country: { iso_code: "FR", names: { en: "France" } },
        },
      },
      { ip: "198.51.100.1", record: { country: { iso_code: "NZ", names: { en: "New Zealand" } } } },
    ]),
  );
  const locate = await openGeoIp(path);
  expect(locate("203.0.113.7")).toBe("Lyon, Auvergne-Rhône-Alpes, France");
  expect(locate("::ffff:203.0.113.7")).toBe("Lyon, Auvergne-Rhône-Alpes, France");
  expect(locate("198.51.100.1")).toBe("New Zealand");
  expect(locate("192.0.2.1")).toBeNull();
  expect(locate("not an address")).toBeNull();
});

it("a file that is not a database stops the start with an error", async () => {
  const path = join(dir, "broken.mmdb");
  writeFileSync(path, "not a database");
  await expect(openGeoIp(path)).rejects.toThrow();
  await expect(openGeoIp(join(dir, "missing.mmdb"))).rejects.toThrow(/ENOENT/);
});
