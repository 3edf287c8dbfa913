// Small dependency-free SVG charts for docs/benchmarks.md, drawn from the results JSON.

export interface Bar {
  label: string;
  value: number;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Horizontal bars, one per label, with the value printed at the end of each bar. */
export function barChart(title: string, unit: string, bars: Bar[]): string {
  const width = 760;
  const labelWidth = 300;
  const rowHeight = 28;
  const height = 50 + bars.length * rowHeight;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const rows = bars
    .map((bar, i) => {
      const y = 40 + i * rowHeight;
      const length = Math.max(1, ((width - labelWidth - 110) * bar.value) / max);
      return [
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${length.toFixed(1)}" height="${rowHeight - 8}" fill="#3b6fd4" rx="3"/>`,
        `<text x="${labelWidth + length + 6}" y="${y + 15}">${Math.round(bar.value).toLocaleString("en-US")} ${unit}</text>`,
      ].join("");
    })
    .join("\n");
  return svg(width, height, title, rows);
}

/** Grouped bars: for each scenario, one bar per percentile. */
export function percentileChart(
  title: string,
  groups: { label: string; p50: number; p99: number }[],
): string {
  const width = 760;
  const labelWidth = 300;
  const rowHeight = 40;
  const height = 70 + groups.length * rowHeight;
  const max = Math.max(...groups.map((group) => group.p99), 1);
  const scale = (value: number) => Math.max(1, ((width - labelWidth - 110) * value) / max);
  const rows = groups
    .map((group, i) => {
      const y = 40 + i * rowHeight;
      return [
        `<text x="${labelWidth - 8}" y="${y + 20}" text-anchor="end">${escape(group.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${scale(group.p50).toFixed(1)}" height="14" fill="#6aa84f" rx="2"/>`,
        `<text x="${labelWidth + scale(group.p50) + 6}" y="${y + 13}">p50 ${group.p50} ms</text>`,
        `<rect x="${labelWidth}" y="${y + 18}" width="${scale(group.p99).toFixed(1)}" height="14" fill="#cc4125" rx="2"/>`,
        `<text x="${labelWidth + scale(group.p99) + 6}" y="${y + 29}">p99 ${group.p99} ms</text>`,
      ].join("");
    })
    .join("\n");
  return svg(width, height, title, rows);
}

function svg(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="24" font-size="15" font-weight="600">${escape(title)}</text>
${body}
</svg>
`;
}
