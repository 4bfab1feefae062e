/* The image a sandbox runs: a directory used as it is, a rootfs tarball, or a layered image (an
 * OCI layout directory, an OCI or docker-save archive), unpacked once into the cache by the
 * sandbox-unpack helper. Classified and looked up on the host; unpacked, held and opened in the
 * child, as root of the user namespace, so that file owners land on the mapped ids. */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "macro.h"
#include "resolve.h"
#include "sys.h"
#include "util.h"

/* The layout of a directory: an OCI layout, or a docker save unpacked (manifest.json where a
 * root file system would have etc/). */
static bool dir_is_layout(int dfd, const char **ret_file)
{
        bool etc = faccessat(dfd, "etc", F_OK, AT_SYMLINK_NOFOLLOW) == 0;

        *ret_file = faccessat(dfd, "index.json", F_OK, 0) == 0 ? "index.json" : "manifest.json";
        if (faccessat(dfd, "oci-layout", F_OK, 0) == 0)
                return true;
        return !etc && faccessat(dfd, *ret_file, F_OK, 0) == 0;
}

/* IMAGE, IMAGE:REF or IMAGE@sha256:DIGEST. The whole argument is a path when it exists; else the
 * first prefix before a ':' that exists, so a name may hold ':' too (archive.tar:alpine:3.20). */
static int split_ref(const char *arg, char **ret_path, char **ret_ref)
{
        struct stat st;
        const char *at = strrchr(arg, '@');

        if (stat(arg, &st) == 0) {
                *ret_path = xstrdup(arg);
                return 0;
        }
        if (at && startswith(at + 1, "sha256:")) {
                _cleanup_free_ char *p = strndup(arg, (size_t)(at - arg));
                if (p && stat(p, &st) == 0) {
                        *ret_path = TAKE_PTR(p);
                        *ret_ref = xstrdup(at + 1);
                        return 0;
                }
        }
        for (const char *colon = strchr(arg, ':'); colon; colon = strchr(colon + 1, ':')) {
                _cleanup_free_ char *p = strndup(arg, (size_t)(colon - arg));
                if (p && colon[1] && stat(p, &st) == 0) {
                        *ret_path = TAKE_PTR(p);
                        *ret_ref = xstrdup(colon + 1);
                        return 0;
                }
        }
        return -ENOENT;
}

/* FNV-1a: the index name must change with the image picked; the content is checked anyway. */
static unsigned long long ref_hash(const char *s)
{
        unsigned long long h = 14695981039346656037ULL;

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

int image_open(const char *arg, const struct cache *c, const char *map_fp, struct image *ret)
{
        _cleanup_close_ int dfd = -1;
        char abs[PATH_MAX];
        const char *file = NULL;
        struct stat st;
        int r;

        memset(ret, 0, sizeof *ret);
        ret->hold_fd = -1;
        r = split_ref(arg, &ret->path, &ret->ref);
        if (r == -ENOENT && errno != ENOENT && errno != ENOTDIR)
                return log_errno(-errno, "cannot read image '%s'", arg);
        if (r < 0)
                return log_error("image '%s' not found (give a rootfs tarball, a directory, or a "
                                 "docker or OCI archive; ARCHIVE:NAME or ARCHIVE@sha256:DIGEST "
                                 "picks one of its images)",
                                 arg);
        if (!realpath(ret->path, abs) || stat(abs, &st) < 0)
                return log_errno(-errno, "cannot resolve image '%s'", ret->path);
        free(ret->path);
        ret->path = xstrdup(abs);
        if (S_ISDIR(st.st_mode)) {
                dfd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0 || access(abs, R_OK | X_OK) < 0)
                        return log_errno(-errno, "cannot read image directory '%s'", arg);
                if (!dir_is_layout(dfd, &file)) {
                        if (ret->ref)
                                return log_error("%s is a root file system directory, holding one "
                                                 "image: drop ':%s'",
                                                 ret->path, ret->ref);
                        ret->kind = IMAGE_DIRECTORY;
                        TRACE(0, "image", "%s: a directory, used as it is", abs);
                        return 0;
                }
                /* A layout changes its index.json (or manifest.json) whenever it changes. */
                if (fstatat(dfd, file, &st, 0) < 0)
                        return log_errno(-errno, "cannot read %s/%s", ret->path, file);
                ret->kind = IMAGE_LAYOUT;
        } else if (S_ISREG(st.st_mode)) {
                if (access(abs, R_OK) < 0)
                        return log_errno(-errno, "cannot read image '%s'", arg);
                ret->kind = IMAGE_ARCHIVE;
        } else {
                return log_error("image '%s' is neither a tarball nor a directory", arg);
        }
        cache_stat_key(&st, map_fp, ret->stat_key, sizeof ret->stat_key);
        if (ret->ref) {
                size_t n = strlen(ret->stat_key);
                snprintf(ret->stat_key + n, sizeof ret->stat_key - n, "-r%016llx",
                         ref_hash(ret->ref));
        }
        r = cache_lookup(c, ret->stat_key, &ret->key);
        if (r < 0)
                return log_errno(r, "reading the image cache index");
        TRACE(0, "image", "%s%s%s: %s", abs, ret->ref ? " " : "", ret->ref ? ret->ref : "",
              r > 0 ? "cache hit" : "not cached yet");
        return 0;
}

