/* One layer of a layered image, unpacked into its own directory of the cache: its blob is read
 * once, hashed as stored and as the tar it decompresses to, and both digests checked before the
 * layer becomes visible. Runs in the unpacker (root in the sandbox's user namespace). */
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

#define STAGE_BUF (256 * 1024)

/* The pipeline: blob bytes → [hash A] → libarchive raw + decompressors → [hash B] → libarchive
 * tar → the extractor. A is the blob's digest, B the layer's diff id; for a blob stored without
 * compression they are the same bytes, hashed once (hashing is most of an unpack's CPU). */
struct pipeline {
        struct blob_in *in;
        struct progress *pr;
        struct sha256_ctx blob, diff;
        bool stored; /* no compression: B is A */
        uint64_t blob_bytes;
        struct archive *raw; /* decompresses */
        unsigned char buf[STAGE_BUF];
};

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

static la_ssize_t read_blob(struct archive *a, void *data, const void **ret_buf)
{
        struct pipeline *p = data;
        ssize_t n = p->in->read(p->in->ctx, ret_buf);

        if (n < 0) {
                archive_set_error(a, (int)-n, "read: %s", strerror((int)-n));
                return -1;
        }
        sha256_update(&p->blob, (size_t)n, *ret_buf);
        p->blob_bytes += (uint64_t)n;
        progress_add(p->pr, (uint64_t)n);
        return n;
}

static la_ssize_t read_tar(struct archive *a, void *data, const void **ret_buf)
{
        struct pipeline *p = data;
        la_ssize_t n = archive_read_data(p->raw, p->buf, sizeof p->buf);

        if (n < 0) {
                archive_set_error(a, archive_errno(p->raw) ?: EIO, "%s",
                                  archive_error_string(p->raw) ?: "decompression failed");
                return -1;
        }
        if (!p->stored)
                sha256_update(&p->diff, (size_t)n, p->buf);
        *ret_buf = p->buf;
        return n;
}

