// The seed's proof-of-work search, four candidates per SHA-256 compression (one per
// 32-bit SIMD lane). Built by scripts/build-wasm.ts into wasm/pow.wasm.
//
// A candidate n after previous proof p is hashed as the decimal string of n*n - p*p.
// That value reaches ~2^106, so its magnitude is kept exactly as four base-10^9 limbs
// (m0 lowest) and stepped from candidate to candidate with |v| -/+= 2n+1: subtract
// while n < p (the value is negative and shrinks towards 0 at n == p), add afterwards.

const BASE: u32 = 1_000_000_000;
const LANES = 4;
/** Bytes reserved per lane message: the longest, "-" and 32 digits and 0x80, fits in 40. */
const LANE_BYTES = 48;
/** Message words that can hold text; words 10..14 are always zero, 15 is the bit length. */
const TEXT_WORDS = 10;

const K = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** "00".."99", so digits are written two at a time. */
const DIGIT_PAIRS = memory.data(200);
/** One message per lane, as plain bytes. */
const MESSAGES = memory.data(LANES * LANE_BYTES, 16);
/** The message schedule W[0..63], one v128 (four lanes) per word. */
const SCHEDULE = memory.data(64 * 16, 16);

for (let i = 0; i < 100; i++) {
  store<u8>(DIGIT_PAIRS + 2 * i, 0x30 + i / 10);
  store<u8>(DIGIT_PAIRS + 2 * i + 1, 0x30 + (i % 10));
}

// |n*n - p*p| and the step 2n+1 for the candidate being written, base 10^9.
let m0: u32 = 0;
let m1: u32 = 0;
let m2: u32 = 0;
let m3: u32 = 0;
let s0: u32 = 0;
let s1: u32 = 0;

/**
 * The smallest proof in [start, start + count) whose hash after `previous` starts with
 * `difficulty` hex zeros, or 0 if there is none. Proofs are integers below 2^53, passed
 * as doubles (exact there); the caller validates the arguments.
 */
export function search(previous: f64, difficulty: i32, start: f64, count: i32): f64 {
  const p = <u64>previous;
  const first = <u64>start;
  const end = first + <u64>count;
  initialise(p, first);
  const mask0 = i32x4.splat(leadingMask(difficulty));
  const mask1 = i32x4.splat(leadingMask(difficulty - 8));
  for (let n = first; n < end; n += <u64>LANES) {
    for (let lane = 0; lane < LANES; lane++) {
      const negative = n + <u64>lane < p;
      writeMessage(MESSAGES + lane * LANE_BYTES, negative);
      advance(negative);
    }
    loadMessages();
    let hits = compress(mask0, mask1);
    // Lanes past the window hash candidates the caller did not ask for.
    const remaining = end - n;
    if (remaining < <u64>LANES) hits &= (1 << <i32>remaining) - 1;
    if (hits != 0) return <f64>(n + <u64>ctz(hits));
  }
  return 0;
}

/** Sets the limbs to |first^2 - p^2| = |first - p| * (first + p), and the step to 2*first + 1. */
function initialise(p: u64, first: u64): void {
  const a = first < p ? p - first : first - p;
  const b = first + p;
  const a0 = a % BASE;
  const a1 = a / BASE;
  const b0 = b % BASE;
  const b1 = b / BASE;
  let t = a0 * b0;
  m0 = <u32>(t % BASE);
  t = t / BASE + a0 * b1 + a1 * b0;
  m1 = <u32>(t % BASE);
  t = t / BASE + a1 * b1;
  m2 = <u32>(t % BASE);
  m3 = <u32>(t / BASE);
  const step = 2 * first + 1;
  s0 = <u32>(step % BASE);
  s1 = <u32>(step / BASE);
}

/** Moves the limbs from candidate n to n + 1, and the step from 2n+1 to 2n+3. */
function advance(negative: bool): void {
  if (negative) subtractStep();
  else addStep();
  s0 += 2;
  if (s0 >= BASE) {
    s0 -= BASE;
    s1 += 1;
  }
}

function addStep(): void {
  let t = m0 + s0;
  let carry: u32 = t >= BASE;
  m0 = carry ? t - BASE : t;
  t = m1 + s1 + carry;
  carry = t >= BASE;
  m1 = carry ? t - BASE : t;
  if (carry) {
    m2 += 1;
    if (m2 == BASE) {
      m2 = 0;
      m3 += 1;
    }
  }
}

