/* libarchive to the unpacked tree, under the extraction rules: names, links, owners, modes.
 * Runs as root in the sandbox's user namespace, before any mount (unprivileged in the tests). */
#include "extract.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "tree.h"

/* libarchive's private ARCHIVE_ERRNO_FILE_FORMAT: no format recognized the data (EFTYPE
 * where it exists). */
#ifdef EFTYPE
#define ERRNO_FILE_FORMAT EFTYPE
#else
#define ERRNO_FILE_FORMAT EILSEQ
#endif

/* A directory's mode, owner and mtime, applied after every entry: a 0555 directory must not block
 * the entries inside it, and writing those entries changes its mtime. dev/ino tell whether the
 * path still names the directory the entry made. */
struct dir_fixup {
        char *path;
        size_t order, depth;
        dev_t dev;
        ino_t ino;
        mode_t mode;
        uid_t uid;
        gid_t gid;
        struct timespec times[2];
};

struct extractor {
        struct archive *a;
        int rootfd;
        const struct extract_opts *o;
        struct extract_stats stats;
        struct dir_fixup *dirs;
        size_t n_dirs, cap_dirs;
};

/* The entry being unpacked. */
struct member {
        struct archive_entry *e;
        const char *raw;     /* its name as in the archive, for messages */
        char path[PATH_MAX]; /* sanitized: relative to the root, "" for the root itself */
        mode_t mode;
        uid_t uid;
        gid_t gid;
        struct timespec times[2];
};

int extract_support_filters(struct archive *a)
{
        /* Only decompressors built into libarchive: for the others (lrzip, lzop, grzip...)
         * it would fork+exec an external program on attacker-chosen input. */
        int (*const filters[])(struct archive *) = {
            archive_read_support_filter_gzip, archive_read_support_filter_xz,
            archive_read_support_filter_zstd, archive_read_support_filter_bzip2,
            archive_read_support_filter_lz4,  archive_read_support_filter_lzip,
            archive_read_support_filter_lzma,
        };
        for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
                if (filters[i](a) != ARCHIVE_OK)
                        return log_error("cannot set up libarchive: %s (a decompressor is not "
                                         "built in)",
                                         archive_error_string(a));
        return 0;
}

int extract_support(struct archive *a)
{
        int r = extract_support_filters(a);

        if (r < 0)
                return r;
        /* Only the tar formats (ustar, pax, GNU, v7). */
        if (archive_read_support_format_tar(a) != ARCHIVE_OK)
                return log_error("cannot set up libarchive: %s", archive_error_string(a));
        return 0;
}

static const char *quoted(const char *name, char *buf, size_t size)
{
        return tree_quote(name ? name : "", buf, size);
}

/* A failed system call on an entry. Running out of space is the caller's to report. */
static int fail_errno(struct extractor *x, const struct member *m, int r, const char *what)
{
        char q[512];

        if (r == -ENOSPC || r == -EDQUOT)
                return -ENOSPC;
        return log_errno(r, "%s: cannot %s '%s'", x->o->image, what, quoted(m->raw, q, sizeof q));
}

/* An archive that is not what it says, or ends early. */
static int report_archive_error(struct archive *a, const char *image, uint64_t entries)
{
        const char *msg = archive_error_string(a);

        if (entries == 0 && archive_errno(a) == ERRNO_FILE_FORMAT)
                return log_error("%s: not a tar archive (%s)", image, msg ? msg : "?");
        return log_error("%s: corrupt or truncated archive after %llu entries (%s); download the "
                         "image again",
                         image, (unsigned long long)entries, msg ? msg : "?");
}

static int fail_archive(struct extractor *x)
{
        return report_archive_error(x->a, x->o->image, x->stats.entries);
}

int extract_open_failed(struct archive *a, const char *image)
{
        return report_archive_error(a, image, 0);
}

