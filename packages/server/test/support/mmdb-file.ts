/**
 * Writes a tiny MaxMind DB (MMDB 2.0) file of IPv4 addresses, for GEOIP_DATABASE tests: no real
 * GeoIP database can be fetched offline (nor should a test depend on one), and the format is
 * small enough to write (https://maxmind.github.io/MaxMind-DB/): a binary search tree over the
 * address bits (24-bit records), 16 zero bytes, the data section, then the metadata map.
 * Supports what the tests need: maps, UTF-8 strings, unsigned integers, arrays.
 */
type Value = string | number | Value[] | { [key: string]: Value };

export function mmdbFile(entries: { ip: string; record: Value }[]): Buffer {
  // The tree: nodes[i] = [left, right]; a slot is a node index, a data index, or empty.
  type Slot = { node: number } | { data: number } | null;
  const nodes: [Slot, Slot][] = [[null, null]];
  const data: Buffer[] = [];
  for (const { ip, record } of entries) {
    const bits = ip
      .split(".")
      .map((part) => Number(part).toString(2).padStart(8, "0"))
      .join("");
    let node = 0;
    for (let depth = 0; depth < 32; depth++) {
      const side = Number(bits[depth]);
      if (depth === 31) {
        nodes[node]![side] = { data: data.length };
        data.push(encode(record));
        break;
      }
      const slot = nodes[node]![side];
      if (slot != null && "node" in slot) node = slot.node;
      else {
        nodes.push([null, null]);
        nodes[node]![side] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const offsets: number[] = [];
  let offset = 0;
  for (const piece of data) {
    offsets.push(offset);
    offset += piece.length;
  }
  const recordValue = (slot: Slot) =>
    slot === null ? nodeCount : "node" in slot ? slot.node : nodeCount + 16 + offsets[slot.data]!;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], index) => {
    tree.writeUIntBE(recordValue(left), index * 6, 3);
    tree.writeUIntBE(recordValue(right), index * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: "Baton-Test-City",
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_764_763_200,
    description: { en: "Baton test database" },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from("ABCDEF4D61784D696E642E636F6D", "hex"),
    metadata,
  ]);
}

function encode(value: Value): Buffer {
  if (typeof value === "string") return withControl(2, Buffer.from(value, "utf8"));
  if (typeof value === "number") {
    const bytes: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    // uint32 (type 6) holds every number the tests write.
    return withControl(6, Buffer.from(bytes));
  }
  if (Array.isArray(value)) return withControl(11, Buffer.concat(value.map(encode)), value.length);
  const keys = Object.keys(value);
  return withControl(
    7,
    Buffer.concat(keys.flatMap((key) => [encode(key), encode(value[key]!)])),
    keys.length,
  );
}

/** The control byte (type, size; an extended type in a second byte), then the payload. */
function withControl(type: number, payload: Buffer, size = payload.length): Buffer {
  if (size >= 29) throw new Error("mmdbFile writes sizes under 29 only");
  const control = type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
  return Buffer.concat([control, payload]);
}
