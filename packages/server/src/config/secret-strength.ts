/**
 * Is a secret good enough to be one? An HS256 key can be cracked offline from a single captured
 * token (RFC 8725 §3.5: keys must have enough entropy, and human-memorable passwords must not be
 * HMAC keys), and a root secret tried offline against a stolen database. What matters is how
 * many guesses a cracker needs, and crackers try placeholder wordlists, repeats, keyboard walks,
 * alphabet runs and small character sets long before blind brute force.
 *
 * The estimate is the cheapest description of the secret as a sequence of pieces (a minimum
 * description length, as in zxcvbn), each piece costing the bits needed to name it:
 *
 * | piece | bits |
 * |---|---|
 * | any character | log2 of its alphabet (hex 16, base64 64, or the classes used), or of the number of different characters when the secret uses fewer than half its alphabet |
 * | a repeat of earlier text (3+ characters; overlap allowed, so `aaaa` is `a` + a repeat) | log2(distance back) + log2(length) + 1 |
 * | a run with a constant step of ±1 or ±2 (`abcdef`, `97531`) | one character + 2 (step) + log2(length) + 1 |
 * | a keyboard walk (`qwerty`, `1qaz2wsx`), either direction | log2(walk positions) + 1 (direction) + log2(length) + 1 if any capital |
 * | a word of the placeholder vocabulary (`change`, `secret`, `your`, `jwt`, ...) | 6 (the 57 core words) or 8, + 1 Capitalised/UPPER (else 1 per letter), + 1 leetspeak, + 2 after a `_-. ` separator |
 * | a year 1900–2099 | log2(200) + 1 |
 *
 * A secret is refused when the estimate is under {@link MIN_SECRET_BITS}, or when it has a
 * placeholder's shape: words of the vocabulary make up at least half of it and one of them is a
 * placeholder marker (`change`, `secret`, `your`, `example`, `default`, `todo`, ...). Random
 * text almost never has half its characters in vocabulary words, so this rule costs no false
 * refusals while catching long placeholder sentences whatever their estimate.
 *
 * Measured (test/unit/secret-strength.test.ts, 10,000 fresh secrets of each shape): `baton
 * secret`, `openssl rand -base64 32` and `-hex 32` (256 real bits) are estimated at 180+, 0
 * refused. `openssl rand -hex 16` and UUIDs (128 and 122 real bits) mostly at 100–150: the
 * estimator undercounts random text a little (accidental runs, repeats, leetspeak words), so 5 of
 * 200,000 16-byte hex strings fell under the bar (0 of 100,000 UUIDs). The issue's four
 * placeholders score 7–54, and 30 placeholder shapes at most 77.
 *
 * Why not zxcvbn (`@zxcvbn-ts/core` 4.2 with its English dictionaries): 9 MB installed, 245 ms and
 * 73 MB of heap to load, 140–450 ms to judge one random 43–64 character secret, and it scores
 * `your_jwt_secret_key_change_in_production` at 2^88 since it knows no placeholder vocabulary.
 * This estimator loads with the config module and judges a secret in well under a millisecond.
 *
 * Known limit: a passphrase of ordinary words outside the vocabulary is charged as random letters
 * and passes. The answer to "what should my secret be" stays `baton secret`.
 */

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
export const MIN_SECRET_BYTES = 32;

/**
 * The estimated guesses a secret must cost, as a power of two. 2^100 HMAC-SHA256 computations at
 * 10^12 a second (a large GPU cluster) take 4 × 10^10 years. Random secrets of 32 bytes are
 * estimated far above it (180+), of 16 bytes above it in all but about 1 in 40,000 draws;
 * repeats, runs, walks and word salads far below.
 */
export const MIN_SECRET_BITS = 100;

/** The one-line fix every refusal names. */
export const GENERATE_SECRET = "generate one with `baton secret` (or `openssl rand -base64 32`)";

/** Only this many characters are judged: enough for any secret, and the work stays bounded. */
const JUDGED_LENGTH = 256;

