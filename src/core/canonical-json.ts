/**
 * Python's `json.dumps(value, sort_keys=True)` with its default settings
 * (`ensure_ascii=True`, separators `", "` and `": "`), byte for byte.
 *
 * The notebook hashes blocks with that call, so any difference here changes every
 * block hash. `JSON.stringify` differs in three ways: separators, key order and
 * escaping (it leaves non-ASCII characters and DEL unescaped).
 */
export type CanonicalValue =
  string | number | bigint | boolean | null | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue | undefined };

// Python escapes `\` and `"`, and every character outside printable ASCII (space..tilde).
const NEEDS_ESCAPE = /[\\"]|[^\x20-\x7e]/;
/**
 * What JSON.stringify leaves unescaped that Python escapes: DEL and everything
 * above ASCII. Matching is per UTF-16 code unit, so characters above U+FFFF
 * come out as their surrogate pair, exactly like Python's `\ud83d\ude00`.
 */
const NOT_ASCII = /[\x7f-\uffff]/g;

const escapeCodeUnit = (unit: string): string => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify (native, so a megabyte of control characters takes
 * milliseconds) already escapes as Python does `"`, `\`, the short escapes
 * (\b \f \n \r \t), other control characters and lone surrogates, all as
 * lowercase `\u00xx`; what is left is the rest of Python's ensure_ascii.
 */
export function pythonJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(NOT_ASCII, escapeCodeUnit);
}

const SURROGATE = /[\ud800-\udfff]/;

function compareCodePoints(a: string, b: string): number {
  // Python sorts str keys by code point; JS `<` compares UTF-16 code units,
  // which differs only for keys mixing astral and U+E000..U+FFFF characters.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const left = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const right = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

export function pythonJsonDumps(value: CanonicalValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      // Python prints floats with repr(), which JS cannot reproduce in general;
      // blocks only hold integers, so anything else is a programming error.
      if (!Number.isSafeInteger(value)) {
        throw new RangeError(`canonical JSON holds only safe integers, got ${value}`);
      }
      return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: CanonicalValue) => pythonJsonDumps(item)).join(', ')}]`;
  }
  const record = value as { readonly [key: string]: CanonicalValue | undefined };
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort(compareCodePoints)
    .map((key) => `${pythonJsonString(key)}: ${pythonJsonDumps(record[key] as CanonicalValue)}`);
  return `{${members.join(', ')}}`;
}
