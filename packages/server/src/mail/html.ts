/** A piece of HTML that is already safe to insert (escaped text, or markup from a template). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/**
 * Template literal for mail HTML: every interpolated value is escaped unless it is `Html`, so a
 * user's name (or anything else a user chose) can never inject markup or links into a message.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, index) => {
    const parts = Array.isArray(value) ? value : [value];
    for (const part of parts)
      out += part instanceof Html ? part.value : escapeHtml(String(part ?? ""));
    out += strings[index + 1]!;
  });
  return new Html(out);
}
