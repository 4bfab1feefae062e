/* The sandbox's root file system: the image's layers as read-only lowers under a writable layer,
 * mounted by kernel overlayfs in the user namespace, or by fuse-overlayfs where the kernel
 * refuses; the writable layer thrown away at exit or kept in a --persist directory.
 * The mount runs in the child (root in the user namespace); the --persist checks and the
 * fuse-overlayfs process run on the host, in the launcher. */
#include "storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "resolve.h"
#include "sandbox.h"
#include "sync.h"
#include "sys.h"
#include "util.h"

/* In a --persist directory: which image its changes belong to, and which driver wrote them. */
#define PERSIST_MARKER "sandbox-persist"

static const char *driver_name(enum storage_driver d)
{
        return d == STORAGE_FUSE ? "fuse-overlayfs" : d == STORAGE_OVERLAY ? "overlay" : "auto";
}

/* --- host: the --persist directory --------------------------------------------------------- */

/* Only what --persist itself puts there, or nothing at all. */
static int persist_contents_ok(int fd, bool *ret_marked)
{
        DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
        int r = 0;

        *ret_marked = false;
        if (!d)
                return -errno;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (streq(de->d_name, PERSIST_MARKER))
                        *ret_marked = true;
                else if (!streq(de->d_name, "upper") && !streq(de->d_name, "work"))
                        r = -ENOTEMPTY;
        }
        closedir(d);
        return *ret_marked ? 0 : r;
}

int storage_prepare(const struct storage_config *sc, const struct cache *cache,
                    struct storage_state *ret)
{
        const char *dir = sc->persist;
        char abs[PATH_MAX], cabs[PATH_MAX];
        _cleanup_close_ int fd = -1;
        struct stat st;
        bool marked;
        int r;

        *ret = (struct storage_state){.persist_fd = -1, .fuse_log = -1};
        if (!dir)
                return 0;
        if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
                return log_error("--persist %s is a symlink; give the directory itself", dir);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_errno(-errno, "--persist %s: cannot create it (its parent must exist)",
                                 dir);
        if (!realpath(dir, abs) || !realpath(cache->path, cabs))
                return log_errno(-errno, "--persist %s", dir);
        if (startswith(abs, cabs) && (abs[strlen(cabs)] == '/' || !abs[strlen(cabs)]))
                return log_error("--persist %s is inside the image cache %s, which `sandbox image "
                                 "prune` empties; keep it elsewhere",
                                 dir, cabs);
        fd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "--persist %s: not a directory you can open", dir);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK
                           ? log_error("--persist %s is in use by another sandbox; wait for it to "
                                       "end, or give another directory",
                                       dir)
                           : log_errno(-errno, "--persist %s: cannot lock it", dir);
        r = persist_contents_ok(fd, &marked);
        if (r == -ENOTEMPTY)
                return log_error("--persist %s is not empty and was not made by --persist; give "
                                 "a new or empty directory",
                                 dir);
        if (r < 0)
                return log_errno(r, "--persist %s: cannot list it", dir);
        if ((r = mkdir_exist_ok(fd, "upper", 0755)) < 0 ||
            (r = mkdir_exist_ok(fd, "work", 0700)) < 0)
                return log_errno(r, "--persist %s: cannot create upper/ and work/ in it", dir);
        ret->persist_path = xstrdup(abs);
        ret->persist_fd = TAKE_FD(fd);
        return 0;
}

void storage_release(struct storage_state *st)
{
        free(st->persist_path);
        st->persist_path = NULL;
        closep(&st->persist_fd);
        closep(&st->fuse_log);
        st->persist_fd = st->fuse_log = -1;
}

/* --- child: the mount ---------------------------------------------------------------------- */

struct persist_marker {
        char image[256];
        enum storage_driver driver; /* STORAGE_AUTO when unknown */
};

static void marker_read(int dirfd, struct persist_marker *m)
{
        _cleanup_free_ char *text = NULL;
        const char *v;

        *m = (struct persist_marker){0};
        if (read_file_at(dirfd, PERSIST_MARKER, 4096, &text, NULL) < 0)
                return;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                if ((v = startswith(line, "image=")))
                        snprintf(m->image, sizeof m->image, "%s", v);
                else if ((v = startswith(line, "driver=")))
                        m->driver = streq(v, "fuse-overlayfs") ? STORAGE_FUSE
                                    : streq(v, "overlay")      ? STORAGE_OVERLAY
                                                               : STORAGE_AUTO;
        }
}

