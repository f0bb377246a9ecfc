/* The seed's proof-of-work search as a Node-API addon.
 *
 * A proof n is accepted after p when sha256(decimal(n*n - p*p)) starts with
 * `difficulty` hex zeros. The SHA-NI search lives in shani.c; this file holds
 * the portable search and the bindings. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "candidate.h"
#include "sha256.h"
#include "shani.h"

/* The smallest proof in [start, start + count) meeting the difficulty, or 0. */
static uint64_t portable_search(uint64_t previous, int difficulty, uint64_t start, uint64_t count) {
  Candidate c;
  DigitBuffer scratch = {{0}};
  uint8_t block[64] = {0};
  uint32_t head[2];
  candidate_start(&c, previous, start);
  for (uint64_t i = 0; i < count; i++) {
    candidate_block(&c, &scratch, block);
    sha256_portable_head(block, head);
    if (meets_difficulty(head, difficulty)) return start + i;
    candidate_next(&c);
  }
  return 0;
}

/* Bare compressions with the portable code, for comparison with shani_compress_pairs. */
static uint32_t portable_compress_pairs(uint64_t pairs) {
  uint8_t block[64] = {'1', 0x80};
  uint32_t head[2], checksum = 0;
  block[63] = 8;
  for (uint64_t i = 0; i < 2 * pairs; i++) {
    block[1] = (uint8_t)i;
    sha256_portable_head(block, head);
    checksum ^= head[0];
  }
  return checksum;
}

/* ---- Node-API glue. Arguments are validated again in TypeScript; these checks keep C safe on their own. ---- */

/* Set when the module loads, once per thread that loads it: always the same value, written atomically. */
static int shani;

static int read_integer(napi_env env, napi_value value, uint64_t min, uint64_t max, uint64_t *out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= (double)min && number <= (double)max) ||
      number != (double)(uint64_t)number) {
    return 0;
  }
  *out = (uint64_t)number;
  return 1;
}

static napi_value run_search(napi_env env, napi_callback_info info, int use_shani) {
  size_t argc = 4;
  napi_value argv[4];
  uint64_t previous, difficulty, start, count;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || !read_integer(env, argv[0], 0, MAX_PROOF, &previous) ||
      !read_integer(env, argv[1], 1, 12, &difficulty) || !read_integer(env, argv[2], 1, MAX_PROOF, &start) ||
      !read_integer(env, argv[3], 0, MAX_PROOF, &count)) {
    napi_throw_range_error(env, NULL, "search(previousProof, difficulty 1-12, start >= 1, count >= 0) takes integers below 2^53");
    return NULL;
  }
  if (count > MAX_PROOF + 1 - start) count = MAX_PROOF + 1 - start;
  napi_value result;
  uint64_t proof = use_shani ? shani_search(previous, (int)difficulty, start, count) : portable_search(previous, (int)difficulty, start, count);
  napi_create_double(env, (double)proof, &result);
  return result;
}

static napi_value search_best(napi_env env, napi_callback_info info) { return run_search(env, info, __atomic_load_n(&shani, __ATOMIC_RELAXED)); }
static napi_value search_portable(napi_env env, napi_callback_info info) { return run_search(env, info, 0); }

static napi_value run_compress(napi_env env, napi_callback_info info, int use_shani) {
  size_t argc = 1;
  napi_value argv[1];
  uint64_t pairs;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !read_integer(env, argv[0], 0, MAX_PROOF, &pairs)) {
    napi_throw_range_error(env, NULL, "compressPairs(pairs) takes a non-negative integer");
    return NULL;
  }
  napi_value result;
  napi_create_uint32(env, use_shani ? shani_compress_pairs(pairs) : portable_compress_pairs(pairs), &result);
  return result;
}

static napi_value compress_best(napi_env env, napi_callback_info info) { return run_compress(env, info, __atomic_load_n(&shani, __ATOMIC_RELAXED)); }
static napi_value compress_portable(napi_env env, napi_callback_info info) { return run_compress(env, info, 0); }

NAPI_MODULE_INIT() {
  __atomic_store_n(&shani, shani_available(), __ATOMIC_RELAXED);
  int has_shani = __atomic_load_n(&shani, __ATOMIC_RELAXED);
  napi_value variant;
  napi_create_string_utf8(env, has_shani ? "sha-ni" : "portable", NAPI_AUTO_LENGTH, &variant);
  napi_property_descriptor properties[] = {
      {"search", NULL, search_best, NULL, NULL, NULL, napi_enumerable, NULL},
      {"searchPortable", NULL, search_portable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"compressPairs", NULL, compress_best, NULL, NULL, NULL, napi_enumerable, NULL},
      {"compressPairsPortable", NULL, compress_portable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"variant", NULL, NULL, NULL, NULL, variant, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
