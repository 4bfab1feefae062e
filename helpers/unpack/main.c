/* sandbox-unpack [--progress] CACHE_DIR IMAGE STAT_KEY MAP_FP [REF]: on an image-cache miss,
 * unpacks an image into the per-user cache: a rootfs tarball (hashed and unpacked in one pass),
 * or a layered image (a docker-save or OCI archive, or an OCI layout directory), each layer once.
 * Prints where it is: images/KEY/rootfs or images/KEY/layers. Runs as root in the sandbox's user
 * namespace, before any mount. */
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "idcount.h"
#include "image_reader.h"
#include "imgcache.h"
#include "landlock.h"
#include "layered.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "progress.h"
#include "tree.h"

struct args {
        const char *cache_dir, *image, *stat_key, *map_fp, *ref;
        bool progress;
};

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* Every owner in the image must be mapped; a single-id map (no subuid range) keeps everything
 * owned by 0, as does a caller that is not root (a developer, the tests). */
static int id_options(struct extract_opts *o)
{
        int r = idcount_read("/proc/self/uid_map", &o->uid_count);

        if (r >= 0)
                r = idcount_read("/proc/self/gid_map", &o->gid_count);
        if (r < 0)
                return log_errno(r, "cannot read the id maps in /proc/self");
        if (o->uid_count == 0 || o->gid_count == 0)
                return log_error("no ids are mapped in this user namespace");
        o->skip_chown = geteuid() != 0 || o->uid_count == 1 || o->gid_count == 1;
        return 0;
}

