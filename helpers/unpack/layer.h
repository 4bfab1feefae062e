/* One layer of a layered image, unpacked into its own directory of the cache: its blob is read
 * once, hashed as stored and as the tar it decompresses to, and both digests checked before the
 * layer becomes visible. Runs in the unpacker (root in the sandbox's user namespace). */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "extract.h"
#include "imgcache.h"
#include "layout.h"
#include "progress.h"

/* The bytes of a blob as stored: from a file, or from an archive member being read. */
struct blob_in {
        /* Points *buf at the next bytes; returns how many, 0 at the end, or -errno. */
        ssize_t (*read)(void *ctx, const void **buf);
        void *ctx;
};

/* "DIFF-MAP_FP": the name of a layer in layers/. */
void layer_name(const struct layout_layer *l, const char *map_fp, char *buf, size_t size);

/* Unpacks the blob into layers/NAME, whiteouts made for overlayfs. Refuses, naming the digest,
 * a blob whose content does not hash to what the layout says. -ENOSPC silently, for the caller
 * to name the cache; nothing is left behind on failure. */
int layer_unpack(const struct imgcache *c, const struct layout_layer *l, struct blob_in *in,
                 const struct extract_opts *o, const char *map_fp, struct progress *pr);
