/* A layered image (an OCI image layout, or what docker save / podman save write), from a
 * directory or an archive, into the cache: each layer it lacks unpacked once into layers/, then
 * the image itself (its layer list and config) published under images/. Runs in the unpacker
 * (root in the sandbox's user namespace, confined). */
#include "layered.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "layer.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "tree.h"

/* What the first pass of an archive may keep in memory: its JSON files, nothing else; and how
 * many members it may list (a layout has a handful per image). */
#define KEEP_MAX    (64U << 20)
#define MEMBERS_MAX 100000
#define READ_BUF    (256 * 1024)

/* The layers of one image and what became of them. */
struct job {
        const struct imgcache *c;
        const struct layered_args *a;
        struct layout_plan plan;
        char (*names)[IMGCACHE_KEY_MAX]; /* layers/NAME of each layer */
        int *held;                       /* a shared flock on each layer, once it is there */
};

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

static void job_done(struct job *j)
{
        for (size_t i = 0; j->held && i < j->plan.n_layers; i++)
                closep(&j->held[i]);
        free(j->held);
        free(j->names);
        layout_plan_free(&j->plan);
}

/* Names each layer and holds those already cached; returns how many are missing. */
static int job_start(struct job *j, const struct layout_src *s)
{
        size_t missing = 0;
        int r = layout_plan_build(s, j->a->image, j->a->ref, &j->plan);

        if (r < 0)
                return r;
        j->names = calloc(j->plan.n_layers + 1, sizeof *j->names);
        j->held = malloc((j->plan.n_layers + 1) * sizeof *j->held);
        if (!j->names || !j->held)
                return log_errno(-ENOMEM, "%s", j->a->image);
        for (size_t i = 0; i < j->plan.n_layers; i++) {
                layer_name(&j->plan.layers[i], j->a->map_fp, j->names[i], sizeof j->names[i]);
                j->held[i] = imgcache_hold_layer(j->c, j->names[i]);
                if (j->held[i] == -ENOENT)
                        missing++;
                else if (j->held[i] < 0)
                        return j->held[i];
        }
        return (int)missing;
}

/* Marks every layer named like layer i as there (the same layer may repeat in an image). */
static int job_got(struct job *j, size_t i)
{
        for (size_t k = 0; k < j->plan.n_layers; k++) {
                if (j->held[k] >= 0 || strcmp(j->names[k], j->names[i]) != 0)
                        continue;
                j->held[k] = imgcache_hold_layer(j->c, j->names[k]);
                if (j->held[k] < 0)
                        return log_error("%s: layer %s vanished from the cache as it was made; "
                                         "run again",
                                         j->a->image, j->names[k]);
        }
        return 0;
}

