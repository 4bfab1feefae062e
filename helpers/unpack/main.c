/* sandbox-unpack CACHE_DIR IMAGE_FILE STAT_KEY MAP_FP: on an image-cache miss, hashes and unpacks a
 * tarball into the per-user cache. Runs as root in the sandbox's user namespace, before any mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imgcache.h"
#include "extract.h"
#include "idcount.h"
#include "image_reader.h"
#include "landlock.h"
#include "log.h"
#include "macro.h"
#include "tree.h"

struct args {
        const char *cache_dir, *image, *stat_key, *map_fp;
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

static int open_image(const char *image)
{
        /* O_NONBLOCK: a FIFO in place of the image must not hang the launch. */
        _cleanup_close_ int fd = open(image, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return log_errno(-errno, "cannot open the image '%s'", image);
        if (fstat(fd, &st) < 0)
                return log_errno(-errno, "cannot open the image '%s'", image);
        if (!S_ISREG(st.st_mode))
                return log_error("%s: not a regular file (give the path of a tarball)", image);
        if (fcntl(fd, F_SETFL, 0) < 0)
                return log_errno(-errno, "cannot open the image '%s'", image);
        return TAKE_FD(fd);
}

/* Extracts into a locked temporary, hashing as it reads; makes it visible as images/KEY. */
static int unpack(const struct imgcache *c, const struct args *args, int image_fd,
                  const struct extract_opts *o, char ret_key[IMGCACHE_KEY_MAX])
{
        /* Cleaned up in reverse: the archive before the reader it reads through. */
        _cleanup_(imgcache_tmp_discard) struct imgcache_tmp t = IMGCACHE_TMP_NULL;
        _cleanup_(image_reader_done) struct image_reader rd = {0};
        _cleanup_(archive_freep) struct archive *a = NULL;
        _cleanup_close_ int root = -1;
        struct extract_stats stats;
        char hex[IMAGE_HASH_HEX];
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
        r = image_reader_open(&rd, a, image_fd);
        if (r == -ENOMEM)
                return log_errno(r, "cannot unpack %s", args->image);
        if (r < 0)
                return extract_open_failed(a, args->image);
        r = extract_archive(a, root, o, &stats);
        if (r < 0)
                return r;
        r = image_reader_finish(&rd, hex);
        if (r < 0)
                return log_errno(r, "cannot read the image '%s'", args->image);
        snprintf(ret_key, IMGCACHE_KEY_MAX, "%s-%s", hex, args->map_fp);
        /* Written before the rename, so a visible image is always complete. */
        r = imgcache_write_meta(&t, args->image, rd.size, stats.entries);
        if (r < 0)
                return r;
        r = imgcache_publish(c, &t, ret_key);
        if (r >= 0 && stats.devices_skipped > 0)
                log_msg("note: skipped %llu device nodes in %s (a sandbox gets /dev from the host)",
                        (unsigned long long)stats.devices_skipped, args->image);
        return r;
}

/* The protocol, in order; see imgcache.h for what each step guarantees. */
static int run(const struct args *args)
{
        _cleanup_(imgcache_close) struct imgcache c = IMGCACHE_NULL;
        _cleanup_close_ int image_fd = -1, lock_fd = -1;
        struct extract_opts o = {.image = args->image};
        char key[IMGCACHE_KEY_MAX];
        int r;

        /* Everything that needs a path outside the cache happens before confine_self(). */
        r = id_options(&o);
        if (r < 0)
                return r;
        r = imgcache_open(args->cache_dir, &c);
        if (r < 0)
                return r;
        image_fd = open_image(args->image);
        if (image_fd < 0)
                return image_fd;
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
                r = unpack(&c, args, image_fd, &o, key);
                if (r >= 0)
                        r = imgcache_index(&c, args->stat_key, key);
        }
        if (r < 0)
                return r;
        if (printf("images/%s/rootfs\n", key) < 0 || fflush(stdout) != 0)
                return log_errno(-errno, "cannot write to stdout");
        return 0;
}

static int parse_args(int argc, char **argv, struct args *ret)
{
        char q[256];

        if (argc != 5)
                return log_error("usage: sandbox-unpack CACHE_DIR IMAGE_FILE STAT_KEY MAP_FP (an "
                                 "internal helper of sandbox, not meant to be run by hand)");
        *ret = (struct args){argv[1], argv[2], argv[3], argv[4]};
        if (!imgcache_valid_token(ret->stat_key, IMGCACHE_STAT_KEY_MAX))
                return log_error("sandbox-unpack: invalid STAT_KEY '%s' (1 to %d of "
                                 "[A-Za-z0-9._-], not starting with '.')",
                                 tree_quote(ret->stat_key, q, sizeof q), IMGCACHE_STAT_KEY_MAX);
        if (!imgcache_valid_token(ret->map_fp, IMGCACHE_MAP_FP_MAX))
                return log_error("sandbox-unpack: invalid MAP_FP '%s' (1 to %d of "
                                 "[A-Za-z0-9._-], not starting with '.')",
                                 tree_quote(ret->map_fp, q, sizeof q), IMGCACHE_MAP_FP_MAX);
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