export interface SecretJudgement {
  /** Estimated guesses to find the secret, as a power of two (rounded down). */
  bits: number;
  /** What is wrong, in words that never quote the secret; empty when it is good. */
  weaknesses: string[];
}

type Shape = "repeat" | "sequence" | "keyboard" | "word" | "year";

/**
 * Judges a secret: at least {@link MIN_SECRET_BYTES} bytes, an estimated {@link MIN_SECRET_BITS}
 * bits, and not a placeholder.
 */
export function judgeSecret(secret: string): SecretJudgement {
  const chars = Array.from(secret).slice(0, JUDGED_LENGTH);
  const { bits, shapes, distinct, wordChars, marked } = cheapestDescription(chars);
  const weaknesses: string[] = [];
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_SECRET_BYTES) {
    weaknesses.push(`it is shorter than ${MIN_SECRET_BYTES} bytes (${bytes})`);
  }
  const placeholder = marked && wordChars * 2 >= chars.length;
  if (placeholder) {
    weaknesses.push(
      "it looks like a placeholder (it is made of words such as change, secret, your, example)",
    );
  }
  if (bits < MIN_SECRET_BITS) {
    const reasons = [
      ...(shapes.has("repeat") ? ["it repeats itself"] : []),
      ...(shapes.has("sequence") || shapes.has("keyboard")
        ? ["it contains a keyboard or alphabet sequence"]
        : []),
      ...(shapes.has("word") && !placeholder ? ["it is made of common words"] : []),
      ...(shapes.has("year") ? ["it contains a year"] : []),
      ...(distinct <= 10
        ? [`it uses only ${distinct} different character${distinct === 1 ? "" : "s"}`]
        : []),
    ];
    if (reasons.length === 0 && !placeholder)
      reasons.push("it is not random enough for its length");
    weaknesses.push(
      `it would take about 2^${Math.floor(bits)} guesses where a secret needs 2^${MIN_SECRET_BITS}${reasons.length > 0 ? `: ${reasons.join(", ")}` : ""}`,
    );
  }
  return { bits: Math.floor(bits), weaknesses };
}

interface Description {
  bits: number;
  shapes: Set<Shape>;
  distinct: number;
  /** Characters covered by vocabulary words. */
  wordChars: number;
  /** Whether one of those words is a placeholder marker. */
  marked: boolean;
}

/** Dynamic programming over where each piece ends: the cheapest way to spell out `chars`. */
function cheapestDescription(chars: string[]): Description {
  const n = chars.length;
  const distinct = new Set(chars).size;
  const alphabet = alphabetSize(chars.join(""));
  const charBits = Math.log2(distinct * 2 >= alphabet ? alphabet : Math.max(2, distinct));
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const via = new Array<{ from: number; shape?: Shape; word?: string }>(n + 1);
  best[0] = 0;
  const offer = (from: number, to: number, bits: number, shape?: Shape, word?: string) => {
    const total = best[from]! + bits;
    if (total < best[to]!) {
      best[to] = total;
      via[to] = { from, shape, word };
    }
  };

  const lower = chars.map((char) => char.toLowerCase());
  const spellings = [lower, ...[LEET_I, LEET_L].map((map) => lower.map((c) => map[c] ?? c))];
  for (let i = 0; i < n; i++) {
    offer(i, i + 1, charBits);
    repeats(chars, i, (end, distance) =>
      offer(i, end, Math.log2(distance) + Math.log2(end - i) + 1, "repeat"),
    );
    sequences(chars, i, (end) => offer(i, end, charBits + 2 + Math.log2(end - i) + 1, "sequence"));
    keyboardWalks(chars, lower, i, (end, capital) =>
      offer(i, end, WALK_BITS + 1 + Math.log2(end - i) + (capital ? 1 : 0), "keyboard"),
    );
    words(chars, spellings, i, (end, bits, word) => offer(i, end, bits, "word", word));
    if (i + 1 < n && SEPARATORS.has(chars[i]!)) {
      words(chars, spellings, i + 1, (end, bits, word) => offer(i, end, bits + 2, "word", word));
    }
    if (/^(19|20)\d\d$/.test(chars.slice(i, i + 4).join(""))) {
      offer(i, i + 4, Math.log2(200) + 1, "year");
    }
  }

  const description: Description = {
    bits: best[n]!,
    shapes: new Set(),
    distinct,
    wordChars: 0,
    marked: false,
  };
  for (let end = n; end > 0; end = via[end]!.from) {
    const { from, shape, word } = via[end]!;
    if (shape !== undefined) description.shapes.add(shape);
    if (word !== undefined) {
      description.wordChars += end - from;
      description.marked ||= MARKERS.has(word);
    }
  }
  return description;
}

