import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, as
 * Go's golang.org/x/mod/sumdb/note writes and reads them, and C2SP
 * checkpoints (https://c2sp.org/tlog-checkpoint): the signed digest a
 * transparency log publishes. Pure (no Node API), so the typed client and
 * the explorer verify with the same code the server signs with.
 */

/** The algorithm byte of an Ed25519 key in C2SP's key encodings. */
const ED25519 = 0x01;
const EM_DASH_PREFIX = '\u2014 ';

export class SignedNoteError extends Error {
  override readonly name = 'SignedNoteError';
}

const encoder = new TextEncoder();

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array {
  // atob accepts some non-canonical forms (missing padding, whitespace): decoding and
  // encoding back must give the same text, so a signature or key has one spelling.
  let decoded: string;
  try {
    decoded = atob(text);
  } catch {
    throw new SignedNoteError(`not base64: ${text.slice(0, 40)}`);
  }
  const bytes = Uint8Array.from(decoded, (character) => character.charCodeAt(0));
  if (toBase64(bytes) !== text) throw new SignedNoteError(`not canonical base64: ${text.slice(0, 40)}`);
  return bytes;
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** A key name: non-empty, no spaces or `+` (C2SP signed-note). */
function checkKeyName(name: string): void {
  if (name === '' || /[\s+]/u.test(name))
    throw new SignedNoteError(`a key name must be non-empty with no spaces or "+": ${JSON.stringify(name)}`);
}

/** The 4-byte key ID: the first bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  checkKeyName(name);
  const nameBytes = encoder.encode(name);
  const message = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  message.set(nameBytes, 0);
  message[nameBytes.length] = 0x0a;
  message[nameBytes.length + 1] = ED25519;
  message.set(publicKey, nameBytes.length + 2);
  return sha256(message).slice(0, 4);
}

export interface VerifierKey {
  readonly name: string;
  readonly id: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The verifier key clients pin: `<name>+<key ID in hex>+<base64(0x01 ‖ public key)>`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const typed = new Uint8Array(1 + publicKey.length);
  typed[0] = ED25519;
  typed.set(publicKey, 1);
  return `${name}+${toHex(keyId(name, publicKey))}+${toBase64(typed)}`;
}

export function parseVerifierKey(text: string): VerifierKey {
  // The base64 may itself hold a '+': split at the first two only.
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new SignedNoteError('a verifier key is <name>+<key ID>+<key>');
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const typed = fromBase64(text.slice(second + 1));
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new SignedNoteError('the key ID of a verifier key is 8 lowercase hex digits');
  if (typed.length !== 33 || typed[0] !== ED25519)
    throw new SignedNoteError('only Ed25519 verifier keys (type 0x01, 32 bytes) are supported');
  const publicKey = typed.slice(1);
  const id = keyId(name, publicKey);
  if (toHex(id) !== idHex) throw new SignedNoteError("the verifier key's ID does not match its name and key");
  return { name, id, publicKey };
}

/** The public key of a 32-byte Ed25519 secret key (its seed). */
export const publicKeyOf = (secretKey: Uint8Array): Uint8Array => ed25519.getPublicKey(secretKey);

/**
 * Signs `text` (which must end with a newline) as `name`: the text, a blank
 * line, and the signature line `— <name> <base64(key ID ‖ signature)>`.
 */
export function signNote(text: string, name: string, secretKey: Uint8Array): string {
  if (!text.endsWith('\n')) throw new SignedNoteError("a note's text ends with a newline");
  const publicKey = publicKeyOf(secretKey);
  const signature = ed25519.sign(encoder.encode(text), secretKey);
  const blob = new Uint8Array(4 + signature.length);
  blob.set(keyId(name, publicKey), 0);
  blob.set(signature, 4);
  return `${text}\n${EM_DASH_PREFIX}${name} ${toBase64(blob)}\n`;
}

/**
 * The text of `note` if it carries a valid signature by `key`; throws
 * SignedNoteError otherwise (malformed note, no signature by this key, or a
 * signature that does not verify). Signatures by other keys are ignored, as
 * C2SP says.
 */
export function openNote(note: string, key: VerifierKey): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new SignedNoteError('a signed note is its text, a blank line, and signature lines');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let found = false;
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) throw new SignedNoteError(`not a signature line: ${line.slice(0, 60)}`);
    const [name, encoded, ...rest] = line.slice(EM_DASH_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || rest.length > 0)
      throw new SignedNoteError(`not a signature line: ${line.slice(0, 60)}`);
    const blob = fromBase64(encoded);
    if (blob.length < 5) throw new SignedNoteError('a signature is a 4-byte key ID and the signature');
    if (name !== key.name || toHex(blob.slice(0, 4)) !== toHex(key.id)) continue;
    found = true;
    if (blob.length !== 68 || !ed25519.verify(blob.slice(4), encoder.encode(text), key.publicKey)) {
      throw new SignedNoteError(`the signature by ${key.name} does not verify`);
    }
  }
  if (!found) throw new SignedNoteError(`the note carries no signature by ${key.name}`);
  return text;
}

export interface Checkpoint {
  /** The log's name, unique to it (C2SP: a schema-less URL). */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/** A checkpoint's text: origin, tree size in decimal, base64 root hash, one per line. */
export function formatCheckpoint({ origin, size, rootHash }: Checkpoint): string {
  if (origin === '' || origin.includes('\n')) throw new SignedNoteError('a checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw new SignedNoteError('a checkpoint size is a whole number');
  if (rootHash.length !== 32) throw new SignedNoteError('a checkpoint root hash is 32 bytes');
  return `${origin}\n${size}\n${toBase64(rootHash)}\n`;
}

/** Reads a checkpoint's text (extension lines after the root are allowed and ignored). */
export function parseCheckpoint(text: string): Checkpoint {
  const [origin, sizeText, rootText] = text.split('\n');
  if (origin === undefined || origin === '' || sizeText === undefined || rootText === undefined) {
    throw new SignedNoteError('a checkpoint is an origin, a size and a root hash, one per line');
  }
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new SignedNoteError(`a checkpoint size is a decimal number without leading zeros: ${sizeText.slice(0, 30)}`);
  }
  const rootHash = fromBase64(rootText);
  if (rootHash.length !== 32) throw new SignedNoteError('a checkpoint root hash is 32 bytes');
  return { origin, size: Number(sizeText), rootHash };
}

/** A signed checkpoint, checked against the pinned verifier key. */
export function verifyCheckpoint(note: string, verifierKey: string | VerifierKey): Checkpoint {
  const key = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  return parseCheckpoint(openNote(note, key));
}
