/* Side-effect helpers that never see the config: fds, files, processes.
 * They log nothing; callers say what failed. Every fd they open is close-on-exec. */
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

extern char **environ;

void fds_cloexec_from(int first)
{
        if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return;
        /* Kernels before 5.11: walk the table instead. */
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                int fd = atoi(de->d_name);
                if (fd >= first && fd != dirfd(d))
                        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        closedir(d);
}

int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t len = 0, cap = 4096;
        char *buf;

        if (fd < 0)
                return -errno;
        buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n;
                if (len == cap) {
                        if (cap >= max) {
                                free(buf);
                                return -EFBIG;
                        }
                        cap *= 2;
                        char *nb = realloc(buf, cap + 1);
                        if (!nb) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        free(buf);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = 0;
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int write_file_at(int dirfd, const char *path, const char *content, int flags, mode_t mode)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | flags, mode);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

int mkdir_exist_ok(int dirfd, const char *path, mode_t mode)
{
        if (mkdirat(dirfd, path, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int rm_rf_children(int fd, dev_t dev)
{
        DIR *d = fdopendir(fd);
        int r = 0;
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int q = rm_rf_at(dirfd(d), de->d_name);
                if (q < 0 && r == 0)
                        r = q;
        }
        closedir(d);
        (void)dev;
        return r;
}

int rm_rf_at(int dirfd, const char *name)
{
        struct stat st, parent;
        int fd;

        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM && errno != EACCES)
                return -errno;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return -EPERM;
        if (fstat(dirfd, &parent) == 0 && parent.st_dev != st.st_dev)
                return -EXDEV; /* a mount point: never descend into another file system */
        /* Mode 000 directories occur in images and in overlayfs work dirs. */
        (void)!fchmodat(dirfd, name, 0700, 0);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = rm_rf_children(fd, st.st_dev);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return r < 0 ? r : -errno;
        return r;
}

char *find_executable(const char *name)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *all = xasprintf("%s:/usr/sbin:/usr/bin:/sbin:/bin", path ? path : "");
        char *save = NULL;

        for (char *dir = strtok_r(all, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                if (dir[0] != '/')
                        continue; /* a relative PATH entry would depend on the cwd */
                char *p = xasprintf("%s/%s", dir, name);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

pid_t spawn(char *const argv[], bool keep_stdin)
{
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int r;

        posix_spawn_file_actions_init(&fa);
        if (!keep_stdin)
                posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        return r ? -r : pid;
}

int wait_exit_status(pid_t pid)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

int self_exe_dir(char *buf, size_t size)
{
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        if (n < 0)
                return -errno;
        if ((size_t)n >= size - 1)
                return -ENAMETOOLONG;
        buf[n] = 0;
        char *slash = strrchr(buf, '/');
        if (!slash)
                return -EINVAL;
        *slash = 0;
        return 0;
}

char *helper_path(const char *name)
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

int random_hex16(char out[17])
{
        unsigned char b[8];
        if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
                return -EIO;
        hex_encode(b, sizeof b, out);
        return 0;
}

static int cmp_int(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

void close_all_except(const int *keep, size_t n)
{
        int sorted[8];
        size_t k = 0;
        unsigned from = 3;

        for (size_t i = 0; i < n && k < ARRAY_SIZE(sorted); i++)
                if (keep[i] >= 3)
                        sorted[k++] = keep[i];
        qsort(sorted, k, sizeof sorted[0], cmp_int);
        for (size_t i = 0; i < k; i++) {
                if ((unsigned)sorted[i] > from)
                        (void)syscall(SYS_close_range, from, (unsigned)sorted[i] - 1, 0);
                from = (unsigned)sorted[i] + 1;
        }
        (void)syscall(SYS_close_range, from, ~0U, 0);
}

pid_t clone_namespaces(unsigned long flags, int cgroup_fd)
{
        if (cgroup_fd >= 0) {
                struct clone_args args = {
                    .flags = flags | CLONE_INTO_CGROUP,
                    .exit_signal = SIGCHLD,
                    .cgroup = (uint64_t)cgroup_fd,
                };
                return (pid_t)syscall(SYS_clone3, &args, sizeof args);
        }
        return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}
