/* The proof search with the x86 SHA extensions. The compression follows Intel's reference
 * sequence ("Intel SHA Extensions", 2013) as popularised by Jeffrey Walton's public-domain
 * code, hashing two candidates at once so each one's dependency chain hides the other's.
 * Messages are built in registers: decimal digits come from a branch-free SWAR conversion
 * and a byte shuffle, never a store and reload per candidate. */
#include "shani.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

#include "candidate.h"
#include "sha256.h"

#define TARGET __attribute__((target("sha,ssse3,sse4.1")))
#define INLINE static inline __attribute__((always_inline))

/* One 64-byte block as the four vectors of message words the SHA instructions take:
 * big-endian 32-bit words, so the bytes of each word are reversed from message order. */
typedef struct {
  __m128i w[4];
} Message;

/* Reverses the bytes of each 32-bit word: message order to word order. */
#define BYTE_SWAP _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL)

/* SHUFFLE[k] moves the last k bytes of a 16-digit vector to the front (message order)
 * and zeroes the rest; END_MARK[k] holds SHA-256's 0x80 terminator at byte k. Both are
 * composed with BYTE_SWAP, so one shuffle turns digits into message words. */
static const uint8_t SHUFFLE[17][16] __attribute__((aligned(16))) = {
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {0x80, 0x80, 0x80, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {0x80, 0x80, 15, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {0x80, 15, 14, 13, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {15, 14, 13, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {14, 13, 12, 11, 0x80, 0x80, 0x80, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {13, 12, 11, 10, 0x80, 0x80, 15, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {12, 11, 10, 9, 0x80, 15, 14, 13, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {11, 10, 9, 8, 15, 14, 13, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
    {10, 9, 8, 7, 14, 13, 12, 11, 0x80, 0x80, 0x80, 15, 0x80, 0x80, 0x80, 0x80},
    {9, 8, 7, 6, 13, 12, 11, 10, 0x80, 0x80, 15, 14, 0x80, 0x80, 0x80, 0x80},
    {8, 7, 6, 5, 12, 11, 10, 9, 0x80, 15, 14, 13, 0x80, 0x80, 0x80, 0x80},
    {7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 0x80, 0x80, 0x80, 0x80},
    {6, 5, 4, 3, 10, 9, 8, 7, 14, 13, 12, 11, 0x80, 0x80, 0x80, 15},
    {5, 4, 3, 2, 9, 8, 7, 6, 13, 12, 11, 10, 0x80, 0x80, 15, 14},
    {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 0x80, 15, 14, 13},
    {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12},
};
static const uint8_t END_MARK[17][16] __attribute__((aligned(16))) = {
    {0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
};
/* AFTER[k] places a 16-digit vector after k bytes already in the first message vector:
 * its first 16 - k digits fill the rest (the other k go to the next vector, by SHUFFLE[k]). */
static const uint8_t AFTER[17][16] __attribute__((aligned(16))) = {
    {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12},
    {2, 1, 0, 0x80, 6, 5, 4, 3, 10, 9, 8, 7, 14, 13, 12, 11},
    {1, 0, 0x80, 0x80, 5, 4, 3, 2, 9, 8, 7, 6, 13, 12, 11, 10},
    {0, 0x80, 0x80, 0x80, 4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9},
    {0x80, 0x80, 0x80, 0x80, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8},
    {0x80, 0x80, 0x80, 0x80, 2, 1, 0, 0x80, 6, 5, 4, 3, 10, 9, 8, 7},
    {0x80, 0x80, 0x80, 0x80, 1, 0, 0x80, 0x80, 5, 4, 3, 2, 9, 8, 7, 6},
    {0x80, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80, 4, 3, 2, 1, 8, 7, 6, 5},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 3, 2, 1, 0, 7, 6, 5, 4},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 2, 1, 0, 0x80, 6, 5, 4, 3},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1, 0, 0x80, 0x80, 5, 4, 3, 2},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80, 4, 3, 2, 1},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 3, 2, 1, 0},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 2, 1, 0, 0x80},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1, 0, 0x80, 0x80},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80},
    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
};
/* Message byte 0 lands here once bytes are in word order. */
#define FIRST_BYTE_LANE 3

int shani_available(void) {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  int sha = (b >> 29) & 1;
  return ssse3 && sse41 && sha;
}

#define KV(g) _mm_loadu_si128((const __m128i *)&SHA256_K[4 * (g)])
#define RND(L, C, g)                                \
  {                                                 \
    __m128i m = _mm_add_epi32(L##C, KV(g));         \
    L##s1 = _mm_sha256rnds2_epu32(L##s1, L##s0, m); \
    m = _mm_shuffle_epi32(m, 0x0E);                 \
    L##s0 = _mm_sha256rnds2_epu32(L##s0, L##s1, m); \
  }
#define MSG2(L, C, P, N) L##N = _mm_sha256msg2_epu32(_mm_add_epi32(L##N, _mm_alignr_epi8(L##C, L##P, 4)), L##C);
#define MSG1(L, C, P) L##P = _mm_sha256msg1_epu32(L##P, L##C);

/* Rounds 4g..4g+3 for both blocks; the schedule words rotate through m0..m3. */
#define R(g, C) RND(a_, C, g) RND(b_, C, g)
#define R1(g, C, P) R(g, C) MSG1(a_, C, P) MSG1(b_, C, P)
#define R2(g, C, P, N) R(g, C) MSG2(a_, C, P, N) MSG2(b_, C, P, N)
#define R21(g, C, P, N) R2(g, C, P, N) MSG1(a_, C, P) MSG1(b_, C, P)

/* The first two digest words of two blocks. */
TARGET INLINE void head_x2(const Message *a, const Message *b, uint32_t out_a[2], uint32_t out_b[2]) {
  /* The IV rearranged into the ABEF / CDGH lanes the SHA instructions work on. */
  __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&SHA256_IV[0]), 0xB1);
  __m128i iv1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&SHA256_IV[4]), 0x1B);
  const __m128i abef = _mm_alignr_epi8(t, iv1, 8);
  const __m128i cdgh = _mm_blend_epi16(iv1, t, 0xF0);

  __m128i a_s0 = abef, a_s1 = cdgh, b_s0 = abef, b_s1 = cdgh;
  __m128i a_m0 = a->w[0], a_m1 = a->w[1], a_m2 = a->w[2], a_m3 = a->w[3];
  __m128i b_m0 = b->w[0], b_m1 = b->w[1], b_m2 = b->w[2], b_m3 = b->w[3];

  R(0, m0) R1(1, m1, m0) R1(2, m2, m1)
  R21(3, m3, m2, m0) R21(4, m0, m3, m1) R21(5, m1, m0, m2) R21(6, m2, m1, m3)
  R21(7, m3, m2, m0) R21(8, m0, m3, m1) R21(9, m1, m0, m2) R21(10, m2, m1, m3)
  R21(11, m3, m2, m0) R21(12, m0, m3, m1)
  R2(13, m1, m0, m2) R2(14, m2, m1, m3) R(15, m3)

  a_s0 = _mm_add_epi32(a_s0, abef);
  b_s0 = _mm_add_epi32(b_s0, abef);
  /* Lanes of s0 are F, E, B, A from low to high: A and B are the first digest words. */
  out_a[0] = (uint32_t)_mm_extract_epi32(a_s0, 3);
  out_a[1] = (uint32_t)_mm_extract_epi32(a_s0, 2);
  out_b[0] = (uint32_t)_mm_extract_epi32(b_s0, 3);
  out_b[1] = (uint32_t)_mm_extract_epi32(b_s0, 2);
}