/* images/KEY: the list of its layers, its config, its meta; then the caller indexes it. */
static int job_publish(struct job *j, uint64_t size, char ret_key[IMGCACHE_KEY_MAX])
{
        _cleanup_(imgcache_tmp_discard) struct imgcache_tmp t = IMGCACHE_TMP_NULL;
        _cleanup_free_ char *list = malloc(j->plan.n_layers * (IMGCACHE_KEY_MAX + 8) + 32);
        _cleanup_free_ char *config = NULL;
        char meta[PATH_MAX * 4 + 512], q[PATH_MAX * 4], qn[512];
        size_t o = 0;
        int r;

        if (!list)
                return log_errno(-ENOMEM, "%s", j->a->image);
        list[0] = 0;
        for (size_t i = 0; i < j->plan.n_layers; i++)
                o += (size_t)sprintf(list + o, "layers/%s\n", j->names[i]);
        /* A layer whose whiteouts are .wh. files (a cache on an overlayfs) is for
         * fuse-overlayfs only: the launcher must know before it mounts. */
        for (size_t i = 0; i < j->plan.n_layers; i++) {
                char path[IMGCACHE_KEY_MAX + 8], m[1024] = "";
                _cleanup_close_ int fd = -1;
                ssize_t n;
                snprintf(path, sizeof path, "%s/meta", j->names[i]);
                fd = openat(j->c->layers, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                n = fd < 0 ? -1 : read(fd, m, sizeof m - 1);
                if (n > 0 && (m[n] = 0, strstr(m, "\nwhiteouts=files\n"))) {
                        sprintf(list + o, "needs fuse-overlayfs\n");
                        break;
                }
        }
        r = layout_config_text(&j->plan, j->a->image, &config);
        if (r < 0)
                return r;
        snprintf(
            meta, sizeof meta,
            "source=%s\nref=%s\nformat=%s\nkind=layers\nlayers=%zu\nsize=%llu\nunpacked=%lld\n",
            tree_quote(j->a->image, q, sizeof q), tree_quote(j->plan.name, qn, sizeof qn),
            j->plan.format, j->plan.n_layers, (unsigned long long)size, (long long)time(NULL));
        snprintf(ret_key, IMGCACHE_KEY_MAX, "%s-%s", j->plan.config_hex, j->a->map_fp);
        r = imgcache_tmp_create(j->c, &t);
        if (r >= 0)
                r = imgcache_tmp_write(&t, "layers", list);
        if (r >= 0)
                r = imgcache_tmp_write(&t, "config", config);
        if (r >= 0)
                r = imgcache_tmp_write(&t, "meta", meta);
        if (r >= 0)
                r = imgcache_publish(j->c, &t, ret_key);
        return r;
}

/* --- from a directory ---------------------------------------------------------------------- */

struct fd_in {
        int fd;
        unsigned char buf[READ_BUF];
};

static ssize_t fd_read(void *ctx, const void **buf)
{
        struct fd_in *f = ctx;
        ssize_t n;

        do
                n = read(f->fd, f->buf, sizeof f->buf);
        while (n < 0 && errno == EINTR);
        *buf = f->buf;
        return n < 0 ? -errno : n;
}

int layered_from_dir(const struct imgcache *c, int dirfd, const struct layered_args *a,
                     char ret_key[IMGCACHE_KEY_MAX])
{
        struct layout_src s = {.dirfd = dirfd};
        _cleanup_free_ struct fd_in *in = malloc(sizeof *in);
        struct job j = {.c = c, .a = a};
        uint64_t total = 0;
        int r = in ? job_start(&j, &s) : -ENOMEM;

        for (size_t i = 0; r > 0 && i < j.plan.n_layers; i++) {
                struct stat st;
                int fd = tree_open_in_root(dirfd, j.plan.layers[i].path, O_RDONLY | O_NOCTTY);
                if (fd >= 0 && fstat(fd, &st) == 0 && j.held[i] < 0)
                        total += (uint64_t)st.st_size;
                if (fd >= 0)
                        close(fd);
        }
        if (r > 0)
                progress_begin(a->pr, a->image, total);
        for (size_t i = 0; r >= 0 && i < j.plan.n_layers; i++) {
                struct blob_in bi = {fd_read, in};
                if (j.held[i] >= 0)
                        continue;
                in->fd = tree_open_in_root(dirfd, j.plan.layers[i].path, O_RDONLY | O_NOCTTY);
                if (in->fd < 0) {
                        r = log_errno(in->fd, "%s: cannot open layer %s", a->image,
                                      j.plan.layers[i].path);
                        break;
                }
                r = layer_unpack(c, &j.plan.layers[i], &bi, a->o, a->map_fp, a->pr);
                close(in->fd);
                if (r >= 0)
                        r = job_got(&j, i);
        }
        progress_end(a->pr);
        if (r >= 0)
                r = job_publish(&j, total, ret_key);
        job_done(&j);
        return r == -ENOMEM ? log_errno(r, "%s", a->image) : r;
}

/* --- from an archive ----------------------------------------------------------------------- */

/* A link target inside the archive, resolved against the member's directory without leaving the
 * archive's root. */
static int join_link(const char *member, const char *target, char out[PATH_MAX])
{
        char buf[PATH_MAX * 2];
        const char *slash = strrchr(member, '/');
        size_t o = 0;

        if (target[0] == '/' || !slash)
                snprintf(buf, sizeof buf, "%s", target);
        else
                snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - member), member, target);
        out[0] = 0;
        for (char *save = NULL, *p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
                if (!strcmp(p, "."))
                        continue;
                if (!strcmp(p, "..")) {
                        char *up = strrchr(out, '/');
                        if (!o)
                                return -EINVAL;
                        o = up ? (size_t)(up - out) : 0;
                        out[o] = 0;
                        continue;
                }
                if (o + strlen(p) + 2 >= PATH_MAX)
                        return -ENAMETOOLONG;
                o += (size_t)sprintf(out + o, "%s%s", o ? "/" : "", p);
        }
        return o ? 0 : -EINVAL;
}