static void entry_time(struct timespec *ts, bool set, time_t sec, long nsec)
{
        ts->tv_sec = set ? sec : 0;
        ts->tv_nsec = set ? nsec : UTIME_OMIT;
}

static int check_owner(struct extractor *x, const struct member *m, const char *kind, int64_t id,
                       uint64_t count, const char *file)
{
        char q[512];

        if (id >= 0 && (uint64_t)id < count)
                return 0;
        return log_error("%s: '%s' is owned by %s %lld, beyond the %llu ids mapped for you (extend "
                         "your range in %s)",
                         x->o->image, quoted(m->raw, q, sizeof q), kind, (long long)id,
                         (unsigned long long)count, file);
}

/* Name, owners, mode and times of the entry, checked before anything is made for it. */
static int member_init(struct extractor *x, struct archive_entry *e, struct member *m)
{
        char q[512];
        int r;

        m->e = e;
        m->raw = archive_entry_pathname(e);
        if (!m->raw)
                m->raw = archive_entry_pathname_utf8(e);
        if (!m->raw)
                return log_error("%s: entry %llu has no readable name", x->o->image,
                                 (unsigned long long)x->stats.entries);
        r = tree_sanitize(m->raw, m->path);
        if (r == -EINVAL)
                return log_error("%s: entry '%s' has a '..' component; refusing the image",
                                 x->o->image, quoted(m->raw, q, sizeof q));
        if (r < 0)
                return log_error("%s: entry '%s' is too long (%d bytes or %d components at most)",
                                 x->o->image, quoted(m->raw, q, sizeof q), PATH_MAX - 1,
                                 TREE_MAX_COMPONENTS);
        m->mode = archive_entry_perm(e) & 07777;
        m->uid = 0;
        m->gid = 0;
        if (!x->o->skip_chown) {
                r = check_owner(x, m, "uid", archive_entry_uid(e), x->o->uid_count, "/etc/subuid");
                if (r >= 0)
                        r = check_owner(x, m, "gid", archive_entry_gid(e), x->o->gid_count,
                                        "/etc/subgid");
                if (r < 0)
                        return r;
                m->uid = (uid_t)archive_entry_uid(e);
                m->gid = (gid_t)archive_entry_gid(e);
        }
        entry_time(&m->times[0], archive_entry_atime_is_set(e), archive_entry_atime(e),
                   archive_entry_atime_nsec(e));
        entry_time(&m->times[1], archive_entry_mtime_is_set(e), archive_entry_mtime(e),
                   archive_entry_mtime_nsec(e));
        return 0;
}

/* Owner, then mode (chown clears setuid), then times, on an open file. */
static int apply_attrs_fd(struct extractor *x, int fd, uid_t uid, gid_t gid, mode_t mode,
                          const struct timespec times[2])
{
        if (!x->o->skip_chown && fchown(fd, uid, gid) < 0)
                return -errno;
        if (fchmod(fd, mode) < 0)
                return -errno;
        if (futimens(fd, times) < 0)
                return -errno;
        return 0;
}

static int open_parent(struct extractor *x, const struct member *m, const char **ret_base)
{
        char q[512];
        int fd = tree_open_parent(x->rootfd, m->path, true, ret_base);

        if (fd == -ENOSPC || fd == -EDQUOT)
                return -ENOSPC;
        if (fd < 0)
                return log_errno(fd, "%s: cannot make the directories above '%s' inside the image",
                                 x->o->image, quoted(m->raw, q, sizeof q));
        return fd;
}

/* Removes what is in the way of an entry: anything, a directory with all it holds. */
static int clear_way(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        int r = tree_remove_at(pfd, base);

        return r < 0 ? fail_errno(x, m, r, "replace") : 0;
}

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
        while (len > 0) {
                ssize_t n = pwrite(fd, buf, len, off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
                off += n;
        }
        return 0;
}

