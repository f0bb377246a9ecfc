import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps, type CanonicalValue } from '../../src/core/canonical-json.js';
import { requirePython, runPython } from '../helpers/python.js';

describe('pythonJsonDumps', () => {
  // Expected strings were printed by Python 3.11's json.dumps(value, sort_keys=True).
  it.each<[string, CanonicalValue, string]>([
    [
      'the notebook genesis block',
      { index: 0, previous_hash: '0', proof: 1, timestamp: '2018-04-11 10:00:40.317214' },
      '{"index": 0, "previous_hash": "0", "proof": 1, "timestamp": "2018-04-11 10:00:40.317214"}',
    ],
    [
      'non-ASCII, astral, control characters, DEL, quotes and backslashes',
      { data: 'é\u2028😀\u0000\u001f\u007f"\\/\n\r\t\b\f', b: [1, null, 'x'] },
      '{"b": [1, null, "x"], "data": "\\u00e9\\u2028\\ud83d\\ude00\\u0000\\u001f\\u007f\\"\\\\/\\n\\r\\t\\b\\f"}',
    ],
    ['a lone surrogate key', { '\ud800': 1 }, '{"\\ud800": 1}'],
    ['an empty object and array', { a: {}, b: [] }, '{"a": {}, "b": []}'],
    ['booleans and negative numbers', { t: true, f: false, n: -42 }, '{"f": false, "n": -42, "t": true}'],
    ['a bigint', { v: 2n ** 64n }, '{"v": 18446744073709551616}'],
  ])('matches Python for %s', (_, value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });

  it('sorts keys by code point as Python does, not by UTF-16 unit', () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit (0xD83D).
    expect(pythonJsonDumps({ '😀': 1, '～': 2 })).toBe('{"\\uff5e": 2, "\\ud83d\\ude00": 1}');
  });

  it('refuses numbers Python would print differently', () => {
    expect(() => pythonJsonDumps({ x: 1.5 })).toThrow(RangeError);
    expect(() => pythonJsonDumps({ x: 2 ** 53 })).toThrow(RangeError);
  });

  it('agrees with python3 on a few hundred random documents', (context) => {
    requirePython(context);
    const scalar = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 10 }),
      // Any UTF-16 code unit: control characters, DEL, lone surrogates.
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 20 }),
      fc.maxSafeInteger(),
      fc.boolean(),
      fc.constant(null),
    );
    const document = fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.oneof(scalar, fc.array(scalar, { maxLength: 4 })), {
      maxKeys: 6,
    });
    const samples = fc.sample(document, { numRuns: 300, seed: 20261127 });
    const script = 'import json,sys\nfor d in json.load(sys.stdin): print(json.dumps(d, sort_keys=True))';
    // JSON.stringify escapes lone surrogates, and Python's json.load restores them.
    const pythonLines = runPython(script, JSON.stringify(samples)).trimEnd().split('\n');
    expect(pythonLines).toHaveLength(samples.length);
    samples.forEach((sample, i) => expect(pythonJsonDumps(sample)).toBe(pythonLines[i]));
  });
});
