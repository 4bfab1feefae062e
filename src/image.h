/* The image a sandbox runs: a directory used as it is, or a tarball unpacked once into the cache
 * by the sandbox-unpack helper. Classified on the host; unpacked in the child, as root of the
 * user namespace, so that file owners land on the mapped ids. */
#pragma once

#include <stdbool.h>

struct cache;

enum image_kind {
        IMAGE_DIRECTORY,
        IMAGE_TARBALL,
};

struct image {
        enum image_kind kind;
        char *path;  /* absolute */
        char *lower; /* directory: path; tarball: "images/<key>/rootfs" under the cache, or NULL
                      * until unpacked */
        char stat_key[192];
};

/* Host: checks the image exists and is readable, and looks a tarball up in the cache. */
int image_open(const char *arg, const struct cache *c, const char *map_fp, struct image *ret);
void image_close(struct image *img);

/* Child (root in the user namespace): runs the unpacker when the image is not cached yet. */
int image_unpack(struct image *img, const struct cache *c, const char *map_fp);

/* Opens the image's tree as an O_PATH directory fd (for the overlay's lowerdir). */
int image_open_tree(const struct image *img, const struct cache *c);