/* The entry's data, block by block; holes of sparse entries stay holes. */
static int write_data(struct extractor *x, const struct member *m, int fd)
{
        int64_t end = 0, size = archive_entry_size(m->e);

        for (;;) {
                const void *buf;
                size_t len;
                la_int64_t off;
                int r = archive_read_data_block(x->a, &buf, &len, &off);

                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return fail_archive(x);
                r = pwrite_all(fd, buf, len, off);
                if (r < 0)
                        return fail_errno(x, m, r, "write");
                end = off + (int64_t)len;
        }
        if (size > end && ftruncate(fd, size) < 0)
                return fail_errno(x, m, -errno, "write");
        return 0;
}

static int make_file(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int64_t size = archive_entry_size(m->e);
        _cleanup_close_ int fd = -1;
        int r;

        /* Fail early, with the clear message, rather than half-way through a huge file. */
        r = size > 0 ? tree_check_space(pfd, (uint64_t)size) : 0;
        if (r < 0)
                return fail_errno(x, m, r, "create");
        fd = openat(pfd, base, flags, 0600);
        if (fd < 0 && errno == EEXIST) {
                r = clear_way(x, m, pfd, base);
                if (r < 0)
                        return r;
                fd = openat(pfd, base, flags, 0600);
        }
        if (fd < 0)
                return fail_errno(x, m, -errno, "create");
        r = write_data(x, m, fd);
        if (r < 0)
                return r;
        x->stats.bytes += size > 0 ? (uint64_t)size : 0;
        r = apply_attrs_fd(x, fd, m->uid, m->gid, m->mode, m->times);
        return r < 0 ? fail_errno(x, m, r, "set owner, mode and times of") : 0;
}