/* A tarball, or a directory holding an image layout. */
static int open_image(const char *image, bool *ret_dir)
{
        /* O_NONBLOCK: a FIFO in place of the image must not hang the launch. */
        _cleanup_close_ int fd = open(image, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return log_errno(-errno, "cannot open the image '%s'", image);
        *ret_dir = S_ISDIR(st.st_mode);
        if (!S_ISREG(st.st_mode) && !*ret_dir)
                return log_error("%s: not a regular file (give the path of a tarball)", image);
        if (!*ret_dir && fcntl(fd, F_SETFL, 0) < 0)
                return log_errno(-errno, "cannot open the image '%s'", image);
        return TAKE_FD(fd);
}

/* Whether the archive's first member is the file of an image layout rather than of a root file
 * system (manifest.json, blobs/...). Reads only the first headers. */
static int archive_is_layout(int fd, const char *image)
{
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        struct archive_entry *e;
        char name[PATH_MAX];
        int r;

        if (!a || extract_support(a) < 0)
                return log_errno(-ENOMEM, "cannot set up libarchive");
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
                return extract_open_failed(a, image);
        for (int i = 0; i < 4; i++) {
                r = archive_read_next_header(a, &e);
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        break; /* the extraction says what is wrong with it */
                if (archive_entry_pathname(e) && tree_sanitize(archive_entry_pathname(e), name) > 0)
                        return layout_member_is_layout(name);
        }
        return 0;
}

/* A root file system whose top holds a layout's files: an archive of a layout whose first member
 * did not give it away. */
static bool tree_is_layout(int root)
{
#define HAS(name) (faccessat(root, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return (HAS("manifest.json") || (HAS("index.json") && HAS("oci-layout"))) && !HAS("etc") &&
               !HAS("usr") && !HAS("bin");
#undef HAS
}

/* Extracts into a locked temporary, hashing as it reads; makes it visible as images/KEY.
 * Returns 1, with nothing published, when the tarball turns out to be a layout. */
static int unpack_rootfs(const struct imgcache *c, const struct args *args, int image_fd,
                         const struct extract_opts *o, struct progress *pr,
                         char ret_key[IMGCACHE_KEY_MAX])
{
        /* Cleaned up in reverse: the archive before the reader it reads through. */
        _cleanup_(imgcache_tmp_discard) struct imgcache_tmp t = IMGCACHE_TMP_NULL;
        _cleanup_(image_reader_done) struct image_reader rd = {0};
        _cleanup_(archive_freep) struct archive *a = NULL;
        _cleanup_close_ int root = -1;
        struct extract_stats stats;
        char hex[IMAGE_HASH_HEX], meta[PATH_MAX * 4 + 256], q[PATH_MAX * 4];
        struct stat st;
        int r;

        r = imgcache_tmp_create(c, &t);
        if (r < 0)
                return r;
        if (mkdirat(t.fd, "rootfs", 0755) < 0 ||
            (root = openat(t.fd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                return errno == ENOSPC || errno == EDQUOT
                           ? -ENOSPC
                           : log_errno(-errno, "cannot create 'tmp/%s/rootfs'", t.name);
        a = archive_read_new();
        if (!a)
                return log_errno(-ENOMEM, "cannot set up libarchive");
        r = extract_support(a);
        if (r < 0)
                return r;
        progress_begin(pr, args->image, fstat(image_fd, &st) == 0 ? (uint64_t)st.st_size : 0);
        r = image_reader_open(&rd, a, image_fd, pr);
        if (r == -ENOMEM)
                return log_errno(r, "cannot unpack %s", args->image);
        if (r < 0)
                return extract_open_failed(a, args->image);
        r = extract_archive(a, root, o, &stats);
        progress_end(pr);
        if (r < 0)
                return r;
        if (tree_is_layout(root))
                return 1;
        if (args->ref)
                return log_error("%s is a root file system tarball, holding one image: drop "
                                 "':%s' (a name or digest picks an image of a docker or OCI "
                                 "archive)",
                                 args->image, args->ref);
        r = image_reader_finish(&rd, hex);
        if (r < 0)
                return log_errno(r, "cannot read the image '%s'", args->image);
        snprintf(ret_key, IMGCACHE_KEY_MAX, "%s-%s", hex, args->map_fp);
        /* Written before the rename, so a visible image is always complete. */
        snprintf(meta, sizeof meta,
                 "source=%s\nkind=rootfs\nsize=%llu\nentries=%llu\nbytes=%llu\nunpacked=%lld\n",
                 tree_quote(args->image, q, sizeof q), (unsigned long long)rd.size,
                 (unsigned long long)stats.entries, (unsigned long long)stats.bytes,
                 (long long)time(NULL));
        r = imgcache_tmp_write(&t, "meta", meta);
        if (r < 0)
                return r;
        r = imgcache_publish(c, &t, ret_key);
        if (r >= 0 && stats.devices_skipped > 0)
                log_msg("note: skipped %llu device nodes in %s (a sandbox gets /dev from the host)",
                        (unsigned long long)stats.devices_skipped, args->image);
        return r;
}

static int unpack(const struct imgcache *c, const struct args *args, int image_fd, bool dir,
                  struct extract_opts *o, char ret_key[IMGCACHE_KEY_MAX])
{
        struct progress pr = {.on = args->progress};
        struct extract_opts lo = *o;
        struct layered_args la = {args->image, args->ref, args->map_fp, &lo, &pr};
        int r;

        lo.layer = true;
        if (dir)
                return layered_from_dir(c, image_fd, &la, ret_key);
        r = archive_is_layout(image_fd, args->image);
        if (r == 0) {
                if (lseek(image_fd, 0, SEEK_SET) < 0)
                        return log_errno(-errno, "cannot read the image '%s'", args->image);
                r = unpack_rootfs(c, args, image_fd, o, &pr, ret_key);
        }
        if (r == 1)
                r = layered_from_archive(c, image_fd, &la, ret_key);
        return r;
}

/* The protocol, in order; see imgcache.h for what each step guarantees. */
static int run(const struct args *args)
{
        _cleanup_(imgcache_close) struct imgcache c = IMGCACHE_NULL;
        _cleanup_close_ int image_fd = -1, lock_fd = -1;
        struct extract_opts o = {.image = args->image};
        char key[IMGCACHE_KEY_MAX];
        bool dir = false;
        int r;

        /* Everything that needs a path outside the cache happens before confine_self(). */
        r = id_options(&o);
        if (r < 0)
                return r;
        r = imgcache_open(args->cache_dir, &c);
        if (r < 0)
                return r;
        image_fd = open_image(args->image, &dir);
        if (image_fd < 0)
                return image_fd;
        (void)layout_machine_arch(); /* uname() before the sandbox narrows anything */
        r = confine_self(c.fd, image_fd);
        if (r < 0)
                return r;
        /* Serializes the launches of one image; a second one finds the first one's result. */
        lock_fd = imgcache_lock(&c, args->stat_key);
        if (lock_fd < 0)
                return lock_fd;
        r = imgcache_lookup(&c, args->stat_key, args->map_fp, key);
        if (r == 0) {
                imgcache_clean_stale(&c);
                r = unpack(&c, args, image_fd, dir, &o, key);
                if (r >= 0)
                        r = imgcache_index(&c, args->stat_key, key);
        }
        if (r < 0)
                return r;
        if (printf("images/%s/%s\n", key,
                   imgcache_image_kind(&c, key) == IMGCACHE_LAYERS ? "layers" : "rootfs") < 0 ||
            fflush(stdout) != 0)
                return log_errno(-errno, "cannot write to stdout");
        return 0;
}

static int parse_args(int argc, char **argv, struct args *ret)
{
        char q[256];
        int i = 1;

        *ret = (struct args){0};
        if (argc > 1 && !strcmp(argv[1], "--progress")) {
                ret->progress = true;
                i++;
        }
        if (argc - i != 4 && argc - i != 5)
                return log_error("usage: sandbox-unpack [--progress] CACHE_DIR IMAGE STAT_KEY "
                                 "MAP_FP [REF] (an internal helper of sandbox, not meant to be "
                                 "run by hand)");
        ret->cache_dir = argv[i];
        ret->image = argv[i + 1];
        ret->stat_key = argv[i + 2];
        ret->map_fp = argv[i + 3];
        ret->ref = argc - i == 5 ? argv[i + 4] : NULL;
        if (!imgcache_valid_token(ret->stat_key, IMGCACHE_STAT_KEY_MAX))
                return log_error("sandbox-unpack: invalid STAT_KEY '%s' (1 to %d of "
                                 "[A-Za-z0-9._-], not starting with '.')",
                                 tree_quote(ret->stat_key, q, sizeof q), IMGCACHE_STAT_KEY_MAX);
        if (!imgcache_valid_token(ret->map_fp, IMGCACHE_MAP_FP_MAX))
                return log_error("sandbox-unpack: invalid MAP_FP '%s' (1 to %d of "
                                 "[A-Za-z0-9._-], not starting with '.')",
                                 tree_quote(ret->map_fp, q, sizeof q), IMGCACHE_MAP_FP_MAX);
        if (ret->ref && (!ret->ref[0] || strlen(ret->ref) > 512))
                return log_error("sandbox-unpack: invalid REF (1 to 512 characters)");
        return 0;
}

int main(int argc, char **argv)
{
        struct args args = {0};
        int r;

        /* Nothing inherited beyond stdio may reach a parser of untrusted input; and stdio must
         * be open, or the first file opened here would become stdout. */
        closefrom(STDERR_FILENO + 1);
        for (int fd = 0; fd <= STDERR_FILENO; fd++)
                if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
                        return 1;
        /* Pax names are UTF-8; in a UTF-8 locale libarchive passes them through unchanged.
         * Loaded now: once confined, no locale file can be read. */
        (void)setlocale(LC_CTYPE, "C.UTF-8");
        umask(022);
        if (parse_args(argc, argv, &args) < 0)
                return 1;
        r = run(&args);
        if (r == -ENOSPC)
                log_error("no space left on device while unpacking %s into %s (free some space, "
                          "or point XDG_CACHE_HOME elsewhere)",
                          args.image, args.cache_dir);
        return r < 0 ? 1 : 0;
}