/* The 8 decimal digits of x < 10^8 as byte values 0-9, most significant first (lowest byte),
 * in a few multiplies: split into 4-digit halves, then pairs, then digits, lanes side by side. */
INLINE uint64_t digits_8(uint64_t x) {
  uint64_t halves = (x / 10000) | ((x % 10000) << 32);
  uint64_t hundreds = ((halves * 10486) >> 20) & 0x0000007F0000007FULL; /* y / 100 for y < 10^4 */
  uint64_t pairs = hundreds | ((halves - 100 * hundreds) << 16);
  uint64_t tens = ((pairs * 103) >> 10) & 0x000F000F000F000FULL; /* y / 10 for y < 100 */
  return tens | ((pairs - 10 * tens) << 8);
}

/* The upper 8 digits change only every 10^8 / 2n candidates: converted once, then reused. */
typedef struct {
  uint64_t value;
  uint64_t digits;
  int count; /* significant digits of `value` (0 when it is 0) */
} UpperDigits;

/* Builds the candidate's message in registers when its decimal form fits in 16 bytes (sign
 * included): every proof search below difficulty 7 or so. Returns 0 otherwise. */
TARGET INLINE int fast_message(const Candidate *c, UpperDigits *cache, Message *m) {
  uint64_t value = c->low;
  if (c->high != 0 || value >= (c->negative ? 1000000000000000ULL : 10000000000000000ULL)) return 0;
  uint64_t upper = value / 100000000, lower = value % 100000000;
  if (upper != cache->value) {
    cache->value = upper;
    cache->digits = digits_8(upper);
    cache->count = upper != 0 ? 8 - (__builtin_ctzll(cache->digits) >> 3) : 0;
  }
  uint64_t lower_digits = digits_8(lower);
  int count = cache->count != 0 ? 8 + cache->count : (lower != 0 ? 8 - (__builtin_ctzll(lower_digits) >> 3) : 1);
  int length = count + c->negative;
  __m128i digits = _mm_add_epi8(_mm_set_epi64x((long long)lower_digits, (long long)cache->digits), _mm_set1_epi8('0'));
  __m128i text = _mm_shuffle_epi8(digits, _mm_load_si128((const __m128i *)SHUFFLE[length]));
  if (c->negative) text = _mm_insert_epi8(text, '-', FIRST_BYTE_LANE); /* message byte 0 held a padding '0' */
  m->w[0] = _mm_or_si128(text, _mm_load_si128((const __m128i *)END_MARK[length]));
  m->w[1] = _mm_cvtsi32_si128(length == 16 ? (int)0x80000000u : 0); /* the terminator as byte 16 */
  m->w[2] = _mm_setzero_si128();
  m->w[3] = _mm_set_epi32(length * 8, 0, 0, 0); /* the message length in bits, the last word */
  return 1;
}

