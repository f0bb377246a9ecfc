/* The proof search on x86-64 CPUs with the SHA extensions. Elsewhere shani_available()
 * is 0 and the other functions must not be called. */
#ifndef POW_SHANI_H
#define POW_SHANI_H

#include <stdint.h>

int shani_available(void);
/* The smallest proof in [start, start + count) meeting the difficulty, or 0. */
uint64_t shani_search(uint64_t previous, int difficulty, uint64_t start, uint64_t count);
/* `pairs` bare two-block compressions and nothing else: this CPU's ceiling for the search. */
uint32_t shani_compress_pairs(uint64_t pairs);

#endif
