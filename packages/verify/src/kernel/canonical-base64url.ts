const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * True when `text` is the one canonical base64url spelling of its bytes. Decoders ignore the
 * spare low bits of the last character, so without this check one JWT signature has several
 * spellings and one token several strings (RFC 4648 §3.5 lets decoders reject non-canonical
 * encodings; Baton does).
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return false;
  const rest = text.length % 4;
  if (rest === 1) return false;
  if (rest === 0 || text.length === 0) return true;
  const last = ALPHABET.indexOf(text[text.length - 1]!);
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}