void image_close(struct image *img)
{
        free(img->path);
        free(img->ref);
        free(img->key);
        strv_free(img->lowers);
        imgconfig_free(&img->config);
        closep(&img->hold_fd);
        memset(img, 0, sizeof *img);
        img->hold_fd = -1;
}

/* Runs sandbox-unpack; takes the key out of its answer (images/KEY/rootfs|layers). */
static int run_unpacker(struct image *img, const struct cache *c, const char *map_fp)
{
        _cleanup_free_ char *helper = helper_path("sandbox-unpack");
        char *argv[8], out[512];
        const char *rest, *slash;
        int pipefd[2], status, k = 0;
        ssize_t n, len = 0;
        pid_t pid;
        TRACE_BEGIN(t);

        argv[k++] = helper;
        /* A bar only for a person watching: a terminal, and not --quiet. */
        if (isatty(STDERR_FILENO) && !log_quiet)
                argv[k++] = (char *)"--progress";
        argv[k++] = c->path;
        argv[k++] = img->path;
        argv[k++] = img->stat_key;
        argv[k++] = (char *)map_fp;
        if (img->ref)
                argv[k++] = img->ref;
        argv[k] = NULL;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return log_errno(-errno, "pipe");
        pid = fork();
        if (pid < 0)
                return log_errno(-errno, "fork");
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execv(helper, argv);
                log_errno(-errno,
                          "cannot run the unpacker %s (is sandbox installed "
                          "completely?)",
                          helper);
                _exit(127);
        }
        close(pipefd[1]);
        while ((n = read(pipefd[0], out + len, sizeof out - 1 - (size_t)len)) > 0)
                len += n;
        close(pipefd[0]);
        out[len] = 0;
        status = wait_exit_status(pid);
        if (status != 0)
                return -EIO; /* the unpacker said why on stderr */
        out[strcspn(out, "\n")] = 0;
        rest = startswith(out, "images/");
        slash = rest ? strchr(rest, '/') : NULL;
        if (!slash || (strcmp(slash, "/rootfs") != 0 && strcmp(slash, "/layers") != 0))
                return log_error("the unpacker answered '%s', not an image path", out);
        free(img->key);
        img->key = strndup(rest, (size_t)(slash - rest));
        if (!img->key || !filename_safe(img->key))
                return log_error("the unpacker answered '%s', not an image path", out);
        TRACE(t, "image", "unpacked %s into %s/images/%s", img->path, c->path, img->key);
        return 0;
}

/* A shared flock on images/KEY for as long as pid 1 lives: `sandbox image rm|prune` removes
 * only what it can lock exclusively, and renames it away first, so a key that vanished between
 * the lookup and the lock is a miss. */