/** Only called while n < p, where |v| = p^2 - n^2 >= 2n+1, so no limb underflows overall. */
function subtractStep(): void {
  let borrow: u32 = m0 < s0;
  m0 = m0 + (borrow ? BASE : 0) - s0;
  const need = s1 + borrow;
  borrow = m1 < need;
  m1 = m1 + (borrow ? BASE : 0) - need;
  if (borrow) {
    if (m2 == 0) {
      m2 = BASE - 1;
      m3 -= 1;
    } else {
      m2 -= 1;
    }
  }
}

/** Bits of a big-endian hash word that must be zero for `zeros` leading hex zeros. */
function leadingMask(zeros: i32): i32 {
  if (zeros <= 0) return 0;
  if (zeros >= 8) return -1;
  return ~(<i32>(u32.MAX_VALUE >> (4 * zeros)));
}

/**
 * Writes the current value's decimal text, SHA-256 padding byte and bit length (as a
 * native u32 after the text words) into one lane's message buffer.
 */
function writeMessage(message: usize, negative: bool): void {
  v128.store(message, i32x4.splat(0));
  v128.store(message, i32x4.splat(0), 16);
  v128.store(message, i32x4.splat(0), 32);
  let at = message;
  if (negative) {
    store<u8>(at, 0x2d); // '-'
    at += 1;
  }
  if (m3 != 0) {
    at = writeDigits(at, m3);
    at = writeNineDigits(at, m2);
    at = writeNineDigits(at, m1);
    at = writeNineDigits(at, m0);
  } else if (m2 != 0) {
    at = writeDigits(at, m2);
    at = writeNineDigits(at, m1);
    at = writeNineDigits(at, m0);
  } else if (m1 != 0) {
    at = writeDigits(at, m1);
    at = writeNineDigits(at, m0);
  } else {
    at = writeDigits(at, m0);
  }
  store<u8>(at, 0x80);
  store<u32>(message, <u32>(at - message) * 8, 4 * TEXT_WORDS);
}

/** Writes `value` without leading zeros ("0" for zero); returns the end. */
function writeDigits(at: usize, value: u32): usize {
  const end = at + decimalLength(value);
  let pair = end;
  while (value >= 10) {
    pair -= 2;
    store<u16>(pair, load<u16>(DIGIT_PAIRS + 2 * (value % 100)));
    value /= 100;
  }
  if (pair > at) store<u8>(at, 0x30 + value);
  return end;
}

/** Writes `value` (< 10^9) as exactly nine digits, leading zeros kept; returns the end. */
function writeNineDigits(at: usize, value: u32): usize {
  for (let pair = at + 7; pair > at; pair -= 2) {
    store<u16>(pair, load<u16>(DIGIT_PAIRS + 2 * (value % 100)));
    value /= 100;
  }
  store<u8>(at, 0x30 + value);
  return at + 9;
}

function decimalLength(value: u32): i32 {
  let length = 1;
  while (value >= 10) {
    value /= 10;
    length += 1;
  }
  return length;
}

/** Transposes the four lane messages into the first 16 schedule words (big-endian). */
function loadMessages(): void {
  for (let word = 0; word < TEXT_WORDS; word++) {
    v128.store(SCHEDULE + word * 16, byteSwap(gather(word * 4)));
  }
  const zero = i32x4.splat(0);
  for (let word = TEXT_WORDS; word < 15; word++) v128.store(SCHEDULE + word * 16, zero);
  v128.store(SCHEDULE + 15 * 16, gather(TEXT_WORDS * 4));
}

@inline
function gather(offset: usize): v128 {
  let v = i32x4.splat(load<u32>(MESSAGES + offset));
  v = i32x4.replace_lane(v, 1, load<u32>(MESSAGES + LANE_BYTES + offset));
  v = i32x4.replace_lane(v, 2, load<u32>(MESSAGES + 2 * LANE_BYTES + offset));
  return i32x4.replace_lane(v, 3, load<u32>(MESSAGES + 3 * LANE_BYTES + offset));
}

