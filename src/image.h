/* The image a sandbox runs: a directory used as it is, a rootfs tarball, or a layered image (an
 * OCI layout directory, an OCI or docker-save archive), unpacked once into the cache by the
 * sandbox-unpack helper. Classified and looked up on the host; unpacked, held and opened in the
 * child, as root of the user namespace, so that file owners land on the mapped ids. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "imgconfig.h"

struct cache;

enum image_kind {
        IMAGE_DIRECTORY, /* a root file system, used in place */
        IMAGE_ARCHIVE,   /* a tarball: a root file system, or a docker/OCI archive */
        IMAGE_LAYOUT,    /* a directory holding an OCI layout (or an unpacked docker save) */
};

struct image {
        enum image_kind kind;
        char *path; /* absolute */
        char *ref;  /* which image of an archive or layout: a name or sha256:DIGEST; or NULL */
        char stat_key[192];
        char *key;       /* its name under images/ once known (a cache hit, or unpacked) */
        bool layered;    /* images/<key>/layers, not images/<key>/rootfs */
        bool needs_fuse; /* its whiteouts are .wh. files (a cache on an overlayfs) */
        char **lowers;   /* absolute paths of its layers, lowest first */
        struct image_config config;
        int hold_fd; /* images/<key>, flock'ed shared while the sandbox runs */
};

/* Host: splits IMAGE[:REF] or IMAGE@sha256:DIGEST, checks the image exists and is readable, and
 * looks it up in the cache. */
int image_open(const char *arg, const struct cache *c, const char *map_fp, struct image *ret);
void image_close(struct image *img);

/* Child (root in the user namespace): runs the unpacker when the image is not cached yet, holds
 * it (so that `sandbox image prune` leaves it alone), and reads its layer list and config. */
int image_prepare(struct image *img, const struct cache *c, const char *map_fp);

/* Host, for `sandbox enter`: reads the config of an image image_open found in the cache, as
 * image_prepare does (nothing for a directory or a rootfs tarball). -ENOENT when it is not
 * cached (the file changed since the sandbox started); any other error is said. */
int image_read_config(struct image *img, const struct cache *c);

/* Child: opens the layers (O_PATH directory fds, lowest first) for the root's mount; by path,
 * since fds the launcher opened name mounts of the host's namespace. */
int image_open_layers(const struct image *img, int **ret_fds, size_t *ret_n);

/* Child, after pivot_root, before a --read-only remount: docker run creates the image's
 * WorkingDir when the image lacks it (and --workdir does not replace it). */
void image_make_workdir(const struct image *img, const char *cli_workdir);

/* What a --persist directory records as the image its changes belong to. */
const char *image_id(const struct image *img);
