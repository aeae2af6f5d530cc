// Destinations as a browser's address bar shows them: Unicode host names, and path,
// query and fragment percent-decoded where that hides nothing. A host name that could
// pass for another stays in punycode, as Chromium shows it, and is flagged.
//
// The host rules follow Chromium's IDN display policy (docs/idn.md and
// components/url_formatter/spoof_checks/idn_spoof_checker.cc), decided label by label:
// allowed characters, "highly restrictive" script mixing, numbering systems, whole-script
// confusables and its dangerous patterns. What is left out needs data a page should not
// carry: Chromium's list of top domains whose look-alikes it also catches.
//
// Punycode decoding is punycode.js 2.3.1 (npm `punycode`, MIT), vendored unchanged in
// vendor/punycode.js: browsers encode host names (new URL) but offer no decoder.

import { decode as decodePunycode } from "./vendor/punycode.js";

/**
 * `text`: the address as people should read it; `exact`: `href` itself, what is stored
 * and followed; `flagged`: the host holds a label that could pass for another name.
 * An href that is not an http(s) URL is given back as it is.
 */
export function readableUrl(href) {
  const exact = String(href);
  let url;
  try {
    url = new URL(exact);
  } catch {
    return { text: exact, exact, flagged: false };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { text: exact, exact, flagged: false };
  const host = readableHost(url.hostname);
  // User name and password are left out, as address bars do: "https://bank.com@evil.example"
  // is evil.example. The API refuses them anyway.
  const text =
    `${url.protocol}//${host.text}${url.port ? `:${url.port}` : ""}` +
    readableRest(url.pathname + url.search + url.hash);
  return { text, exact, flagged: host.flagged };
}

// ---- the host ----

const ACE_PREFIX = "xn--";

/** Each label in Unicode where that is safe to show; the others stay punycode. */
function readableHost(hostname) {
  const labels = hostname.split(".");
  const decoded = labels.map(unicodeLabel);
  const last = labels.length - (labels.at(-1) === "" && labels.length > 1 ? 2 : 1);
  const tld = { ascii: labels[last], unicode: decoded[last] ?? labels[last] };
  let flagged = false;
  const shown = labels.map((label, index) => {
    const unicode = decoded[index];
    if (unicode === null) return label;
    if (isSafeToShow(unicode, tld)) return unicode;
    flagged = true;
    return label;
  });
  return { text: shown.join("."), flagged };
}

// The Unicode form of an xn-- label; null for an ASCII label or one that is not valid
// punycode (WHATWG parsers refuse those hosts, so they are shown as they are).
function unicodeLabel(label) {
  if (!label.startsWith(ACE_PREFIX)) return null;
  let unicode;
  try {
    unicode = decodePunycode(label.slice(ACE_PREFIX.length));
  } catch {
    return null;
  }
  // IDNA labels are lower case, NFC and not plain ASCII; anything else is not what a
  // parser would have produced.
  const valid = /[^\0-\x7f]/.test(unicode) && unicode === unicode.normalize("NFC") && unicode === unicode.toLowerCase();
  return valid ? unicode : null;
}

// UTS #39's recommended scripts, the ones Chromium allows in a label.
const RECOMMENDED_SCRIPTS = [
  "Arabic", "Armenian", "Bengali", "Bopomofo", "Cyrillic", "Devanagari", "Ethiopic", "Georgian",
  "Greek", "Gujarati", "Gurmukhi", "Han", "Hangul", "Hebrew", "Hiragana", "Kannada", "Katakana",
  "Khmer", "Lao", "Latin", "Malayalam", "Myanmar", "Oriya", "Sinhala", "Tamil", "Telugu", "Thaana",
  "Thai", "Tibetan",
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, "u") }));
const NO_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}]/u;

// "Highly restrictive" (UTS #39): one script, or Latin with one CJK writing system.
const CJK_MIXES = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

