/* Identifiers: content hashes and record instance IDs. */
#ifndef DOORSTEP_IDS_H
#define DOORSTEP_IDS_H

#include <stddef.h>

/* Writes the SHA-256 of data as 64 hex digits and a NUL into out. */
void ids_sha256_hex(const void *data, size_t len, char out[65]);

/* Writes "uuid:" and a random version 4 UUID into out (at least 42
 * bytes). Returns 0, or -1 when the system has no randomness to give. */
int ids_instance_id(char out[42]);

#endif