@inline
function byteSwap(v: v128): v128 {
  return i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

@inline
function rotr(x: v128, bits: i32): v128 {
  return v128.or(i32x4.shr_u(x, bits), i32x4.shl(x, 32 - bits));
}

/**
 * One SHA-256 compression of the schedule's four messages from the initial state.
 * Returns the bitmask of lanes whose first two hash words are zero under the masks.
 */
function compress(mask0: v128, mask1: v128): i32 {
  expandSchedule();
  let a = i32x4.splat(0x6a09e667);
  let b = i32x4.splat(0xbb67ae85);
  let c = i32x4.splat(0x3c6ef372);
  let d = i32x4.splat(0xa54ff53a);
  let e = i32x4.splat(0x510e527f);
  let f = i32x4.splat(0x9b05688c);
  let g = i32x4.splat(0x1f83d9ab);
  let h = i32x4.splat(0x5be0cd19);
  for (let i = 0; i < 64; i += 8) {
    const w = SCHEDULE + i * 16;
    const k = K + i * 4;
    let t = t1(e, f, g, h, w, k);
    d = i32x4.add(d, t);
    h = i32x4.add(t, t2(a, b, c));
    t = t1(d, e, f, g, w + 16, k + 4);
    c = i32x4.add(c, t);
    g = i32x4.add(t, t2(h, a, b));
    t = t1(c, d, e, f, w + 32, k + 8);
    b = i32x4.add(b, t);
    f = i32x4.add(t, t2(g, h, a));
    t = t1(b, c, d, e, w + 48, k + 12);
    a = i32x4.add(a, t);
    e = i32x4.add(t, t2(f, g, h));
    t = t1(a, b, c, d, w + 64, k + 16);
    h = i32x4.add(h, t);
    d = i32x4.add(t, t2(e, f, g));
    t = t1(h, a, b, c, w + 80, k + 20);
    g = i32x4.add(g, t);
    c = i32x4.add(t, t2(d, e, f));
    t = t1(g, h, a, b, w + 96, k + 24);
    f = i32x4.add(f, t);
    b = i32x4.add(t, t2(c, d, e));
    t = t1(f, g, h, a, w + 112, k + 28);
    e = i32x4.add(e, t);
    a = i32x4.add(t, t2(b, c, d));
  }
  const word0 = i32x4.add(a, i32x4.splat(0x6a09e667));
  const word1 = i32x4.add(b, i32x4.splat(0xbb67ae85));
  const masked = v128.or(v128.and(word0, mask0), v128.and(word1, mask1));
  return i32x4.bitmask(i32x4.eq(masked, i32x4.splat(0)));
}

/** h + Σ1(e) + Ch(e, f, g) + K[i] + W[i] */
@inline
function t1(e: v128, f: v128, g: v128, h: v128, w: usize, k: usize): v128 {
  const sigma = v128.xor(v128.xor(rotr(e, 6), rotr(e, 11)), rotr(e, 25));
  const choice = v128.bitselect(f, g, e);
  const kw = i32x4.add(v128.load32_splat(k), v128.load(w));
  return i32x4.add(i32x4.add(h, sigma), i32x4.add(choice, kw));
}

/** Σ0(a) + Maj(a, b, c) */
@inline
function t2(a: v128, b: v128, c: v128): v128 {
  const sigma = v128.xor(v128.xor(rotr(a, 2), rotr(a, 13)), rotr(a, 22));
  const majority = v128.bitselect(b, a, v128.xor(a, c));
  return i32x4.add(sigma, majority);
}

function expandSchedule(): void {
  for (let w = SCHEDULE; w < SCHEDULE + 48 * 16; w += 16) {
    const w15 = v128.load(w, 16);
    const w2 = v128.load(w, 14 * 16);
    const sigma0 = v128.xor(v128.xor(rotr(w15, 7), rotr(w15, 18)), i32x4.shr_u(w15, 3));
    const sigma1 = v128.xor(v128.xor(rotr(w2, 17), rotr(w2, 19)), i32x4.shr_u(w2, 10));
    const sum = i32x4.add(i32x4.add(v128.load(w), sigma0), i32x4.add(v128.load(w, 9 * 16), sigma1));
    v128.store(w, sum, 16 * 16);
  }
}