#define TEN_TO_16 10000000000000000ULL

/* The digits above the last 16 change only every 10^16 / 2n candidates: converted once, then reused. */
typedef struct {
  uint64_t value;
  __m128i digits; /* 16 ASCII digits, zero-padded */
  int count;      /* significant digits of `value` */
} TopDigits;

/* The message of a candidate with 17 to 32 characters (sign included): the top digits, then
 * the last 16, across the first two message vectors. Every search up to about difficulty 12.
 * Returns 0 for the few it does not cover (a 16-digit negative value, or 33 characters). */
TARGET INLINE int long_message(const Candidate *c, TopDigits *cache, Message *m) {
  uint64_t top = c->high * 100 + c->low / TEN_TO_16, bottom = c->low % TEN_TO_16; /* |v| = top * 10^16 + bottom */
  if (top == 0) return 0;
  if (top != cache->value) {
    uint64_t high_digits = digits_8(top / 100000000), low_digits = digits_8(top % 100000000);
    cache->value = top;
    cache->digits = _mm_add_epi8(_mm_set_epi64x((long long)low_digits, (long long)high_digits), _mm_set1_epi8('0'));
    cache->count = top >= 100000000 ? 16 - (__builtin_ctzll(high_digits) >> 3) : 8 - (__builtin_ctzll(low_digits) >> 3);
  }
  int head = cache->count + c->negative; /* characters before the last 16 digits */
  if (head > 16) return 0;
  __m128i last = _mm_add_epi8(_mm_set_epi64x((long long)digits_8(bottom % 100000000), (long long)digits_8(bottom / 100000000)), _mm_set1_epi8('0'));
  __m128i first = _mm_or_si128(_mm_shuffle_epi8(cache->digits, _mm_load_si128((const __m128i *)SHUFFLE[head])),
                               _mm_shuffle_epi8(last, _mm_load_si128((const __m128i *)AFTER[head])));
  if (c->negative) first = _mm_insert_epi8(first, '-', FIRST_BYTE_LANE);
  m->w[0] = first;
  m->w[1] = _mm_or_si128(_mm_shuffle_epi8(last, _mm_load_si128((const __m128i *)SHUFFLE[head])), _mm_load_si128((const __m128i *)END_MARK[head]));
  m->w[2] = _mm_cvtsi32_si128(head == 16 ? (int)0x80000000u : 0); /* the terminator as byte 32 */
  m->w[3] = _mm_set_epi32((16 + head) * 8, 0, 0, 0);
  return 1;
}