// Letters, marks and decimal digits; hyphens; the two dots that Chromium allows in context.
const ALLOWED_KINDS = /^[\p{L}\p{M}\p{Nd}\-\u00b7\u30fb]+$/u;
// Characters Chromium removes from the allowed set: slash- and quote-like marks, hyphen
// look-alikes, historic letters and the rarely used Latin, Greek and Cyrillic blocks.
const BLOCKED =
  /[\p{Default_Ignorable_Code_Point}\u0138\u01cd-\u01dc\u02bb\u02bc\u02ec\u0338\u058a\u1c80-\u1c8f\u1e00-\u1e9b\u1f00-\u1fff\u2027\ua640-\ua69f\ua720-\ua7ff]/u;
// The same combining mark twice in a row renders as one: an invisible difference.
const REPEATED_MARK = /(\p{Mn})\1/u;

// Letters of each script that look like Latin ones, and the TLDs where a label made of
// nothing else is ordinary (Chromium's whole-script confusable data).
const WHOLE_SCRIPT_CONFUSABLES = [
  { script: /\p{Script=Armenian}/u, lookalikes: "ագզէլհյոսւօՙ", tlds: ["am"] },
  {
    script: /\p{Script=Cyrillic}/u,
    lookalikes: "аысԁеԍһіюкјӏорԗԛѕԝхуъьҽпгѵѡ",
    tlds: ["bg", "by", "kz", "pyc", "ru", "su", "ua", "uz"],
  },
  { script: /\p{Script=Ethiopic}/u, lookalikes: "ሀሠሰስበነተከዐዕዘጠፐꬅ", tlds: ["er", "et"] },
  { script: /\p{Script=Georgian}/u, lookalikes: "იოყძხჽჿ", tlds: ["ge"] },
  { script: /\p{Script=Greek}/u, lookalikes: "αικνρυωηοτ", tlds: ["gr"] },
  { script: /\p{Script=Hebrew}/u, lookalikes: "דוחיןסװײ׳ﬦ", tlds: ["il"] },
  { script: /\p{Script=Bengali}/u, lookalikes: "০৭", tlds: [] },
  { script: /\p{Script=Devanagari}/u, lookalikes: "ऽ०ॱ", tlds: [] },
  { script: /\p{Script=Gujarati}/u, lookalikes: "ડટ૦૧", tlds: [] },
  { script: /\p{Script=Gurmukhi}/u, lookalikes: "੦੧", tlds: [] },
  { script: /\p{Script=Kannada}/u, lookalikes: "ಽ೦೧", tlds: [] },
  { script: /\p{Script=Malayalam}/u, lookalikes: "ടഠധനറ൦", tlds: [] },
  { script: /\p{Script=Oriya}/u, lookalikes: "ଠ୦୮", tlds: [] },
  { script: /\p{Script=Tamil}/u, lookalikes: "டப௦", tlds: [] },
  { script: /\p{Script=Telugu}/u, lookalikes: "౦౧", tlds: [] },
  { script: /\p{Script=Myanmar}/u, lookalikes: "ခဂငထပဝ၀၂ၔၜ\u1090\u1091\u1095\u1096\u1097", tlds: ["mm"] },
  { script: /\p{Script=Thai}/u, lookalikes: "ทนบพรหเแ๐ดลปฟม", tlds: ["th"] },
].map((entry) => ({ ...entry, lookalikes: new Set(entry.lookalikes) }));
// Common words that are whole-script confusables but spell no Latin word.
const ORDINARY_WORDS = new Set(["секс", "как", "коса", "курс", "парк", "такий", "укроп", "сахарок", "покраска"]);

// Characters that are, or look like, digits: a label of nothing else could pass for a number.
const DIGIT_LOOKALIKES = new Set("θ२২੨૨೩೭շзҙӡउওਤ੩૩౩ဒვპੜკ੫丩ㄐճ৪੪୫૭୨౨");