/* Which driver to try first, and whether another may stand in when it fails. */
static int pick_driver(const struct sandbox *sb, int dirfd, const char *image_id,
                       enum storage_driver *ret, bool *ret_fallback)
{
        const char *persist = sb->storage.persist_path;
        enum storage_driver want = sb->cfg->storage.driver;
        struct persist_marker m = {0};

        if (persist)
                marker_read(dirfd, &m);
        if (m.image[0] && !streq(m.image, image_id))
                return log_error("--persist %s holds the changes to another image (%s); give "
                                 "another directory for this one",
                                 persist, m.image);
        if (m.driver != STORAGE_AUTO && want != STORAGE_AUTO && want != m.driver)
                return log_error("--persist %s was written through %s, which keeps whiteouts its "
                                 "own way; use --storage %s with it",
                                 persist, driver_name(m.driver), driver_name(m.driver));
        *ret_fallback = want == STORAGE_AUTO && m.driver == STORAGE_AUTO;
        *ret = want != STORAGE_AUTO ? want : m.driver != STORAGE_AUTO ? m.driver : STORAGE_OVERLAY;
        if (!sb->image.needs_fuse || *ret == STORAGE_FUSE)
                return 0;
        if (want == STORAGE_OVERLAY || m.driver == STORAGE_OVERLAY)
                return log_error(
                    "this image's layers keep their whiteouts as .wh. files (its cache "
                    "is on a file system without overlayfs whiteouts, an overlayfs?), "
                    "which only fuse-overlayfs reads; use --storage fuse-overlayfs");
        log_msg("this image's layers keep their whiteouts as .wh. files (the image cache is on a "
                "file system without overlayfs whiteouts); using fuse-overlayfs");
        *ret = STORAGE_FUSE;
        *ret_fallback = false;
        return 0;
}

static int kernel_overlay(const int *lowers, size_t n, int upper, int work, int merged, bool keep)
{
        char opts[4096];
        size_t o = 0;

        o += (size_t)snprintf(opts, sizeof opts, "lowerdir=");
        /* overlayfs lists its lowers top first; ours come lowest first. */
        for (size_t i = n; i-- > 0 && o < sizeof opts;)
                o += (size_t)snprintf(opts + o, sizeof opts - o, "/proc/self/fd/%d%s", lowers[i],
                                      i ? ":" : "");
        /* Paths through /proc/self/fd: the cache path may hold ',' or ':', which the option
         * string cannot carry. userxattr: overlayfs keeps its metadata in user.* xattrs, the
         * only ones root in a user namespace may write. volatile: a run's writable layer is
         * thrown away, so it need not survive a crash (no syncs). */
        if (o < sizeof opts)
                o += (size_t)snprintf(opts + o, sizeof opts - o,
                                      ",upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,"
                                      "userxattr%s",
                                      upper, work, keep ? "" : ",volatile");
        if (o >= sizeof opts)
                return -E2BIG;
        TRACE(0, "mount", "overlay on / (%s)", opts);
        return mount_on_fd("overlay", merged, "overlay", 0, opts);
}

/* fuse-overlayfs needs its program and a /dev/fuse this user may open; returns the open device,
 * or -errno with why in *ret_why. */
static int fuse_open(const char **ret_why)
{
        _cleanup_free_ char *prog = find_executable("fuse-overlayfs");
        int fd;

        if (!prog) {
                *ret_why = "fuse-overlayfs is not installed (Debian: apt-get install "
                           "fuse-overlayfs)";
                return -ENOENT;
        }
        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                *ret_why = errno == ENOENT ? "there is no /dev/fuse (load the fuse module)"
                                           : "/dev/fuse cannot be opened (it must be usable by "
                                             "every user: mode 0666)";
                return -errno;
        }
        return fd;
}

/* The kernel side of the fuse mount is made here, in the sandbox's namespaces; the launcher
 * runs the fuse-overlayfs process that serves it (storage_fuse_serve). */
