/* Feeds the image file to libarchive while hashing every raw byte: the cache key is the sha256
 * of the file as read, in one pass. Runs as root in the sandbox's user namespace, before any mount.
 */
#include "image_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Large enough that the syscalls vanish next to decompression, small enough to stay in cache. */
#define IMAGE_READ_BUF (256 * 1024)

static ssize_t read_some(struct image_reader *r)
{
        for (;;) {
                ssize_t n = read(r->fd, r->buf, r->buf_size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n > 0) {
                        sha256_update(&r->sha, (size_t)n, r->buf);
                        r->size += (uint64_t)n;
                        if (r->progress)
                                progress_add(r->progress, (uint64_t)n);
                }
                return n < 0 ? -errno : n;
        }
}

static la_ssize_t read_cb(struct archive *a, void *data, const void **ret_buf)
{
        struct image_reader *r = data;
        ssize_t n = read_some(r);

        if (n < 0) {
                archive_set_error(a, (int)-n, "read: %s", strerror((int)-n));
                return -1;
        }
        *ret_buf = r->buf;
        return n;
}

int image_reader_open(struct image_reader *r, struct archive *a, int fd, struct progress *progress)
{
        *r = (struct image_reader){.fd = fd, .buf_size = IMAGE_READ_BUF, .progress = progress};
        r->buf = malloc(r->buf_size);
        if (!r->buf)
                return -ENOMEM;
        sha256_init(&r->sha);
        if (archive_read_open(a, r, NULL, read_cb, NULL) != ARCHIVE_OK)
                return -EIO;
        return 0;
}

int image_reader_finish(struct image_reader *r, char ret_hex[IMAGE_HASH_HEX])
{
        unsigned char digest[SHA256_DIGEST_SIZE];
        ssize_t n;

        /* libarchive stops at the end-of-archive blocks; trailing bytes are part of the file. */
        while ((n = read_some(r)) > 0)
                ;
        if (n < 0)
                return (int)n;
        sha256_digest(&r->sha, sizeof digest, digest);
        for (size_t i = 0; i < sizeof digest; i++)
                snprintf(ret_hex + 2 * i, 3, "%02x", digest[i]);
        return 0;
}

void image_reader_done(struct image_reader *r)
{
        free(r->buf);
        r->buf = NULL;
}
