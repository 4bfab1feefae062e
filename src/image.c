/* The image a sandbox runs: a directory used as it is, or a tarball unpacked once into the cache
 * by the sandbox-unpack helper. Classified on the host; unpacked in the child, as root of the
 * user namespace, so that file owners land on the mapped ids. */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

int image_open(const char *arg, const struct cache *c, const char *map_fp, struct image *ret)
{
        char abs[PATH_MAX];
        struct stat st;
        int r;

        memset(ret, 0, sizeof *ret);
        if (stat(arg, &st) < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return log_error("image '%s' not found (give a rootfs tarball or a "
                                         "directory)",
                                         arg);
                return log_errno(-errno, "cannot read image '%s'", arg);
        }
        if (!realpath(arg, abs))
                return log_errno(-errno, "cannot resolve image '%s'", arg);
        ret->path = xstrdup(abs);
        if (S_ISDIR(st.st_mode)) {
                if (access(abs, R_OK | X_OK) < 0)
                        return log_errno(-errno, "cannot read image directory '%s'", arg);
                ret->kind = IMAGE_DIRECTORY;
                ret->lower = xstrdup(abs);
                TRACE(0, "image", "%s: a directory, used as it is", abs);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return log_error("image '%s' is neither a tarball nor a directory", arg);
        if (access(abs, R_OK) < 0)
                return log_errno(-errno, "cannot read image '%s'", arg);
        ret->kind = IMAGE_TARBALL;
        cache_stat_key(&st, map_fp, ret->stat_key, sizeof ret->stat_key);
        r = cache_lookup(c, ret->stat_key, &ret->lower);
        if (r < 0)
                return log_errno(r, "reading the image cache index");
        TRACE(0, "image", "%s: %s", abs, r > 0 ? "cache hit" : "not cached yet");
        return 0;
}

void image_close(struct image *img)
{
        free(img->path);
        free(img->lower);
        memset(img, 0, sizeof *img);
}

static char *helper_path(const char *name)
{
        char dir[PATH_MAX];
        if (self_exe_dir(dir, sizeof dir) == 0) {
                char *p = xasprintf("%s/%s", dir, name);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return xasprintf("%s/%s", SANDBOX_LIBEXECDIR, name);
}

int image_unpack(struct image *img, const struct cache *c, const char *map_fp)
{
        _cleanup_free_ char *helper = helper_path("sandbox-unpack");
        char *argv[] = {helper, c->path, img->path, img->stat_key, (char *)map_fp, NULL};
        char out[512];
        int pipefd[2], status;
        ssize_t n, len = 0;
        pid_t pid;
        TRACE_BEGIN(t);

        if (img->kind != IMAGE_TARBALL || img->lower)
                return 0;
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
        if (!startswith(out, "images/") || strstr(out, ".."))
                return log_error("the unpacker answered '%s', not an image path", out);
        img->lower = xstrdup(out);
        TRACE(t, "image", "unpacked %s into %s/%s", img->path, c->path, img->lower);
        return 0;
}

int image_open_tree(const struct image *img, const struct cache *c)
{
        _cleanup_free_ char *path = img->kind == IMAGE_DIRECTORY
                                        ? xstrdup(img->lower)
                                        : xasprintf("%s/%s", c->path, img->lower);
        /* By path, not relative to the cache fd: that fd names a mount of the host's mount
         * namespace, and overlayfs accepts layers only from the mounter's own. */
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "opening the image tree %s", img->lower);
        return fd;
}