static int fuse_overlay(struct sandbox *sb, int fuse, const int *lowers, size_t n, int upper,
                        int work, int merged)
{
        int fds[SYNC_MAX_FDS];
        char opts[160];
        int r;

        if (n + 3 > SYNC_MAX_FDS)
                return -E2BIG;
        /* allow_other: the command may run as any uid; default_permissions: the kernel checks
         * modes, as on any file system (fuse-overlayfs runs as root of the namespace). */
        snprintf(opts, sizeof opts,
                 "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fuse);
        /* noatime and nodev, as fuse-overlayfs mounts itself: no atime update goes through
         * the daemon on every read. */
        TRACE(0, "mount", "fuse.fuse-overlayfs on / (noatime,nodev,%s)", opts);
        r = mount_on_fd("fuse-overlayfs", merged, "fuse.fuse-overlayfs", MS_NOATIME | MS_NODEV,
                        opts);
        if (r < 0)
                return r;
        fds[0] = fuse;
        fds[1] = upper;
        fds[2] = work;
        for (size_t i = 0; i < n; i++)
                fds[3 + i] = lowers[n - 1 - i];
        return sync_send_fds(sb->sync_fd[1], SYNC_FUSE, fds, n + 3);
}

static int open_sub(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int storage_mount_root(struct sandbox *sb, const int *lowers, size_t n, const char *image_id)
{
        const char *persist = sb->storage.persist_path;
        _cleanup_free_ char *rundir = xasprintf("%s/run/%s", sb->cache.path, sb->run.id);
        /* By path: the launcher's fds name mounts of the host's namespace, and overlayfs takes
         * layers only from the mounter's own. */
        _cleanup_close_ int run = open(rundir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int layer =
            open(persist ? persist : rundir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int upper = open_sub(layer, "upper"), work = open_sub(layer, "work");
        _cleanup_close_ int merged = open_sub(run, "merged"), fuse = -1;
        enum storage_driver driver = STORAGE_OVERLAY;
        const char *why = NULL;
        bool fallback = false, marked;
        struct stat st;
        int r, fd;
        TRACE_BEGIN(t);

        if (upper < 0 || work < 0 || merged < 0)
                return log_errno(upper < 0  ? upper
                                 : work < 0 ? work
                                            : merged,
                                 "opening the writable layer in %s", persist ? persist : rundir);
        r = pick_driver(sb, layer, image_id, &driver, &fallback);
        if (r < 0)
                return r;
        marked = persist && faccessat(layer, PERSIST_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        /* The merged root takes the upper dir's mode: give it the image root's (once, for a
         * --persist directory: the command may have changed it since). */
        if (!marked &&
            (fstat(lowers[n - 1], &st) < 0 || fchmodat(layer, "upper", st.st_mode & 07777, 0) < 0))
                return log_errno(-errno, "setting the root's mode");
        if (driver == STORAGE_OVERLAY) {
                r = kernel_overlay(lowers, n, upper, work, merged, persist != NULL);
                if (r >= 0 || !fallback)
                        goto mounted;
                fuse = fuse_open(&why);
                if (fuse < 0)
                        return log_errno(r,
                                         "mounting the root: kernel overlayfs refused, and "
                                         "fuse-overlayfs cannot stand in: %s; kernel overlayfs",
                                         why);
                log_msg("kernel overlayfs refused to mount the root here (%s); using "
                        "fuse-overlayfs",
                        strerror(-r));
                driver = STORAGE_FUSE;
        }
        if (fuse < 0)
                fuse = fuse_open(&why);
        if (fuse < 0)
                return log_errno(fuse, "--storage fuse-overlayfs: %s", why);
        r = fuse_overlay(sb, fuse, lowers, n, upper, work, merged);
mounted:
        if (r < 0 && driver == STORAGE_OVERLAY)
                return log_errno(r, "mounting the root with kernel overlayfs (it needs Linux 5.11 "
                                    "or later, and a cache on a file system it accepts; "
                                    "--storage fuse-overlayfs may do)");
        if (r < 0)
                return log_errno(r, "mounting the root with fuse-overlayfs");
        TRACE(t, "storage", "the root is mounted by %s over %zu layer%s%s%s",
              driver == STORAGE_FUSE ? "fuse-overlayfs" : "kernel overlayfs", n, n == 1 ? "" : "s",
              persist ? ", writable layer kept in " : "", persist ? persist : "");
        if (persist && !marked) {
                _cleanup_free_ char *text =
                    xasprintf("image=%s\ndriver=%s\n", image_id, driver_name(driver));
                _cleanup_close_ int pfd = open(persist, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = pfd < 0 ? -errno
                            : write_file_at(pfd, PERSIST_MARKER, text,
                                            O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
                if (r < 0)
                        return log_errno(r, "--persist %s: writing %s", persist, PERSIST_MARKER);
        }
        /* The fd we mounted on still names the directory below the mount: look it up again. */
        fd = open_sub(run, "merged");
        if (fd < 0)
                return log_errno(fd, "opening the new root");
        return fd;
}

/* --- host: the fuse-overlayfs process ----------------------------------------------------- */

static _Noreturn void fuse_exec(struct sandbox *sb, const char *prog, int *fds, size_t n,
                                pid_t launcher)
{
        char opts[4096], dev[32];
        size_t o;
        sigset_t none;

        /* Root of the sandbox's user namespace, so that it may create files for every mapped
         * id; its mount namespace and pid namespace stay the launcher's. */
        if (setns(sb->userns_fd, CLONE_NEWUSER) < 0)
                _exit(126);
        /* After setns, which resets it: die with the launcher, even by SIGKILL. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != launcher)
                _exit(126);
        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (sb->storage.fuse_log >= 0) {
                (void)dup2(sb->storage.fuse_log, STDOUT_FILENO);
                (void)dup2(sb->storage.fuse_log, STDERR_FILENO);
        }
        for (size_t i = 0; i < n; i++)
                (void)fcntl(fds[i], F_SETFD, 0);
        o = (size_t)snprintf(opts, sizeof opts, "lowerdir=");
        for (size_t i = 3; i < n && o < sizeof opts; i++)
                o += (size_t)snprintf(opts + o, sizeof opts - o, "/proc/self/fd/%d%s", fds[i],
                                      i + 1 < n ? ":" : "");
        if (o < sizeof opts)
                snprintf(opts + o, sizeof opts - o,
                         ",upperdir=/proc/self/fd/%d,workdir=/proc/self/"
                         "fd/%d",
                         fds[1], fds[2]);
        /* /dev/fd/N: the mount is made, fuse-overlayfs serves the fd (libfuse 3.3 and later). */
        snprintf(dev, sizeof dev, "/dev/fd/%d", fds[0]);
        execl(prog, "fuse-overlayfs", "-f", "-o", opts, dev, (char *)NULL);
        _exit(127);
}

int storage_fuse_serve(struct sandbox *sb, int *fds, size_t n)
{
        _cleanup_free_ char *prog = find_executable("fuse-overlayfs");
        pid_t launcher = getpid(), pid = -1;
        int r = 0;

        if (n < 4 || sb->storage.fuse_pid > 0)
                r = log_error("the sandbox asked for fuse-overlayfs in a way it should not");
        else if (!prog)
                r = log_error("fuse-overlayfs is not installed (Debian: apt-get install "
                              "fuse-overlayfs)");
        if (r >= 0) {
                sb->storage.fuse_log = openat(sb->run.fd, "fuse-overlayfs.log",
                                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                pid = fork();
                if (pid == 0)
                        fuse_exec(sb, prog, fds, n, launcher);
                if (pid < 0)
                        r = log_errno(-errno, "fork");
                else
                        sb->storage.fuse_pid = pid;
                TRACE(0, "storage", "fuse-overlayfs is host pid %d", pid);
        }
        /* Its copies are all there is now: when it dies, the mount fails instead of hanging. */
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
        return r;
}

void storage_fuse_stop(struct sandbox *sb)
{
        _cleanup_free_ char *text = NULL;
        pid_t pid = sb->storage.fuse_pid;
        int status;

        if (pid <= 0)
                return;
        sb->storage.fuse_pid = 0;
        /* Exited already, on its own: say why, from what it printed. */
        if (waitpid(pid, &status, WNOHANG) == pid) {
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        return;
                if (read_file_at(sb->run.fd, "fuse-overlayfs.log", 1 << 16, &text, NULL) == 0) {
                        char *end = text + strlen(text);
                        while (end > text && end[-1] == '\n')
                                *--end = 0;
                        end = strrchr(text, '\n');
                        log_warn("fuse-overlayfs stopped early (status %d): %s",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                                 end ? end + 1 : text);
                }
                return;
        }
        /* The sandbox is gone: nothing is left for it to serve. */
        (void)kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
}