static void hex(struct sha256_ctx *ctx, char out[65])
{
        unsigned char d[SHA256_DIGEST_SIZE];

        sha256_digest(ctx, sizeof d, d);
        for (size_t i = 0; i < sizeof d; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Reads what the tar reader left (the blocks after its end marker) and what the decompressor
 * left, so that both digests cover every byte. */
static int drain(struct pipeline *p, const char *image)
{
        const void *b;
        la_ssize_t n;

        while ((n = archive_read_data(p->raw, p->buf, sizeof p->buf)) > 0)
                if (!p->stored)
                        sha256_update(&p->diff, (size_t)n, p->buf);
        if (n < 0)
                return log_error("%s: corrupt or truncated (%s); fetch the image again", image,
                                 archive_error_string(p->raw) ?: "?");
        while ((n = read_blob(p->raw, p, &b)) > 0)
                ;
        return n < 0 ? log_errno((int)n, "%s: cannot read it", image) : 0;
}

void layer_name(const struct layout_layer *l, const char *map_fp, char *buf, size_t size)
{
        snprintf(buf, size, "%s-%s", l->diff, map_fp);
}

/* Opens the two libarchive stages over the blob. */
static int pipeline_open(struct pipeline *p, struct archive **ret_tar, const char *image)
{
        struct archive *tar;
        struct archive_entry *e;

        sha256_init(&p->blob);
        sha256_init(&p->diff);
        p->raw = archive_read_new();
        if (!p->raw || extract_support_filters(p->raw) < 0 ||
            archive_read_support_format_raw(p->raw) != ARCHIVE_OK)
                return log_error("%s: cannot set up libarchive", image);
        if (archive_read_open(p->raw, p, NULL, read_blob, NULL) != ARCHIVE_OK ||
            archive_read_next_header(p->raw, &e) != ARCHIVE_OK)
                return log_error("%s: corrupt or truncated (%s); fetch the image again", image,
                                 archive_error_string(p->raw) ?: "empty");
        p->stored = archive_filter_count(p->raw) == 1 &&
                    archive_filter_code(p->raw, 0) == ARCHIVE_FILTER_NONE;
        *ret_tar = tar = archive_read_new();
        if (!tar || archive_read_support_format_tar(tar) != ARCHIVE_OK ||
            archive_read_support_format_empty(tar) != ARCHIVE_OK)
                return log_error("%s: cannot set up libarchive", image);
        if (archive_read_open(tar, p, NULL, read_tar, NULL) != ARCHIVE_OK)
                return extract_open_failed(tar, image);
        return 0;
}

static int verify(const char *image, const char *what, const char *want, const char *got)
{
        if (!want[0] || !strcmp(want, got))
                return 0;
        return log_error("%s: %s sha256:%s is corrupt (its content hashes to sha256:%s); fetch the "
                         "image again",
                         image, what, want, got);
}

int layer_unpack(const struct imgcache *c, const struct layout_layer *l, struct blob_in *in,
                 const struct extract_opts *o, const char *map_fp, struct progress *pr)
{
        _cleanup_(imgcache_tmp_discard) struct imgcache_tmp t = IMGCACHE_TMP_NULL;
        _cleanup_free_ struct pipeline *p = calloc(1, sizeof *p);
        _cleanup_(archive_freep) struct archive *tar = NULL;
        _cleanup_close_ int tree = -1;
        struct extract_stats stats = {0};
        struct extract_opts lo = *o;
        char blob[65], diff[65], name[IMGCACHE_KEY_MAX], meta[512], label[PATH_MAX + 96];
        int r;

        if (!p)
                return log_errno(-ENOMEM, "%s", o->image);
        *p = (struct pipeline){.in = in, .pr = pr};
        /* Every message about what is inside names the layer. */
        snprintf(label, sizeof label, "%s: layer sha256:%s", o->image,
                 l->blob[0] ? l->blob : l->diff);
        lo.image = label;
        r = imgcache_tmp_create(c, &t);
        if (r < 0)
                return r;
        if (mkdirat(t.fd, "tree", 0755) < 0 ||
            (tree = openat(t.fd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                return errno == ENOSPC || errno == EDQUOT
                           ? -ENOSPC
                           : log_errno(-errno, "cannot create 'tmp/%s/tree'", t.name);
        r = pipeline_open(p, &tar, label);
        if (r >= 0)
                r = extract_archive(tar, tree, &lo, &stats);
        if (r >= 0)
                r = drain(p, label);
        archive_freep(&p->raw);
        if (r < 0)
                return r;
        hex(&p->blob, blob);
        if (p->stored)
                memcpy(diff, blob, sizeof diff);
        else
                hex(&p->diff, diff);
        if (verify(o->image, "layer", l->blob, blob) < 0 ||
            verify(o->image, "layer (uncompressed)", l->diff, diff) < 0)
                return -EBADMSG;
        /* whiteouts=files: kept as .wh. files, which only fuse-overlayfs reads. */
        snprintf(meta, sizeof meta,
                 "digest=sha256:%s\ndiff_id=sha256:%s\nsize=%llu\nbytes=%llu\nentries=%llu\n"
                 "whiteouts=%s\nunpacked=%lld\n",
                 blob, diff, (unsigned long long)p->blob_bytes, (unsigned long long)stats.bytes,
                 (unsigned long long)stats.entries, stats.whiteout_files ? "files" : "devices",
                 (long long)time(NULL));
        r = imgcache_tmp_write(&t, "meta", meta);
        if (r < 0)
                return r;
        layer_name(l, map_fp, name, sizeof name);
        r = imgcache_publish_layer(c, &t, name);
        if (r >= 0 && stats.devices_skipped > 0)
                log_msg("note: skipped %llu device nodes in %s (a sandbox gets /dev from the host)",
                        (unsigned long long)stats.devices_skipped, label);
        return r;
}