// Kana that look like other kana, and combining diacritics: labels with them get the
// pattern checks even when they are in one script.
const NEEDS_PATTERN_CHECKS = /[\u3078-\u307a\u30d8-\u30da\u30fb-\u30fe\u0300-\u0339]/u;
const NOT_JAPANESE = String.raw`[^\p{scx=Kana}\p{scx=Hira}\p{scx=Hani}]`;
const NOT_CJK = String.raw`[^\p{scx=Kana}\p{scx=Hira}\p{scx=Hani}\p{scx=Bopo}]`;
const CJK_LATIN_LOOKALIKES = String.raw`[\u4e00\u3127\u4e28\u4e5b\u4e03\u4e05\u5341\u3007\u3112\u311a\u311f\u3128\u3129\u3108\u31ba\u31b3\u5de5\u31b2\u8ba0\u4e01]`;
const DANGEROUS_PATTERNS = new RegExp(
  [
    // Kana and ideographs that pass for a slash between non-Japanese letters.
    String.raw`${NOT_JAPANESE}[\u30ce\u30f3\u30bd\u30be\u4e36\u4e40\u4e41\u4e3f]${NOT_JAPANESE}`,
    // Iteration marks with nothing to repeat.
    String.raw`[^\p{scx=Kana}][\u30fd\u30fe]|^[\u30fd\u30fe]`,
    // A Hiragana he/be/pe among Katakana, or the Katakana ones among Hiragana: identical.
    String.raw`^\p{scx=Kana}+[\u3078-\u307a]\p{scx=Kana}+$`,
    String.raw`^\p{scx=Hira}+[\u30d8-\u30da]\p{scx=Hira}+$`,
    // The prolonged sound mark and middle dot out of context (a hyphen, a dot).
    String.raw`[^\p{scx=Kana}\p{scx=Hira}]\u30fc|^\u30fc`,
    String.raw`[a-z]\u30fb|\u30fb[a-z]`,
    // Ideographs that look like Latin letters or punctuation, next to non-CJK.
    `${NOT_CJK}${CJK_LATIN_LOOKALIKES}|${CJK_LATIN_LOOKALIKES}${NOT_CJK}`,
    // Diacritics on letters outside Latin, Greek and Cyrillic, or on a dotless i.
    String.raw`[^\p{scx=Latn}\p{scx=Grek}\p{scx=Cyrl}][\u0300-\u0339]`,
    String.raw`\u0131[\u0300-\u0339]`,
    String.raw`[\u3099\u309a]`,
    String.raw`[ijl]\u0307`,
  ].join("|"),
  "u",
);

/** Whether Chromium would show this (decoded, lower-case) label in Unicode. */
function isSafeToShow(label, tld) {
  const characters = [...label];
  if (!ALLOWED_KINDS.test(label) || BLOCKED.test(label) || REPEATED_MARK.test(label)) return false;
  if (/^\p{M}/u.test(label)) return false;
  if (label.includes("\u00b7") && !(tld.ascii === "cat" && /^(?:[^\u00b7]*l\u00b7l)+[^\u00b7]*$/u.test(label))) {
    return false;
  }
  // Letters one country's registry allows: thorn and eth (Icelandic), schwa (Azerbaijani).
  if (characters.length > 1 && /[\u00fe\u00f0]/u.test(label) && tld.ascii !== "is" && tld.ascii !== "fo") return false;
  if (characters.length > 1 && label.includes("\u0259") && tld.ascii !== "az") return false;
  if (numberingSystems(characters) > 1) return false;

  const scripts = new Set();
  for (const character of characters) {
    if (NO_SCRIPT.test(character)) continue;
    const script = RECOMMENDED_SCRIPTS.find(({ pattern }) => pattern.test(character));
    if (!script) return false; // a script that is not recommended for identifiers
    scripts.add(script.name);
  }
  if (scripts.size > 1 && !CJK_MIXES.some((mix) => [...scripts].every((name) => mix.has(name)))) return false;
  if (isDigitLookalike(characters)) return false;

  if (scripts.size <= 1 && !NEEDS_PATTERN_CHECKS.test(label)) {
    return !isWholeScriptConfusable(label, characters, tld);
  }
  // Latin with accents next to another script: only plain ASCII Latin may mix.
  if (scripts.size > 1 && /(?![a-z])\p{Script=Latin}/u.test(label)) return false;
  return !DANGEROUS_PATTERNS.test(label);
}

