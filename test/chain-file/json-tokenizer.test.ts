import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TokenType, type ParsedTokenInfo } from '@streamparser/json';
import { describe, expect, it } from 'vitest';
import { ChainFileTokenizer, InexactNumber, MAX_NUMBER_CHARS, PATCHED_VERSION } from '../../src/chain-file/json-tokenizer.js';

/** The installed @streamparser/json's version, from its package.json. */
function installedVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@streamparser/json');
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === '@streamparser/json') return manifest.version ?? 'unknown';
    } catch {
      // Not the package's own folder yet.
    }
  }
  throw new Error('@streamparser/json has no package.json');
}

/** The string and number tokens of `chunks`, fed one after another. */
function tokens(...chunks: string[]): Array<Pick<ParsedTokenInfo, 'token' | 'value'>> {
  const tokenizer = new ChainFileTokenizer();
  const seen: Array<Pick<ParsedTokenInfo, 'token' | 'value'>> = [];
  tokenizer.onToken = ({ token, value }) => {
    if (token === TokenType.STRING || token === TokenType.NUMBER) seen.push({ token, value });
  };
  for (const chunk of chunks) tokenizer.write(new TextEncoder().encode(chunk));
  tokenizer.end();
  return seen;
}

describe('the patched JSON tokenizer', () => {
  it('runs on the version of @streamparser/json its patches were written for', () => {
    // It patches the library's private internals. A new version may rename or rework them: re-check each patch
    // in src/chain-file/json-tokenizer.ts against the new code (and the read-chain-file tests), then move PATCHED_VERSION.
    expect(installedVersion(), `@streamparser/json is no longer ${PATCHED_VERSION}: re-check the tokenizer's patches`).toBe(
      PATCHED_VERSION,
    );
    expect(() => new ChainFileTokenizer()).not.toThrow();
  });

  it('keeps a U+FEFF wherever it falls in a string, chunk boundaries included', () => {
    expect(tokens('["a\ufeffb"]')).toEqual([{ token: TokenType.STRING, value: 'a\ufeffb' }]);
    expect(tokens('["a', '\ufeffb', '\ufeff"]')).toEqual([{ token: TokenType.STRING, value: 'a\ufeffb\ufeff' }]);
  });

  it('reads \\u escapes in runs as JSON.parse does: pairs make one character, a lone surrogate stays', () => {
    const text = '["x\\u0041\\ud83d\\ude00\\u00e9\\ud800y"]';
    expect(tokens(text)).toEqual([{ token: TokenType.STRING, value: (JSON.parse(text) as string[])[0] }]);
    const long = `["${'\\u0007'.repeat(10_000)}z"]`;
    expect(tokens(long.slice(0, 3000), long.slice(3000))).toEqual([{ token: TokenType.STRING, value: `${'\u0007'.repeat(10_000)}z` }]);
  });

  it('keeps numbers exact or marks them inexact, and refuses one longer than any block field', () => {
    expect(tokens('[533, -0, 9007199254740991]').map(({ value }) => value)).toEqual([533, 0, 9007199254740991]);
    const [fraction, huge] = tokens('[1.0, 9007199254740993]').map(({ value }) => value);
    expect(fraction).toEqual(new InexactNumber('1.0'));
    expect(huge).toEqual(new InexactNumber('9007199254740993'));
    expect(() => tokens(`[${'1'.repeat(MAX_NUMBER_CHARS + 1)}]`)).toThrow(/longer than 64 characters/);
  });
});