/**
 * The alphabet a secret's characters come from: a generator's (digits, hex, base64) when they all
 * fit one, else the character classes it uses.
 */
function alphabetSize(text: string): number {
  if (/^[0-9]*$/.test(text)) return 10;
  if (/^[0-9a-f]*$/.test(text) || /^[0-9A-F]*$/.test(text)) return 16;
  if (/^[A-Za-z0-9+/]*=*$/.test(text) || /^[A-Za-z0-9_-]*$/.test(text)) return 64;
  let size = 0;
  if (/[a-z]/.test(text)) size += 26;
  if (/[A-Z]/.test(text)) size += 26;
  if (/[0-9]/.test(text)) size += 10;
  if (/[ -/:-@[-`{-~]/.test(text)) size += 33;
  if (/[^ -~]/.test(text)) size += 1000;
  return size;
}

/**
 * Repeats of earlier text starting at `start`, 3+ characters: for each length, the nearest source
 * (the cheapest distance). Overlap is allowed, so a run of one character is a repeat at distance 1.
 */
function repeats(
  chars: string[],
  start: number,
  found: (end: number, distance: number) => void,
): void {
  let covered = 2;
  for (let distance = 1; distance <= start; distance++) {
    let length = 0;
    while (
      start + length < chars.length &&
      chars[start + length] === chars[start + length - distance]
    )
      length++;
    for (; covered < length; covered++) found(start + covered + 1, distance);
  }
}

/** Runs of 3+ characters whose code points step by the same ±1 or ±2 (`abc`, `9753`, `ACEG`). */
function sequences(chars: string[], start: number, found: (end: number) => void): void {
  if (start + 2 >= chars.length) return;
  const step = chars[start + 1]!.codePointAt(0)! - chars[start]!.codePointAt(0)!;
  if (step === 0 || Math.abs(step) > 2) return;
  for (
    let end = start + 2;
    end < chars.length && chars[end]!.codePointAt(0)! - chars[end - 1]!.codePointAt(0)! === step;
  ) {
    found(++end);
  }
}

/** Keyboard rows and columns (QWERTY, QWERTZ, AZERTY), unshifted and shifted. */
const WALKS = [
  "`1234567890-=",
  "~!@#$%^&*()_+",
  "qwertyuiop[]\\",
  "asdfghjkl;'",
  "zxcvbnm,./",
  "qwertyuiop{}|",
  'asdfghjkl:"',
  "zxcvbnm<>?",
  "qwertzuiop",
  "yxcvbnm",
  "azertyuiop",
  "qsdfghjklm",
  "wxcvbn",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
  "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
];
const WALK_BITS = Math.log2(WALKS.reduce((sum, walk) => sum + walk.length, 0));
/** Every stretch of 3+ keys along a walk, both directions. */
const WALKED = new Set<string>();
for (const walk of [...WALKS, ...WALKS.map((walk) => [...walk].reverse().join(""))]) {
  for (let from = 0; from < walk.length; from++)
    for (let to = from + 3; to <= walk.length; to++) WALKED.add(walk.slice(from, to));
}

function keyboardWalks(
  chars: string[],
  lower: string[],
  start: number,
  found: (end: number, capital: boolean) => void,
): void {
  let walked = lower.slice(start, start + 2).join("");
  for (let end = start + 3; end <= lower.length; end++) {
    walked += lower[end - 1];
    if (!WALKED.has(walked)) return;
    found(end, chars.slice(start, end).join("") !== walked);
  }
}

/** `_`, `-`, `.`, space: what placeholder words are joined with. */
const SEPARATORS = new Set(["_", "-", ".", " "]);

/** Leetspeak read back as letters; `1` is tried as `i` and as `l`. */
const LEET: Record<string, string> = {
  "4": "a",
  "@": "a",
  "8": "b",
  "3": "e",
  "9": "g",
  "!": "i",
  "0": "o",
  "5": "s",
  $: "s",
  "7": "t",
  "+": "t",
};
const LEET_I: Record<string, string> = { ...LEET, "1": "i" };
const LEET_L: Record<string, string> = { ...LEET, "1": "l" };

/** Words that say "this is not a real secret yet" (the issue's list and their kin). */
const MARKERS = new Set(
  `change changeme changeit changethis secret secrets example default placeholder password passwd
  sample dummy todo fixme replace replaceme insert insertme your yours mysecret supersecret
  topsecret jwtsecret secretkey`.split(/\s+/),
);

/**
 * The vocabulary placeholder secrets are made of (`.env.example` files, tutorials, the seed
 * apps). The core words, those that nearly every placeholder uses, are what crackers try first.
 */
const CORE = new Set(
  `change changeme secret key jwt token your my our default example sample placeholder password
  pass dummy todo replace insert here production prod development dev test super top very long
  random string value this that the for in on with and of to me it is not do only use please app
  api auth access refresh session local`.split(/\s+/),
);
const VOCABULARY = new Set([
  ...MARKERS,
  ...CORE,
  ...`enter generate generated generic tbd sign signing signature signed hmac hash salt pepper
  cipher crypto encryption encrypt decrypt tokens keys jws jwe authentication authorization oauth
  openid sessions cookie cookies application server backend frontend client web website site
  service services admin administrator root user users master private public develop staging
  stage tests testing localhost demo debug config configuration env environment node nodejs
  express nest nestjs next nextjs react vue angular baton secure security safe unsafe insecure
  strong stronger weak really longer short unique mine we you these those its are be should must
  will can cannot never dont just used using from by or as at an enough least minimum min max
  maximum characters character chars char bytes byte bits bit length one two three four new old
  some something anything any there own keep hidden hide confidential phrase passphrase word words
  text foo bar baz qux quux hello world lorem ipsum dolor sit amet letmein welcome iloveyou monkey
  dragon sunshine shadow princess football baseball trustno company project team name names login
  logout signup register account accounts email mail database postgres postgresql mysql redis
  mongo mongodb sql docker kubernetes aws cloud heroku vercel render cat dog abc xyz qwerty asdf pwd
  pw id code codes apikey privatekey`.split(/\s+/),
]);
const CORE_BITS = 6;
const WORD_BITS = 8;
/** Every beginning of a vocabulary word, so a lookup stops as soon as no word can match. */
const PREFIXES = new Set(
  [...VOCABULARY].flatMap((word) => [...word].map((_, i) => word.slice(0, i + 1))),
);

/** Vocabulary words starting at `start`, in any of the spellings (plain, leetspeak). */
function words(
  chars: string[],
  spellings: string[][],
  start: number,
  found: (end: number, bits: number, word: string) => void,
): void {
  let candidates = spellings.map(() => "");
  for (let end = start + 1; end <= chars.length; end++) {
    candidates = candidates.map((text, k) => text + spellings[k]![end - 1]!);
    if (!candidates.some((text) => PREFIXES.has(text))) return;
    const word = candidates.find((text) => VOCABULARY.has(text));
    if (word === undefined || end - start < 2) continue;
    const letters = chars
      .slice(start, end)
      .join("")
      .replace(/[^\p{L}]/gu, "");
    const caseBits =
      letters === letters.toLowerCase()
        ? 0
        : letters === letters.toUpperCase() || letters.slice(1) === letters.slice(1).toLowerCase()
          ? 1
          : letters.length;
    const leetBits = word === candidates[0] ? 0 : 1;
    found(end, (CORE.has(word) ? CORE_BITS : WORD_BITS) + caseBits + leetBits, word);
  }
}
