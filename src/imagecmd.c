/* `sandbox image ls|rm|prune`: what the image cache holds, and removing what no sandbox uses.
 * Runs on the host as the invoking user; removal runs as root of a user namespace with the
 * user's id map, since unpacked files belong to the subordinate ids. */
#include "imagecmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "sys.h"
#include "userns.h"
#include "util.h"

/* An index file a killed unpacker left (.KEY.tmp.PID) is older than this. */
#define STALE_TMP_SECONDS 60

struct entry {
        char *key;
        char *source, *ref;
        char **layers; /* layer names (under layers/), lowest first; NULL for a rootfs */
        uint64_t bytes;
        bool bytes_known;
        time_t last_use;
        bool in_use;
};

struct state {
        struct cache cache;
        struct entry *e;
        size_t n;
        int removed_images, removed_layers, failed;
        uint64_t freed;
};

static const char usage[] =
    "usage: sandbox image ls\n"
    "       sandbox image rm IMAGE...   (an ID from `ls`, or at least 4 of its first digits; or "
    "the path an image came from)\n"
    "       sandbox image prune [--days N]   (every image no sandbox runs; with --days, only "
    "those unused for N days)";

/* "key=value" lines: the value of key, allocated, or NULL. */
static char *meta_get(const char *text, const char *key)
{
        size_t n = strlen(key);

        for (const char *l = text; l && *l;) {
                const char *end = strchrnul(l, '\n');
                if (!strncmp(l, key, n) && l[n] == '=')
                        return strndup(l + n + 1, (size_t)(end - l - n - 1));
                l = *end ? end + 1 : end;
        }
        return NULL;
}

static bool meta_u64(const char *text, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *v = meta_get(text, key);
        return v && parse_u64(v, ret) == 0;
}

static bool layer_bytes(int cache_fd, const char *name, uint64_t *ret)
{
        _cleanup_free_ char *path = xasprintf("layers/%s/meta", name), *text = NULL;
        return read_file_at(cache_fd, path, 1 << 16, &text, NULL) == 0 &&
               meta_u64(text, "bytes", ret);
}

static void entry_free(struct entry *e)
{
        free(e->key);
        free(e->source);
        free(e->ref);
        strv_free(e->layers);
}

static void state_free(struct state *s)
{
        for (size_t i = 0; i < s->n; i++)
                entry_free(&s->e[i]);
        free(s->e);
        s->e = NULL;
        s->n = 0;
}

/* Whether a sandbox holds the image (a shared flock: see image.c). */
static bool in_use(int fd)
{
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        (void)flock(fd, LOCK_UN);
        return false;
}

static void load_entry(struct state *s, int images, const char *key)
{
        _cleanup_close_ int fd =
            openat(images, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *meta = NULL, *list = NULL;
        struct entry e = {0};
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return;
        e.key = xstrdup(key);
        e.last_use = st.st_mtime;
        e.in_use = in_use(fd);
        (void)read_file_at(fd, "meta", 1 << 16, &meta, NULL);
        e.source = meta ? meta_get(meta, "source") : NULL;
        e.ref = meta ? meta_get(meta, "ref") : NULL;
        if (read_file_at(fd, "layers", 1 << 16, &list, NULL) == 0) {
                e.bytes_known = true;
                for (char *sv = NULL, *l = strtok_r(list, "\n", &sv); l;
                     l = strtok_r(NULL, "\n", &sv)) {
                        const char *name = startswith(l, "layers/");
                        uint64_t b = 0;
                        if (!name || !filename_safe(name))
                                continue;
                        strv_push_dup(&e.layers, name);
                        if (layer_bytes(s->cache.fd, name, &b))
                                e.bytes += b;
                        else
                                e.bytes_known = false;
                }
        } else {
                e.bytes_known = meta && meta_u64(meta, "bytes", &e.bytes);
        }
        s->e = realloc(s->e, (s->n + 1) * sizeof *s->e);
        if (!s->e)
                abort();
        s->e[s->n++] = e;
}

static int cmp_entry(const void *a, const void *b)
{
        const struct entry *x = a, *y = b;
        return x->last_use > y->last_use ? -1 : x->last_use < y->last_use;
}

static int load(struct state *s)
{
        _cleanup_close_ int images =
            openat(s->cache.fd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        state_free(s);
        if (images < 0)
                return log_errno(-errno, "opening %s/images", s->cache.path);
        d = fdopendir(fcntl(images, F_DUPFD_CLOEXEC, 3));
        if (!d)
                return log_errno(-errno, "listing %s/images", s->cache.path);
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.' && filename_safe(de->d_name))
                        load_entry(s, images, de->d_name);
        closedir(d);
        qsort(s->e, s->n, sizeof *s->e, cmp_entry);
        return 0;
}

/* How many images list the layer. */
static size_t layer_users(const struct state *s, const char *name)
{
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++)
                for (size_t k = 0; s->e[i].layers && s->e[i].layers[k]; k++)
                        if (streq(s->e[i].layers[k], name)) {
                                n++;
                                break;
                        }
        return n;
}

static const char *human(uint64_t b, char *buf, size_t size)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)b;
        size_t u = 0;

        while (v >= 1000 && u + 1 < ARRAY_SIZE(units)) {
                v /= 1000;
                u++;
        }
        snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
        return buf;
}

