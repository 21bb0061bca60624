/*
 * The bounded hash table nm's stages keep their state in (nm-stats'
 * connections and hosts, nm-detect's scanners and attempts): fixed-size
 * entries, a keyed hash, a cap the caller enforces.  tab.c says how.
 */
#ifndef TAB_H
#define TAB_H

#include <stddef.h>
#include <stdint.h>

#include "siphash.h"

/*
 * Entries live in chunks that never move, so a pointer to one stays valid
 * until that entry is removed (removing moves the last entry into the
 * hole).  The key is the first keysize bytes of an entry (a multiple of 8,
 * padding zeroed) and compares with memcmp.
 */
struct tab {
	unsigned char **chunk;
	size_t nchunk;
	size_t esize, keysize;
	size_t count, cap;
	uint64_t *slot;	    /* hash << 32 | (index + 1); 0 empty */
	size_t mask;	    /* slots - 1 */
	struct sip_key key; /* the hash's: sip_run_key() */
};

void tab_init(struct tab *, size_t esize, size_t keysize, size_t cap);
void tab_free(struct tab *);
void *tab_find(const struct tab *, const void *key);
/* The same, and the entry's index (for tab_remove) in *index. */
void *tab_find_at(const struct tab *, const void *key, size_t *index);
/* A new zeroed entry holding key; the caller made sure count < cap. */
void *tab_insert(struct tab *, const void *key);
void tab_remove(struct tab *, size_t index);
void *tab_at(const struct tab *, size_t index);
size_t tab_bytes(const struct tab *); /* memory held, for tests */
/* The hash of a key: SipHash-2-4 under the run key, its low 32 bits. */
uint32_t tab_hash(const struct tab *, const void *key);
/*
 * The same operations with the key's tab_hash() already known, so that a
 * lookup followed by an insertion or a removal hashes the key once.
 */
void *tab_find_h(
    const struct tab *, const void *key, uint32_t h, size_t *index);
void *tab_insert_h(struct tab *, const void *key, uint32_t h);
void tab_remove_h(struct tab *, size_t index, uint32_t h);
/*
 * Room in a full table: of a few entries picked at random, the one whose
 * 64-bit stamp at offset ts_off is least goes (seen longest ago, or
 * nearest expiry).  An approximation of least-recently-used that costs no
 * list kept in order; the picks come from a fixed xorshift sequence, so a
 * run is reproducible and what an attacker sends decides nothing but
 * which entries are old.  The table must not be empty.
 */
void tab_evict(struct tab *, size_t ts_off);

#endif
