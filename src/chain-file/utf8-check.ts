/** Offset of the first byte in `bytes` that cannot be UTF-8, skipping the continuation of a character begun before it. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i += 1;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    const second = bytes[i + 1] ?? 0x80;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (
      (lead === 0xe0 && second < 0xa0) ||
      (lead === 0xed && second > 0x9f) ||
      (lead === 0xf0 && second < 0x90) ||
      (lead === 0xf4 && second > 0x8f)
    )
      return i;
    for (let k = 1; k < length && i + k < bytes.length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}

/**
 * The tokenizer only notices bad UTF-8 inside strings, and not always (a bad
 * lead byte can swallow the closing quote): each chunk is checked by the
 * platform's decoder first, which is fast, and scanned by hand only to say where.
 */
export function createUtf8Check(): { check(chunk: Uint8Array): number | null; complete(): boolean } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  /** The previous chunk's last bytes: a character it began may be what this chunk's first bytes make invalid. */
  let tail = new Uint8Array(0);
  return {
    check(chunk) {
      const joined = (): Uint8Array => {
        const bytes = new Uint8Array(tail.length + chunk.length);
        bytes.set(tail);
        bytes.set(chunk, tail.length);
        return bytes;
      };
      try {
        decoder.decode(chunk, { stream: true });
        tail = chunk.length >= 3 ? chunk.slice(-3) : joined().slice(-3);
        return null;
      } catch {
        return Math.min(Math.max(0, firstInvalidUtf8(joined()) - tail.length), chunk.length - 1);
      }
    },
    complete() {
      try {
        decoder.decode();
        return true;
      } catch {
        return false;
      }
    },
  };
}