static int hold(struct image *img, const struct cache *c)
{
        _cleanup_free_ char *name = xasprintf("images/%s", img->key);
        _cleanup_close_ int fd =
            openat(c->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat a, b;

        if (fd < 0)
                return errno == ENOENT ? -ENOENT
                                       : log_errno(-errno, "opening %s/%s", c->path, name);
        while (flock(fd, LOCK_SH) < 0)
                if (errno != EINTR)
                        return log_errno(-errno, "locking %s/%s", c->path, name);
        if (fstat(fd, &a) < 0 || fstatat(c->fd, name, &b, AT_SYMLINK_NOFOLLOW) < 0 ||
            a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                return -ENOENT;
        /* Its times are its last use, for `sandbox image ls` and `prune --days`. */
        (void)futimens(fd, NULL);
        closep(&img->hold_fd);
        img->hold_fd = TAKE_FD(fd);
        return 0;
}

/* images/KEY/layers: "layers/NAME" lines, lowest first. */
static int read_layers(struct image *img, const struct cache *c, int dfd)
{
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(dfd, "layers", 1 << 16, &text, NULL);

        if (r < 0)
                return log_errno(r, "reading the layer list of %s/images/%s", c->path, img->key);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                const char *name = startswith(l, "layers/");
                if (streq(l, "needs fuse-overlayfs")) {
                        img->needs_fuse = true;
                        continue;
                }
                if (!name || !filename_safe(name) || strv_length(img->lowers) >= 128)
                        return log_error("the layer list of %s/images/%s is damaged; remove the "
                                         "image (sandbox image rm %.12s)",
                                         c->path, img->key, img->key);
                strv_push(&img->lowers, xasprintf("%s/layers/%s/tree", c->path, name));
        }
        if (!img->lowers)
                return log_error("%s/images/%s lists no layers", c->path, img->key);
        return 0;
}

/* images/KEY/config: the layered image's own config, as the unpacker wrote it. */
static int read_config(struct image *img, const struct cache *c, int dfd)
{
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(dfd, "config", 1 << 20, &text, NULL);

        imgconfig_free(&img->config);
        if (r >= 0)
                r = imgconfig_parse(text, &img->config);
        if (r < 0)
                return log_error("the config of %s/images/%s is damaged; remove the image "
                                 "(sandbox image rm %.12s)",
                                 c->path, img->key, img->key);
        return 0;
}

static int load(struct image *img, const struct cache *c)
{
        _cleanup_free_ char *name = xasprintf("images/%s", img->key);
        _cleanup_close_ int dfd =
            openat(c->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        int r;

        if (dfd < 0)
                return log_errno(-errno, "opening %s/%s", c->path, name);
        strv_free(img->lowers);
        img->lowers = NULL;
        img->layered = fstatat(dfd, "rootfs", &st, AT_SYMLINK_NOFOLLOW) < 0;
        if (!img->layered) {
                strv_push(&img->lowers, xasprintf("%s/%s/rootfs", c->path, name));
                return 0;
        }
        r = read_layers(img, c, dfd);
        if (r < 0)
                return r;
        return read_config(img, c, dfd);
}

int image_prepare(struct image *img, const struct cache *c, const char *map_fp)
{
        int r = -ENOENT;

        if (img->kind == IMAGE_DIRECTORY) {
                strv_push_dup(&img->lowers, img->path);
                return 0;
        }
        /* A prune may remove a cached image between the lookup and the lock: unpack anew. */
        for (int attempt = 0; attempt < 3 && r == -ENOENT; attempt++) {
                if (!img->key || attempt > 0) {
                        r = run_unpacker(img, c, map_fp);
                        if (r < 0)
                                return r;
                }
                r = hold(img, c);
        }
        if (r < 0)
                return r == -ENOENT ? log_error("the image %s keeps vanishing from the cache while "
                                                "it starts; is a prune running in a loop?",
                                                img->path)
                                    : r;
        return load(img, c);
}

int image_open_layers(const struct image *img, int **ret_fds, size_t *ret_n)
{
        size_t n = strv_length(img->lowers);
        int *fds = xcalloc(n, sizeof *fds);

        for (size_t i = 0; i < n; i++) {
                fds[i] = open(img->lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[i] < 0) {
                        int r = log_errno(-errno, "opening the image layer %s", img->lowers[i]);
                        while (i-- > 0)
                                close(fds[i]);
                        free(fds);
                        return r;
                }
        }
        *ret_fds = fds;
        *ret_n = n;
        return 0;
}

void image_make_workdir(const struct image *img, const char *cli_workdir)
{
        const char *w = img->config.present && !cli_workdir ? img->config.workdir : NULL;
        _cleanup_close_ int root = -1, fd = -1;

        if (!w || access(w, F_OK) == 0 || errno != ENOENT)
                return;
        /* Never through a symlink of the image; a failure shows when the command's chdir
         * fails, with the path. */
        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root >= 0)
                fd = root_mkdir_nofollow(root, w, 0755);
}

const char *image_id(const struct image *img)
{
        return img->key ? img->key : img->path;
}

int image_read_config(struct image *img, const struct cache *c)
{
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dfd = -1;
        struct stat st;

        if (img->kind == IMAGE_DIRECTORY)
                return 0;
        if (!img->key)
                return -ENOENT;
        name = xasprintf("images/%s", img->key);
        dfd = openat(c->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? -ENOENT
                                       : log_errno(-errno, "opening %s/%s", c->path, name);
        if (fstatat(dfd, "rootfs", &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0; /* a root file system tarball: no config of its own */
        return read_config(img, c, dfd);
}