static int open_archive(int fd, const char *image, struct archive **ret)
{
        struct archive *a = archive_read_new();
        int r;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return log_errno(-errno, "cannot read the image '%s'", image);
        if (!a)
                return log_errno(-ENOMEM, "%s", image);
        *ret = a;
        r = extract_support(a);
        if (r < 0)
                return r;
        if (archive_read_open_fd(a, fd, READ_BUF) != ARCHIVE_OK)
                return extract_open_failed(a, image);
        return 0;
}

/* A member worth keeping: a small file whose first byte opens a JSON object or array. */
static int keep_member(struct archive *a, struct layout_src *s, const char *name, int64_t size,
                       const char *image)
{
        char *buf;
        la_ssize_t n;

        if (size <= 0 || size > LAYOUT_JSON_MAX)
                return layout_src_add(s, name, NULL, size, NULL, 0);
        if (s->data_bytes + (size_t)size > KEEP_MAX)
                return log_error("%s: more than %u MB of metadata; not an image archive", image,
                                 KEEP_MAX >> 20);
        buf = malloc((size_t)size + 1);
        if (!buf)
                return -ENOMEM;
        n = archive_read_data(a, buf, (size_t)size);
        if (n != size) {
                free(buf);
                return log_error("%s: corrupt or truncated archive (%s); fetch the image again",
                                 image, archive_error_string(a) ?: "short member");
        }
        if (buf[0] != '{' && buf[0] != '[') {
                free(buf);
                return layout_src_add(s, name, NULL, size, NULL, 0);
        }
        return layout_src_add(s, name, NULL, size, buf, (size_t)size);
}

/* First pass: every member's name, its links, and the JSON files. */
static int index_archive(int fd, const char *image, struct layout_src *s)
{
        _cleanup_(archive_freep) struct archive *a = NULL;
        struct archive_entry *e;
        char name[PATH_MAX], target[PATH_MAX];
        int r = open_archive(fd, image, &a);

        while (r >= 0) {
                const char *link;
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return log_error("%s: corrupt or truncated archive (%s); fetch the image "
                                         "again",
                                         image, archive_error_string(a) ?: "?");
                r = 0;
                if (s->n_members >= MEMBERS_MAX)
                        return log_error("%s: more than %d members; not an image archive", image,
                                         MEMBERS_MAX);
                if (!archive_entry_pathname(e) ||
                    tree_sanitize(archive_entry_pathname(e), name) <= 0)
                        continue; /* the root, or a name no manifest can reach */
                if ((link = archive_entry_hardlink(e))) {
                        if (tree_sanitize(link, target) > 0)
                                r = layout_src_add(s, name, target, 0, NULL, 0);
                } else if (archive_entry_filetype(e) == AE_IFLNK) {
                        link = archive_entry_symlink(e);
                        if (link && join_link(name, link, target) == 0)
                                r = layout_src_add(s, name, target, 0, NULL, 0);
                } else if (archive_entry_filetype(e) == AE_IFREG) {
                        r = keep_member(a, s, name, archive_entry_size(e), image);
                }
                if (r == -ENOMEM)
                        return log_errno(r, "%s", image);
        }
        return r;
}

