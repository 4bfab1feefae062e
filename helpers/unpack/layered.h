/* A layered image (an OCI image layout, or what docker save / podman save write), from a
 * directory or an archive, into the cache: each layer it lacks unpacked once into layers/, then
 * the image itself (its layer list and config) published under images/. Runs in the unpacker
 * (root in the sandbox's user namespace, confined). */
#pragma once

#include "extract.h"
#include "imgcache.h"
#include "progress.h"

struct layered_args {
        const char *image;  /* for messages and meta */
        const char *ref;    /* which image of several, or NULL */
        const char *map_fp; /* part of every cache name: files are owned by the mapped ids */
        const struct extract_opts *o;
        struct progress *pr;
};

/* From an archive (tar, maybe compressed) open as fd: a first pass lists its members and keeps
 * its JSON files, a second one unpacks the layers not cached yet. */
int layered_from_archive(const struct imgcache *c, int fd, const struct layered_args *a,
                         char ret_key[IMGCACHE_KEY_MAX]);
/* From a directory open as dirfd; every path resolved beneath it. */
int layered_from_dir(const struct imgcache *c, int dirfd, const struct layered_args *a,
                     char ret_key[IMGCACHE_KEY_MAX]);
