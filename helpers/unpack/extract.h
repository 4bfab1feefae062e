/* libarchive to the unpacked tree, under the extraction rules: names, links, owners, modes.
 * Runs as root in the sandbox's user namespace, before any mount (unprivileged in the tests). */
#pragma once

#include <archive.h>
#include <stdbool.h>
#include <stdint.h>

/* Stops inode-exhaustion bombs long before the file system would. */
#define EXTRACT_MAX_ENTRIES 10000000ULL

struct extract_opts {
        const char *image; /* names the image in messages */
        /* Leave every file owned by the caller: with a single-id map (only 0 mapped, the
         * documented behaviour for users without a subuid range) or outside a user namespace. */
        bool skip_chown;
        uint64_t uid_count, gid_count; /* ids 0..count-1 are mapped; an owner beyond is an error */
        uint64_t max_entries;          /* 0: EXTRACT_MAX_ENTRIES */
        /* One layer of a layered image: '.wh.NAME' entries become overlayfs whiteouts (a 0/0
         * character device NAME), '.wh..wh..opq' makes its directory opaque (the
         * user.overlay.opaque xattr, as overlayfs reads it with the userxattr option); an
         * empty layer is valid. */
        bool layer;
};

struct extract_stats {
        uint64_t entries;
        uint64_t devices_skipped; /* character and block devices, sockets */
        uint64_t bytes;           /* sum of the regular files' sizes */
        uint64_t whiteouts;       /* layers: whiteouts and opaque directories made */
        uint64_t whiteout_files;  /* of them, kept as '.wh.' files: for fuse-overlayfs only */
};

/* The xattr that marks an opaque directory for overlayfs mounted with userxattr (in a user
 * namespace); fuse-overlayfs reads it too. */
#define EXTRACT_OPAQUE_XATTR "user.overlay.opaque"

/* Readies a, fresh from archive_read_new(), for the images we take: tar (ustar, pax, GNU) under
 * any compression libarchive knows. */
int extract_support(struct archive *a);
/* Only the decompressors of extract_support(): for reading a layer blob as a raw stream. */
int extract_support_filters(struct archive *a);

/* Logs why archive_read_open*() failed: libarchive bids on the format while opening, so this is
 * where a file that is no tar at all shows. Returns -EINVAL. */
int extract_open_failed(struct archive *a, const char *image);

/* Unpacks every entry of the opened archive a into the directory rootfd (not O_PATH). Logs the
 * cause of a failure, except running out of space: that returns -ENOSPC silently, for the caller
 * to name the cache. On failure the tree is partial: the caller removes it. */
int extract_archive(struct archive *a, int rootfd, const struct extract_opts *o,
                    struct extract_stats *ret_stats);
