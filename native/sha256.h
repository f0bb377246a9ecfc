/* Portable SHA-256 of one 64-byte block (already padded) from the standard initial state.
 * The proof search only needs the first two digest words to count leading zeros. */
#ifndef POW_SHA256_H
#define POW_SHA256_H

#include <stdint.h>

extern const uint32_t SHA256_K[64];
extern const uint32_t SHA256_IV[8];

/* Writes the first two big-endian digest words of one block to out[0], out[1]. */
void sha256_portable_head(const uint8_t block[64], uint32_t out[2]);

#endif