function isWholeScriptConfusable(label, characters, tld) {
  if (ORDINARY_WORDS.has(label)) return false;
  return WHOLE_SCRIPT_CONFUSABLES.some(({ script, lookalikes, tlds }) => {
    const letters = characters.filter((character) => script.test(character));
    if (letters.length === 0 || !letters.every((letter) => lookalikes.has(letter))) return false;
    // In a TLD of that script, or one whose registry takes such names, the label is ordinary.
    return !(script.test(tld.unicode) || tlds.includes(tld.ascii));
  });
}

function isDigitLookalike(characters) {
  let lookalike = false;
  for (const character of characters) {
    if (/[0-9]/.test(character)) continue;
    if (!DIGIT_LOOKALIKES.has(character)) return false;
    lookalike = true;
  }
  return lookalike;
}

// How many sets of decimal digits the label uses ("1" and "١" are two). Each set is a
// run of ten code points from zero to nine, so a digit's zero is found by walking back.
function numberingSystems(characters) {
  const zeros = new Set();
  for (const character of characters) {
    if (!/\p{Nd}/u.test(character)) continue;
    let code = character.codePointAt(0);
    for (let steps = 0; steps < 9 && /\p{Nd}/u.test(String.fromCodePoint(code - 1)); steps += 1) code -= 1;
    zeros.add(code);
  }
  return zeros.size;
}

// ---- path, query and fragment ----

// Decoded, these would hide something or read as something else: controls, invisible
// and bidirectional formatting characters, whitespace other than the space, unassigned
// and private code points, the Hangul fillers and blank braille, and the padlock and
// shield emoji that could pose as the browser's own security indicators.
const KEPT_ENCODED =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Z}\p{Default_Ignorable_Code_Point}\u2800\u{1f50f}-\u{1f513}\u{1f6e1}]/u;
const ESCAPE = /^%[0-9a-f]{2}$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * The path, query and fragment with UTF-8 escapes decoded. ASCII escapes stay as they
 * are (%2F, %3F, %23, %26, %3D, %2B, %25... change the meaning once decoded), except
 * %20, which reads as the space it is unless it ends the address, where it would vanish.
 * Invalid UTF-8 stays encoded.
 */
function readableRest(rest) {
  let out = "";
  let index = 0;
  while (index < rest.length) {
    const escape = rest.slice(index, index + 3);
    if (!ESCAPE.test(escape)) {
      const character = String.fromCodePoint(rest.codePointAt(index));
      out += KEPT_ENCODED.test(character) && character !== " " ? percentEncoded(character) : character;
      index += character.length;
      continue;
    }
    const lead = Number.parseInt(escape.slice(1), 16);
    if (lead < 0x80) {
      out += lead === 0x20 && index + 3 < rest.length ? " " : escape;
      index += 3;
      continue;
    }
    const decoded = decodedSequence(rest, index, sequenceLength(lead));
    if (decoded === null) {
      out += escape;
      index += 3;
    } else {
      out += decoded.character;
      index += decoded.consumed;
    }
  }
  return out;
}

function sequenceLength(lead) {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

// One code point from `length` escapes at `index`, or null if it is not valid UTF-8 or
// is one that stays encoded.
function decodedSequence(text, index, length) {
  if (length === 0) return null;
  const bytes = [];
  for (let offset = 0; offset < length; offset += 1) {
    const escape = text.slice(index + 3 * offset, index + 3 * offset + 3);
    if (!ESCAPE.test(escape)) return null;
    bytes.push(Number.parseInt(escape.slice(1), 16));
  }
  let character;
  try {
    character = utf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
  return KEPT_ENCODED.test(character) ? null : { character, consumed: 3 * length };
}

function percentEncoded(character) {
  return Array.from(utf8Encoder.encode(character), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}