static const char *ago(time_t t, char *buf, size_t size)
{
        long long d = (long long)(time(NULL) - t);

        if (d < 120)
                snprintf(buf, size, "just now");
        else if (d < 7200)
                snprintf(buf, size, "%lld minutes ago", d / 60);
        else if (d < 2 * 86400)
                snprintf(buf, size, "%lld hours ago", d / 3600);
        else
                snprintf(buf, size, "%lld days ago", d / 86400);
        return buf;
}

static int cmd_ls(struct state *s)
{
        char b1[32], b2[32], b3[32], b4[32];
        uint64_t total = 0;
        size_t layers = 0, shared = 0;
        DIR *d;

        printf("%-12s  %9s  %9s  %6s  %-15s  %-6s  %s\n", "ID", "SIZE", "SHARED", "LAYERS",
               "LAST USE", "IN USE", "SOURCE");
        for (size_t i = 0; i < s->n; i++) {
                const struct entry *e = &s->e[i];
                uint64_t sh = 0, b;
                for (size_t k = 0; e->layers && e->layers[k]; k++)
                        if (layer_users(s, e->layers[k]) > 1 &&
                            layer_bytes(s->cache.fd, e->layers[k], &b))
                                sh += b;
                printf("%-12.12s  %9s  %9s  %6zu  %-15s  %-6s  %s%s%s%s\n", e->key,
                       e->bytes_known ? human(e->bytes, b1, sizeof b1) : "?",
                       e->layers ? human(sh, b2, sizeof b2) : "-",
                       e->layers ? strv_length(e->layers) : 1, ago(e->last_use, b3, sizeof b3),
                       e->in_use ? "yes" : "no", e->source ? e->source : "?", e->ref ? " (" : "",
                       e->ref ? e->ref : "", e->ref ? ")" : "");
        }
        d = fdopendir(openat(s->cache.fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        for (struct dirent *de; d && (de = readdir(d));) {
                uint64_t b = 0;
                if (de->d_name[0] == '.')
                        continue;
                layers++;
                shared += layer_users(s, de->d_name) > 1;
                if (layer_bytes(s->cache.fd, de->d_name, &b))
                        total += b;
        }
        if (d)
                closedir(d);
        for (size_t i = 0; i < s->n; i++)
                if (!s->e[i].layers)
                        total += s->e[i].bytes;
        printf("%zu image%s, %zu layer%s (%zu shared by several images), %s unpacked in %s\n", s->n,
               s->n == 1 ? "" : "s", layers, layers == 1 ? "" : "s", shared,
               human(total, b4, sizeof b4), s->cache.path);
        return 0;
}

/* Renames dir/name into tmp/ (gone from view at once, even if the removal below stops half-way:
 * the next unpacker sweeps tmp/) and removes it. The caller holds its lock. */
static int remove_dir(struct state *s, const char *dir, const char *name)
{
        char tmp[64], rnd[17], from[PATH_MAX];
        int r;

        if (random_hex16(rnd) < 0)
                return -EIO;
        snprintf(tmp, sizeof tmp, "tmp/removing.%s", rnd);
        snprintf(from, sizeof from, "%s/%s", dir, name);
        if (renameat(s->cache.fd, from, s->cache.fd, tmp) < 0)
                return -errno;
        r = rm_rf_at(s->cache.fd, tmp);
        return r;
}

static bool image_exists(const struct state *s, const char *key)
{
        _cleanup_free_ char *p = filename_safe(key) ? xasprintf("images/%s", key) : NULL;
        struct stat st;

        return p && fstatat(s->cache.fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Index entries naming key, or (key NULL) naming nothing that exists; and what killed
 * unpackers left: unlocked *.lock files, old .*.tmp.* links. */
static void sweep_index(struct state *s, const char *key)
{
        _cleanup_close_ int index =
            openat(s->cache.fd, "index", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = index < 0 ? NULL : fdopendir(fcntl(index, F_DUPFD_CLOEXEC, 3));
        char target[256];
        struct stat st;

        for (struct dirent *de; d && (de = readdir(d));) {
                const char *n = de->d_name;
                ssize_t len;
                if (streq(n, ".") || streq(n, ".."))
                        continue;
                if (n[0] == '.' && strstr(n, ".tmp.")) {
                        if (!key && fstatat(index, n, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            st.st_mtime + STALE_TMP_SECONDS < time(NULL))
                                (void)unlinkat(index, n, 0);
                        continue;
                }
                if (strlen(n) > 5 && streq(n + strlen(n) - 5, ".lock")) {
                        _cleanup_close_ int fd =
                            openat(index, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        /* Unlocked: no unpacker runs for it. One that opens it right now
                         * unpacks anyway, and publishing is safe against a twin. */
                        if (!key && fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
                                (void)unlinkat(index, n, 0);
                        continue;
                }
                len = readlinkat(index, n, target, sizeof target - 1);
                if (len < 0)
                        continue;
                target[len] = 0;
                if (key ? streq(target, key) : !image_exists(s, target))
                        (void)unlinkat(index, n, 0);
        }
        if (d)
                closedir(d);
}

static void remove_image(struct state *s, struct entry *e)
{
        _cleanup_free_ char *path = xasprintf("images/%s", e->key);
        _cleanup_close_ int fd =
            openat(s->cache.fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r;

        if (fd < 0)
                return;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                log_error("image %.12s (%s) is in use by a running sandbox; it stays", e->key,
                          e->source ? e->source : "?");
                s->failed++;
                return;
        }
        /* Not in the index any more first, so that no launch finds it half-removed. */
        sweep_index(s, e->key);
        r = remove_dir(s, "images", e->key);
        if (r < 0) {
                log_errno(r,
                          "removing image %.12s (files owned by ids outside your current "
                          "range stay; see /etc/subuid)",
                          e->key);
                s->failed++;
                return;
        }
        if (!e->layers)
                s->freed += e->bytes;
        s->removed_images++;
        free(e->key);
        e->key = NULL; /* gone: its layers no longer count as used */
        strv_free(e->layers);
        e->layers = NULL;
}

/* Layers no image lists. Each is locked first (an unpacker holds the layers it is about to
 * list), then checked against the images again. */
static void collect_layers(struct state *s)
{
        _cleanup_close_ int layers =
            openat(s->cache.fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = layers < 0 ? NULL : fdopendir(fcntl(layers, F_DUPFD_CLOEXEC, 3));

        for (struct dirent *de; d && (de = readdir(d));) {
                _cleanup_close_ int fd = -1;
                uint64_t b = 0;
                if (de->d_name[0] == '.' || layer_users(s, de->d_name) > 0)
                        continue;
                fd = openat(layers, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                if (load(s) < 0 || layer_users(s, de->d_name) > 0)
                        continue;
                (void)layer_bytes(s->cache.fd, de->d_name, &b);
                if (remove_dir(s, "layers", de->d_name) == 0) {
                        s->removed_layers++;
                        s->freed += b;
                }
        }
        if (d)
                closedir(d);
}

/* Stale unpacks and run directories: whatever no live process locks. */
static void sweep_tmp(struct state *s)
{
        _cleanup_close_ int tmp = openat(s->cache.fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = tmp < 0 ? NULL : fdopendir(fcntl(tmp, F_DUPFD_CLOEXEC, 3));

        for (struct dirent *de; d && (de = readdir(d));) {
                _cleanup_close_ int fd = -1;
                if (de->d_name[0] == '.')
                        continue;
                fd = openat(tmp, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
                        (void)rm_rf_at(tmp, de->d_name);
        }
        if (d)
                closedir(d);
        (void)rundir_sweep(s->cache.fd, NULL);
}

/* Marks the images `what` names: the one whose ID starts with it (4 or more hex digits), or
 * every image that came from that path. Returns how many. */
static int mark(struct state *s, const char *what, bool *marked)
{
        char abs[PATH_MAX];
        size_t n = strlen(what);
        int hits = 0;

        if (n >= 4 && strspn(what, "0123456789abcdef") == n) {
                for (size_t i = 0; i < s->n; i++)
                        hits += !strncmp(s->e[i].key, what, n);
                if (hits > 1)
                        return log_error("'%s' matches %d images; give more digits", what, hits);
                for (size_t i = 0; hits && i < s->n; i++)
                        marked[i] |= !strncmp(s->e[i].key, what, n);
                if (hits)
                        return hits;
        }
        if (realpath(what, abs))
                for (size_t i = 0; i < s->n; i++)
                        if (s->e[i].source && streq(s->e[i].source, abs)) {
                                marked[i] = true;
                                hits++;
                        }
        return hits ? hits : log_error("no cached image is '%s' (see sandbox image ls)", what);
}

static void report(const struct state *s)
{
        char b[32];

        printf("removed %d image%s and %d layer%s, %s freed\n", s->removed_images,
               s->removed_images == 1 ? "" : "s", s->removed_layers,
               s->removed_layers == 1 ? "" : "s", human(s->freed, b, sizeof b));
}

static int do_rm(struct state *s, void *arg)
{
        char **what = arg;
        _cleanup_free_ bool *marked = xcalloc(s->n + 1, sizeof *marked);

        for (size_t i = 0; what[i]; i++)
                if (mark(s, what[i], marked) < 0)
                        s->failed++;
        for (size_t i = 0; i < s->n; i++)
                if (marked[i])
                        remove_image(s, &s->e[i]);
        collect_layers(s);
        report(s);
        return s->failed ? EXIT_LAUNCHER : 0;
}

static int do_prune(struct state *s, void *arg)
{
        long long days = *(long long *)arg;
        time_t cutoff = time(NULL) - (time_t)(days > 0 ? days : 0) * 86400;

        for (size_t i = 0; i < s->n; i++)
                if (!s->e[i].in_use && (days < 0 || s->e[i].last_use < cutoff))
                        remove_image(s, &s->e[i]);
        collect_layers(s);
        sweep_index(s, NULL);
        sweep_tmp(s);
        report(s);
        return s->failed ? EXIT_LAUNCHER : 0;
}

/* Runs fn as root of a new user namespace with the user's id map (newuidmap), where the
 * subordinate ids that own unpacked files are ours to remove. Returns fn's result. */
static int in_userns(struct state *s, int (*fn)(struct state *, void *), void *arg)
{
        struct userns_plan plan;
        int go[2], r, status;
        pid_t pid;
        char c;

        if (userns_plan_build(&plan) < 0)
                return -EINVAL;
        if (pipe2(go, O_CLOEXEC) < 0) {
                userns_plan_free(&plan);
                return log_errno(-errno, "pipe");
        }
        fflush(NULL);
        pid = clone_namespaces(CLONE_NEWUSER, -1);
        if (pid == 0) {
                close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(EXIT_LAUNCHER);
                r = fn(s, arg);
                fflush(NULL);
                _exit(r < 0 ? EXIT_LAUNCHER : r);
        }
        close(go[0]);
        if (pid < 0) {
                close(go[1]);
                userns_plan_free(&plan);
                return log_errno(-errno, "creating a user namespace");
        }
        r = userns_write_maps(&plan, pid);
        if (r >= 0 && write(go[1], "x", 1) != 1)
                r = -EPIPE;
        close(go[1]);
        status = wait_exit_status(pid);
        userns_plan_free(&plan);
        return r < 0 ? r : status;
}

int imagecmd_main(const struct cli *cli)
{
        struct state s = {.cache.fd = -1};
        char **a = cli->args;
        long long days = -1;
        uint64_t n;
        int r;

        if (!a || !a[0] || (!streq(a[0], "ls") && !streq(a[0], "rm") && !streq(a[0], "prune")) ||
            (streq(a[0], "ls") && a[1]) || (streq(a[0], "rm") && !a[1])) {
                log_error("%s", usage);
                return EXIT_LAUNCHER;
        }
        if (streq(a[0], "prune") && a[1]) {
                if (!streq(a[1], "--days") || !a[2] || a[3] || parse_u64(a[2], &n) < 0 ||
                    n > 100000) {
                        log_error("%s", usage);
                        return EXIT_LAUNCHER;
                }
                days = (long long)n;
        }
        r = cache_open(&s.cache);
        if (r >= 0)
                r = load(&s);
        if (r >= 0 && streq(a[0], "ls"))
                r = cmd_ls(&s);
        else if (r >= 0)
                r = in_userns(&s, streq(a[0], "rm") ? do_rm : do_prune,
                              streq(a[0], "rm") ? (void *)(a + 1) : (void *)&days);
        state_free(&s);
        cache_close(&s.cache);
        return r < 0 ? EXIT_LAUNCHER : r;
}
