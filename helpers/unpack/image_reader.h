/* Feeds the image file to libarchive while hashing every raw byte: the cache key is the sha256
 * of the file as read, in one pass. Runs as root in the sandbox's user namespace, before any mount.
 */
#pragma once

#include <archive.h>
#include <nettle/sha2.h>
#include <stdint.h>

#include "progress.h"

#define IMAGE_HASH_HEX (SHA256_DIGEST_SIZE * 2 + 1)

struct image_reader {
        int fd;
        uint64_t size; /* bytes read and hashed so far */
        struct sha256_ctx sha;
        size_t buf_size;
        unsigned char *buf;
        struct progress *progress; /* counts what is read; NULL for none */
};

/* Opens a (set up with extract_support()) on fd. The reader must outlive a's use; fd stays the
 * caller's. No skip callback: every byte goes through the hash, in order. Returns -ENOMEM, or
 * -EIO when libarchive refuses the start of the file (extract_open_failed() says why). */
int image_reader_open(struct image_reader *r, struct archive *a, int fd, struct progress *progress);
/* After the archive ended: hashes the rest of the file up to EOF and writes the lowercase hex
 * digest. */
int image_reader_finish(struct image_reader *r, char ret_hex[IMAGE_HASH_HEX]);
void image_reader_done(struct image_reader *r);