typedef struct {
  UpperDigits upper;
  TopDigits top;
  DigitBuffer digits;
  uint8_t block[64];
} Scratch;

TARGET INLINE void build_message(const Candidate *c, Message *m, Scratch *scratch) {
  if (fast_message(c, &scratch->upper, m) || long_message(c, &scratch->top, m)) return;
  uint8_t *block = scratch->block;
  candidate_block(c, &scratch->digits, block);
  for (int i = 0; i < 4; i++) m->w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), BYTE_SWAP);
}

TARGET uint64_t shani_search(uint64_t previous, int difficulty, uint64_t start, uint64_t count) {
  Candidate c;
  Scratch scratch = {{0, 0, 0}, {0, _mm_setzero_si128(), 0}, {{0}}, {0}};
  Message a, b;
  uint32_t head_a[2], head_b[2];
  candidate_start(&c, previous, start);
  uint64_t i = 0;
  build_message(&c, &a, &scratch);
  candidate_next(&c);
  build_message(&c, &b, &scratch);
  candidate_next(&c);
  for (; i + 2 <= count; i += 2) {
    /* The next pair is built before this one is hashed: in program order ahead of the long
     * SHA dependency chains, so it executes while they wait instead of lengthening them. */
    Message next_a, next_b;
    build_message(&c, &next_a, &scratch);
    candidate_next(&c);
    build_message(&c, &next_b, &scratch);
    candidate_next(&c);
    head_x2(&a, &b, head_a, head_b);
    if (meets_difficulty(head_a, difficulty)) return start + i;
    if (meets_difficulty(head_b, difficulty)) return start + i + 1;
    a = next_a;
    b = next_b;
  }
  if (i < count) {
    head_x2(&a, &a, head_a, head_b);
    if (meets_difficulty(head_a, difficulty)) return start + i;
  }
  return 0;
}

TARGET uint32_t shani_compress_pairs(uint64_t pairs) {
  /* The message "1": its words, built once (a whole search builds each candidate's). */
  Message a = {{_mm_set_epi32(0, 0, 0, 0x31800000), _mm_setzero_si128(), _mm_setzero_si128(), _mm_set_epi32(8, 0, 0, 0)}};
  Message b = a;
  uint32_t head_a[2], head_b[2], checksum = 0;
  for (uint64_t i = 0; i < pairs; i++) {
    /* A different message each time, so nothing is hoisted out of the loop. */
    a.w[2] = _mm_cvtsi32_si128((int)i);
    b.w[2] = _mm_cvtsi32_si128((int)~i);
    head_x2(&a, &b, head_a, head_b);
    checksum ^= head_a[0] ^ head_b[0];
  }
  return checksum;
}

#else

int shani_available(void) { return 0; }
uint64_t shani_search(uint64_t previous, int difficulty, uint64_t start, uint64_t count) {
  (void)previous, (void)difficulty, (void)start, (void)count;
  return 0;
}
uint32_t shani_compress_pairs(uint64_t pairs) {
  (void)pairs;
  return 0;
}

#endif
