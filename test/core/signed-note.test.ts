import { describe, expect, it } from 'vitest';
import {
  SignedNoteError,
  formatCheckpoint,
  formatVerifierKey,
  fromBase64,
  keyId,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  publicKeyOf,
  signNote,
  verifyCheckpoint,
} from '../../src/core/signed-note.js';
import { requirePython, runPython } from '../helpers/python.js';

// The example of golang.org/x/mod/sumdb/note (its package documentation and tests), used as data.
const PETER_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const ENOCH_VERIFIER = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';

/** The 32-byte seed of Go's signer key format: PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed). */
const seedOf = (signer: string): Uint8Array => fromBase64(signer.split('+').slice(4).join('+')).slice(1);

const expectRefused = (run: () => unknown, message: RegExp): void => {
  expect(run).toThrow(SignedNoteError);
  expect(run).toThrow(message);
};

describe('C2SP signed notes', () => {
  it("reads Go's example verifier key and opens its signed note", () => {
    const key = parseVerifierKey(PETER_VERIFIER);
    expect(key.name).toBe('PeterNeumann');
    expect(openNote(PETER_NOTE, key)).toBe(PETER_TEXT);
  });

  it("signs exactly as Go's note package does (Ed25519 is deterministic): the same bytes, the same verifier key", () => {
    const seed = seedOf(PETER_SIGNER);
    expect(signNote(PETER_TEXT, 'PeterNeumann', seed)).toBe(PETER_NOTE);
    expect(formatVerifierKey('PeterNeumann', publicKeyOf(seed))).toBe(PETER_VERIFIER);
  });

  it('refuses a changed text, a changed signature, another key, and malformed notes and keys', () => {
    const key = parseVerifierKey(PETER_VERIFIER);
    expectRefused(() => openNote(PETER_NOTE.replace('cryptography', 'cryptographY'), key), /does not verify/);
    expectRefused(() => openNote(PETER_NOTE.replace('ZJkuBS9UG', 'ZJkuBS9UH'), key), /does not verify/);
    expectRefused(() => openNote(PETER_NOTE, parseVerifierKey(ENOCH_VERIFIER)), /no signature by EnochRoot/);
    expectRefused(() => openNote(PETER_TEXT, key), /blank line/);
    expectRefused(() => openNote(`${PETER_TEXT}\nnot a signature\n`, key), /not a signature line/);
    expectRefused(() => parseVerifierKey(PETER_VERIFIER.replace('c74f20a3', 'c74f20a4')), /does not match/);
    expectRefused(() => parseVerifierKey('PeterNeumann'), /<name>\+<key ID>\+<key>/);
    expectRefused(() => parseVerifierKey(PETER_VERIFIER.slice(0, -1)), /base64|Ed25519/);
  });

  it('ignores signatures by keys it was not asked about, as C2SP says', () => {
    const enochSeed = new Uint8Array(32).fill(7);
    const cosigned = `${PETER_NOTE}${signNote(PETER_TEXT, 'Other', enochSeed).split('\n\n')[1]}`;
    expect(openNote(cosigned, parseVerifierKey(PETER_VERIFIER))).toBe(PETER_TEXT);
  });

  it('writes and reads checkpoints: origin, decimal size, base64 root', () => {
    const rootHash = new Uint8Array(32).map((_, i) => i);
    const text = formatCheckpoint({ origin: 'ledger.example/chain', size: 5, rootHash });
    expect(text).toBe('ledger.example/chain\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n');
    expect(parseCheckpoint(text)).toEqual({ origin: 'ledger.example/chain', size: 5, rootHash });
    expect(parseCheckpoint(`${text}extension line\n`).size).toBe(5);
    expectRefused(() => parseCheckpoint(text.replace('\n5\n', '\n05\n')), /leading zeros/);
    expectRefused(() => parseCheckpoint(text.replace('\n5\n', '\n-5\n')), /decimal/);
    expectRefused(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash }), /one non-empty line/);
    const seed = new Uint8Array(32).fill(1);
    const note = signNote(text, 'ledger.example/chain', seed);
    const verifier = formatVerifierKey('ledger.example/chain', publicKeyOf(seed));
    expect(verifyCheckpoint(note, verifier)).toEqual({ origin: 'ledger.example/chain', size: 5, rootHash });
    expect(keyId('ledger.example/chain', publicKeyOf(seed))).toHaveLength(4);
  });

  it("agrees with Python's cryptography, written from the C2SP text, in both directions", (context) => {
    requirePython(context);
    const script = String.raw`
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
request = json.load(sys.stdin)
name = request["name"]
def key_id(public):
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public).digest()[:4]
private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(request["seed"]))
public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
text = request["text"]
signature = private.sign(text.encode())
note = text + "\n" + "\u2014 " + name + " " + base64.b64encode(key_id(public) + signature).decode() + "\n"
# Verify the note the other side signed, from the C2SP text.
theirs = request["theirs"]
body, _, signatures = theirs.rpartition("\n\n")
line = signatures.rstrip("\n")
assert line.startswith("\u2014 " + name + " ")
blob = base64.b64decode(line.split(" ")[2])
assert blob[:4] == key_id(public)
Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], (body + "\n").encode())
verifier = name + "+" + key_id(public).hex() + "+" + base64.b64encode(b"\x01" + public).decode()
print(json.dumps({"note": note, "verifier": verifier}))
`;
    const seed = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256);
    const name = 'ledger.example/chain';
    const text = formatCheckpoint({ origin: name, size: 123_456, rootHash: new Uint8Array(32).fill(0xab) });
    const ours = signNote(text, name, seed);
    const answer = JSON.parse(runPython(script, JSON.stringify({ name, seed: Buffer.from(seed).toString('hex'), text, theirs: ours }))) as {
      note: string;
      verifier: string;
    };
    expect(answer.verifier).toBe(formatVerifierKey(name, publicKeyOf(seed)));
    expect(answer.note).toBe(ours);
    expect(verifyCheckpoint(answer.note, answer.verifier).size).toBe(123_456);
  });
});
