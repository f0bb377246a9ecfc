/* The candidate proof's square difference n*n - p*p, kept exactly as a sign and two
 * base-10^18 limbs and updated per candidate by (n+1)^2 - n^2 = 2n+1: no division, and
 * the decimal digits (what the seed hashes) are cheap to write. Proofs are below 2^53
 * (what JavaScript numbers carry exactly), so the difference stays below 2^106. */
#ifndef POW_CANDIDATE_H
#define POW_CANDIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__SIZEOF_INT128__)
#error "a compiler with 128-bit integers is required; the server falls back to the WebAssembly engine"
#endif

#define LIMB 1000000000000000000ULL
#define MAX_PROOF 9007199254740991ULL /* 2^53 - 1 */

typedef struct {
  uint64_t n;        /* the candidate proof */
  uint64_t high;     /* |n^2 - p^2| = high * 10^18 + low */
  uint64_t low;
  int negative;
} Candidate;

static inline void candidate_start(Candidate *c, uint64_t previous, uint64_t start) {
  unsigned __int128 square = (unsigned __int128)start * start;
  unsigned __int128 previous_square = (unsigned __int128)previous * previous;
  unsigned __int128 magnitude = square >= previous_square ? square - previous_square : previous_square - square;
  c->n = start;
  c->negative = square < previous_square;
  c->high = (uint64_t)(magnitude / LIMB);
  c->low = (uint64_t)(magnitude % LIMB);
}

static inline void candidate_next(Candidate *c) {
  uint64_t step = 2 * c->n + 1; /* below 2^54 < 10^18: one carry or borrow at most */
  c->n++;
  if (!c->negative) {
    c->low += step;
    if (c->low >= LIMB) {
      c->low -= LIMB;
      c->high++;
    }
  } else if (c->high == 0 && c->low <= step) {
    c->low = step - c->low; /* crosses zero; zero itself prints as "0", no sign */
    c->negative = 0;
  } else if (c->low >= step) {
    c->low -= step;
  } else {
    c->low = c->low + LIMB - step;
    c->high--;
  }
}

static const char POW_DIGIT_PAIRS[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *write_pair(char *end, uint64_t pair) {
  end -= 2;
  memcpy(end, POW_DIGIT_PAIRS + 2 * pair, 2);
  return end;
}

/* Exactly 4 / 8 digits, zero-padded. Split in halves so the divisions run in parallel, not in one long chain. */
static inline char *write_4_digits(char *end, uint64_t value) {
  write_pair(end, value % 100);
  return write_pair(end - 2, value / 100);
}

static inline char *write_8_digits(char *end, uint64_t value) {
  write_4_digits(end, value % 10000);
  return write_4_digits(end - 4, value / 10000);
}

/* Below 10^8, no leading zeros. */
static inline char *write_small(char *end, uint64_t value) {
  if (value >= 10000) {
    end = write_4_digits(end, value % 10000);
    value /= 10000;
  }
  if (value >= 100) {
    end = write_pair(end, value % 100);
    value /= 100;
  }
  if (value >= 10) return write_pair(end, value);
  *--end = (char)('0' + value);
  return end;
}

/* Below 10^18, no leading zeros. */
static inline char *write_digits(char *end, uint64_t value) {
  if (value < 100000000ULL) return write_small(end, value);
  end = write_8_digits(end, value % 100000000ULL);
  value /= 100000000ULL;
  if (value < 100000000ULL) return write_small(end, value);
  end = write_8_digits(end, value % 100000000ULL);
  return write_small(end, value / 100000000ULL);
}

/* Exactly 18 digits, zero-padded. */
static inline char *write_18_digits(char *end, uint64_t value) {
  end = write_8_digits(end, value % 100000000ULL);
  value /= 100000000ULL;
  end = write_8_digits(end, value % 100000000ULL);
  return write_pair(end, value / 100000000ULL);
}

/* Scratch space for writing digits right to left. Everything after `end` stays zero, so a
 * fixed-size copy of 40 bytes (inlined, unlike a variable-length memcpy) brings the digits
 * followed by the zero padding into the block. */
typedef struct {
  char bytes[96];
} DigitBuffer;
#define DIGITS_END 48

/* Fills a padded SHA-256 block with the candidate's decimal square difference (at most 33 bytes).
 * Bytes 40-61 of `block` must already be zero. */
static inline void candidate_block(const Candidate *c, DigitBuffer *scratch, uint8_t block[64]) {
  char *end = scratch->bytes + DIGITS_END;
  char *first = c->high == 0 ? write_digits(end, c->low) : write_digits(write_18_digits(end, c->low), c->high);
  if (c->negative) *--first = '-';
  size_t length = (size_t)(end - first);
  memcpy(block, first, 40);
  block[length] = 0x80;
  block[62] = (uint8_t)((length * 8) >> 8);
  block[63] = (uint8_t)(length * 8);
}


/* Leading hex zeros of the digest: `difficulty` nibbles of words 0 and 1 (difficulty <= 12). */
static inline int meets_difficulty(const uint32_t head[2], int difficulty) {
  if (difficulty <= 8) return difficulty == 8 ? head[0] == 0 : (head[0] >> (32 - 4 * difficulty)) == 0;
  return head[0] == 0 && (head[1] >> (32 - 4 * (difficulty - 8))) == 0;
}

#endif