struct member_in {
        struct archive *a;
        int64_t next; /* offset expected next: a blob with holes is no blob */
};

static ssize_t member_read(void *ctx, const void **buf)
{
        struct member_in *m = ctx;
        size_t len;
        la_int64_t off;
        int r = archive_read_data_block(m->a, buf, &len, &off);

        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN || off != m->next)
                return -EIO;
        m->next += (int64_t)len;
        return (ssize_t)len;
}

/* Second pass: the members that are missing layers, unpacked as they stream by. */
static int unpack_members(struct job *j, int fd, int missing)
{
        _cleanup_(archive_freep) struct archive *a = NULL;
        struct archive_entry *e;
        char name[PATH_MAX];
        int r = open_archive(fd, j->a->image, &a);

        while (r >= 0 && missing > 0) {
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return log_error("%s: corrupt or truncated archive (%s); fetch the image "
                                         "again",
                                         j->a->image, archive_error_string(a) ?: "?");
                r = 0;
                if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
                    !archive_entry_pathname(e) ||
                    tree_sanitize(archive_entry_pathname(e), name) <= 0)
                        continue;
                for (size_t i = 0; r >= 0 && i < j->plan.n_layers; i++) {
                        struct member_in m = {a, 0};
                        struct blob_in bi = {member_read, &m};
                        if (j->held[i] >= 0 || strcmp(j->plan.layers[i].path, name) != 0)
                                continue;
                        r = layer_unpack(j->c, &j->plan.layers[i], &bi, j->a->o, j->a->map_fp,
                                         j->a->pr);
                        if (r >= 0)
                                r = job_got(j, i);
                        missing = 0;
                        for (size_t k = 0; k < j->plan.n_layers; k++)
                                missing += j->held[k] < 0;
                        break; /* the member's data is read: later layers cannot use it */
                }
        }
        for (size_t i = 0; r >= 0 && i < j->plan.n_layers; i++)
                if (j->held[i] < 0)
                        r = log_error("%s: layer %s is not in the archive; the image is "
                                      "incomplete",
                                      j->a->image, j->plan.layers[i].path);
        return r;
}

int layered_from_archive(const struct imgcache *c, int fd, const struct layered_args *a,
                         char ret_key[IMGCACHE_KEY_MAX])
{
        struct layout_src s = {.dirfd = -1};
        struct job j = {.c = c, .a = a};
        struct stat st;
        uint64_t total = 0;
        int r = index_archive(fd, a->image, &s);

        if (r >= 0)
                r = job_start(&j, &s);
        /* Layers are unpacked from the member a manifest names, wherever its links lead. */
        for (size_t i = 0; r >= 0 && i < j.plan.n_layers; i++) {
                const struct layout_member *m = layout_src_find(&s, j.plan.layers[i].path);
                if (!m)
                        r = log_error("%s: layer %s is not in the archive; the image is "
                                      "incomplete",
                                      a->image, j.plan.layers[i].path);
                else if (strcmp(m->name, j.plan.layers[i].path) != 0) {
                        char *p = strdup(m->name);
                        if (!p)
                                r = log_errno(-ENOMEM, "%s", a->image);
                        free(j.plan.layers[i].path);
                        j.plan.layers[i].path = p;
                }
                if (r >= 0 && m && j.held[i] < 0)
                        total += m->size > 0 ? (uint64_t)m->size : 0;
        }
        if (r > 0) {
                progress_begin(a->pr, a->image, total);
                r = unpack_members(&j, fd, r);
                progress_end(a->pr);
        }
        if (r >= 0)
                r = job_publish(&j, fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0, ret_key);
        job_done(&j);
        layout_src_free(&s);
        return r;
}