/* A FIFO is opened (O_NONBLOCK: no writer needed) so its attributes are set on an fd. */
static int make_fifo(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (mkfifoat(pfd, base, 0600) < 0) {
                if (errno != EEXIST)
                        return fail_errno(x, m, -errno, "create FIFO");
                r = clear_way(x, m, pfd, base);
                if (r < 0)
                        return r;
                if (mkfifoat(pfd, base, 0600) < 0)
                        return fail_errno(x, m, -errno, "create FIFO");
        }
        fd = openat(pfd, base, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return fail_errno(x, m, -errno, "open FIFO");
        r = apply_attrs_fd(x, fd, m->uid, m->gid, m->mode, m->times);
        return r < 0 ? fail_errno(x, m, r, "set owner, mode and times of") : 0;
}

/* The link text is kept as is: it is only ever interpreted inside the sandbox, and later entries
 * are resolved in root. */
static int make_symlink(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        const char *target = archive_entry_symlink(m->e);
        int r;

        if (!target)
                target = archive_entry_symlink_utf8(m->e);
        if (!target)
                return fail_errno(x, m, -EINVAL, "read the target of symlink");
        if (symlinkat(target, pfd, base) < 0) {
                if (errno != EEXIST)
                        return fail_errno(x, m, -errno, "create symlink");
                r = clear_way(x, m, pfd, base);
                if (r < 0)
                        return r;
                if (symlinkat(target, pfd, base) < 0)
                        return fail_errno(x, m, -errno, "create symlink");
        }
        if (!x->o->skip_chown && fchownat(pfd, base, m->uid, m->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return fail_errno(x, m, -errno, "set the owner of");
        if (utimensat(pfd, base, m->times, AT_SYMLINK_NOFOLLOW) < 0)
                return fail_errno(x, m, -errno, "set the times of");
        return 0;
}

static int add_dir_fixup(struct extractor *x, const struct member *m, const struct stat *st)
{
        struct dir_fixup *d;

        if (x->n_dirs == x->cap_dirs) {
                size_t cap = x->cap_dirs * 2 + 64;
                d = realloc(x->dirs, cap * sizeof *d);
                if (!d)
                        return log_errno(-ENOMEM, "%s: cannot unpack", x->o->image);
                x->dirs = d;
                x->cap_dirs = cap;
        }
        d = &x->dirs[x->n_dirs];
        *d = (struct dir_fixup){
            .path = strdup(m->path),
            .order = x->n_dirs,
            .dev = st->st_dev,
            .ino = st->st_ino,
            .mode = m->mode,
            .uid = m->uid,
            .gid = m->gid,
            .times = {m->times[0], m->times[1]},
        };
        if (!d->path)
                return log_errno(-ENOMEM, "%s: cannot unpack", x->o->image);
        for (const char *p = m->path; *p; p++)
                d->depth += *p == '/';
        d->depth += m->path[0] != 0;
        x->n_dirs++;
        return 0;
}

/* A directory over an existing one just updates its attributes (at the end, like all of them). */
static int make_dir(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        struct stat st;
        int r;

        if (mkdirat(pfd, base, 0700) < 0) {
                if (errno != EEXIST)
                        return fail_errno(x, m, -errno, "create directory");
                if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return fail_errno(x, m, -errno, "create directory");
                if (!S_ISDIR(st.st_mode)) {
                        r = clear_way(x, m, pfd, base);
                        if (r < 0)
                                return r;
                        if (mkdirat(pfd, base, 0700) < 0)
                                return fail_errno(x, m, -errno, "create directory");
                }
        }
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return fail_errno(x, m, -errno, "create directory");
        return add_dir_fixup(x, m, &st);
}

/* The target is a name in the tree like any other, its parent resolved in root; linkat() without
 * AT_SYMLINK_FOLLOW links a symlink itself, never what it points to. */
static int make_hardlink(struct extractor *x, const struct member *m, int pfd, const char *base)
{
        const char *raw = archive_entry_hardlink(m->e), *tbase;
        char target[PATH_MAX], q1[512], q2[512];
        _cleanup_close_ int tpfd = -1;
        struct stat tst, st;
        int r = tree_sanitize(raw, target);

        if (r <= 0)
                return log_error("%s: hard link '%s' points to '%s', which cannot be in the image",
                                 x->o->image, quoted(m->raw, q1, sizeof q1),
                                 quoted(raw, q2, sizeof q2));
        tpfd = tree_open_parent(x->rootfd, target, false, &tbase);
        if (tpfd < 0 || fstatat(tpfd, tbase, &tst, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(tst.st_mode))
                return log_error("%s: hard link '%s' points to '%s', which is not a file in the "
                                 "image (yet)",
                                 x->o->image, quoted(m->raw, q1, sizeof q1),
                                 quoted(raw, q2, sizeof q2));
        if (linkat(tpfd, tbase, pfd, base, 0) == 0)
                return 0;
        if (errno != EEXIST)
                return fail_errno(x, m, -errno, "create hard link");
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == tst.st_dev &&
            st.st_ino == tst.st_ino)
                return 0; /* already that file (a link to itself, or through a symlink) */
        r = clear_way(x, m, pfd, base);
        if (r < 0)
                return r;
        if (linkat(tpfd, tbase, pfd, base, 0) < 0)
                return fail_errno(x, m, -errno, "create hard link");
        return 0;
}

/* The root entry ("./") only carries the root directory's attributes. */
static int root_entry(struct extractor *x, const struct member *m)
{
        struct stat st;
        char q[512];

        if (archive_entry_filetype(m->e) != AE_IFDIR || archive_entry_hardlink(m->e))
                return log_error("%s: entry '%s' names the image root but is not a directory",
                                 x->o->image, quoted(m->raw, q, sizeof q));
        if (fstat(x->rootfd, &st) < 0)
                return fail_errno(x, m, -errno, "stat");
        return add_dir_fixup(x, m, &st);
}

/* Where the file system refuses a 0/0 device (an overlayfs: a cache inside a container), the
 * whiteout stays an empty '.wh.NAME' file, the form fuse-overlayfs also reads (kernel overlayfs
 * does not: the layer is then marked as needing fuse-overlayfs). */
static int make_whiteout_file(struct extractor *x, const struct member *m, int pfd,
                              const char *name)
{
        char wh[NAME_MAX + 1];
        int fd;

        snprintf(wh, sizeof wh, ".wh.%s", name);
        fd = openat(pfd, wh, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
                return fail_errno(x, m, -errno, "create the whiteout for");
        if (fd >= 0)
                close(fd);
        x->stats.whiteouts++;
        x->stats.whiteout_files++;
        return 0;
}

/* '.wh.NAME' in a layer: NAME is deleted from the layers below, which overlayfs reads from a 0/0
 * character device (any user may make one: Linux 5.8). A NAME this layer already has stays: a
 * whiteout only hides what is below it. */
static int make_whiteout(struct extractor *x, const struct member *m, int pfd, const char *name)
{
        char q[512];
        struct stat st;

        if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
                return log_error("%s: whiteout '%s' names no file; refusing the layer", x->o->image,
                                 quoted(m->raw, q, sizeof q));
        if (strlen(name) + 4 > NAME_MAX)
                return fail_errno(x, m, -ENAMETOOLONG, "create the whiteout for");
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (!x->stats.whiteout_files && mknodat(pfd, name, S_IFCHR | 0600, makedev(0, 0)) == 0) {
                x->stats.whiteouts++;
                return 0;
        }
        if (x->stats.whiteout_files || errno == EPERM)
                return make_whiteout_file(x, m, pfd, name);
        return fail_errno(x, m, -errno, "create the whiteout for");
}

/* '.wh..wh..opq': the directory holding it hides everything below it in lower layers. */
static int make_opaque(struct extractor *x, const struct member *m, int pfd)
{
        if (fsetxattr(pfd, EXTRACT_OPAQUE_XATTR, "y", 1, 0) == 0) {
                x->stats.whiteouts++;
                return 0;
        }
        /* A file system without user xattrs: the aufs marker, for fuse-overlayfs. */
        if (errno == ENOTSUP || errno == EPERM)
                return make_whiteout_file(x, m, pfd, ".wh..opq");
        return fail_errno(x, m, -errno, "mark as opaque the directory of");
}

/* 1 when the entry was a whiteout (done), 0 when it is an ordinary entry, or -errno. */
static int layer_special(struct extractor *x, const struct member *m)
{
        const char *slash = strrchr(m->path, '/'), *base = slash ? slash + 1 : m->path;
        _cleanup_close_ int ppath = -1, pfd = -1;
        int r;

        /* '.wh..wh.' names but the opaque marker are aufs bookkeeping (.wh..wh.plnk/,
         * .wh..wh.aufs): skipped with all they hold, as docker does. */
        for (const char *p = strstr(m->path, ".wh..wh."); p; p = strstr(p + 1, ".wh..wh."))
                if ((p == m->path || p[-1] == '/') && strcmp(p, ".wh..wh..opq") != 0)
                        return 1;
        if (strncmp(base, ".wh.", 4) != 0)
                return 0;
        base += 4;
        ppath = open_parent(x, m, &slash);
        if (ppath < 0)
                return ppath;
        /* tree_open_parent gives O_PATH; mknodat works on it, fsetxattr needs a real fd. */
        pfd = openat(ppath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return fail_errno(x, m, -errno, "open the directory of");
        r = !strcmp(base, ".wh..opq") ? make_opaque(x, m, pfd) : make_whiteout(x, m, pfd, base);
        return r < 0 ? r : 1;
}

static int extract_entry(struct extractor *x, struct archive_entry *e)
{
        _cleanup_close_ int pfd = -1;
        struct member m;
        const char *base;
        unsigned type = archive_entry_filetype(e);
        char q[512];
        int r;

        r = member_init(x, e, &m);
        if (r < 0)
                return r;
        if (!m.path[0])
                return root_entry(x, &m);
        if (x->o->layer) {
                r = layer_special(x, &m);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        if (!archive_entry_hardlink(e) &&
            (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK)) {
                x->stats.devices_skipped++; /* a sandbox gets /dev from the host */
                return 0;
        }
        pfd = open_parent(x, &m, &base);
        if (pfd < 0)
                return pfd;
        if (x->stats.whiteout_files) {
                /* NAME of this layer supersedes its '.wh.NAME' (fuse-overlayfs would hide it). */
                char wh[NAME_MAX + 1];
                if ((size_t)snprintf(wh, sizeof wh, ".wh.%s", base) < sizeof wh)
                        (void)unlinkat(pfd, wh, 0);
        }
        if (archive_entry_hardlink(e))
                return make_hardlink(x, &m, pfd, base);
        switch (type) {
        case AE_IFREG:
                return make_file(x, &m, pfd, base);
        case AE_IFDIR:
                return make_dir(x, &m, pfd, base);
        case AE_IFLNK:
                return make_symlink(x, &m, pfd, base);
        case AE_IFIFO:
                return make_fifo(x, &m, pfd, base);
        default:
                return log_error("%s: entry '%s' has an unknown type (0%o)", x->o->image,
                                 quoted(m.raw, q, sizeof q), type);
        }
}

/* Deepest first, so no mode set yet can block reaching the rest; among equals, archive order, so
 * the last entry for a directory wins. */
static int fixup_cmp(const void *a, const void *b)
{
        const struct dir_fixup *x = a, *y = b;

        if (x->depth != y->depth)
                return x->depth < y->depth ? 1 : -1;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int apply_dir_fixups(struct extractor *x)
{
        qsort(x->dirs, x->n_dirs, sizeof *x->dirs, fixup_cmp);
        for (size_t i = 0; i < x->n_dirs; i++) {
                struct dir_fixup *d = &x->dirs[i];
                _cleanup_close_ int fd =
                    tree_open_in_root(x->rootfd, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                struct stat st;
                char q[512];
                int r;

                /* Gone, or replaced by a later entry: that one's attributes are what counts. */
                if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
                        continue;
                if (fd < 0 || fstat(fd, &st) < 0)
                        r = fd < 0 ? fd : -errno;
                else if (st.st_dev != d->dev || st.st_ino != d->ino)
                        continue;
                else
                        r = apply_attrs_fd(x, fd, d->uid, d->gid, d->mode, d->times);
                if (r == -ENOSPC || r == -EDQUOT)
                        return -ENOSPC;
                if (r < 0)
                        return log_errno(r, "%s: cannot set owner, mode and times of '%s'",
                                         x->o->image, quoted(d->path, q, sizeof q));
        }
        return 0;
}

int extract_archive(struct archive *a, int rootfd, const struct extract_opts *o,
                    struct extract_stats *ret_stats)
{
        struct extractor x = {.a = a, .rootfd = rootfd, .o = o};
        uint64_t max = o->max_entries ? o->max_entries : EXTRACT_MAX_ENTRIES;
        struct archive_entry *e;
        int r;

        for (;;) {
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                        r = fail_archive(&x);
                        goto out;
                }
                if (x.stats.entries++ >= max) {
                        r = log_error("%s: more than %llu entries; refusing the image (an "
                                      "inode-exhaustion bomb?)",
                                      o->image, (unsigned long long)max);
                        goto out;
                }
                /* xattrs, ACLs and file flags are deliberately not restored: nothing in a
                 * sandbox needs them, and each is more attack surface. */
                r = extract_entry(&x, e);
                if (r < 0)
                        goto out;
        }
        if (x.stats.entries == 0 && !o->layer)
                r = log_error("%s: the archive has no entries; not an image", o->image);
        else
                r = apply_dir_fixups(&x);
out:
        for (size_t i = 0; i < x.n_dirs; i++)
                free(x.dirs[i].path);
        free(x.dirs);
        if (ret_stats)
                *ret_stats = x.stats;
        return r;
}
