/* Paths inside the image, resolved without ever leaving it: the classic escape of this field is
 * an image whose /proc or /dev/null is a symlink to a host path, followed by the runtime.
 * Runs in the child (root in the user namespace), before and after pivot_root. */
#include "resolve.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"

static int openat2_fd(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
        struct open_how how = {
            .flags = (uint64_t)flags | O_CLOEXEC, .mode = mode, .resolve = resolve};
        int fd;
        if (flags & (O_PATH))
                how.mode = 0;
        do
                fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

int root_open(int rootfd, const char *path, int flags, mode_t mode)
{
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        return openat2_fd(rootfd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Walk path one component at a time from rootfd, creating directories, refusing symlinks. The
 * walk never goes up: ".." components are refused too. Returns an O_PATH fd of the last. */
static int walk_nofollow(int rootfd, const char *path, mode_t mode, bool last_is_file)
{
        char buf[4096];
        char *save = NULL, *comp, *next;
        _cleanup_close_ int cur = -1;
        int dir = rootfd;

        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        comp = strtok_r(buf, "/", &save);
        while (comp) {
                int fd;
                next = strtok_r(NULL, "/", &save);
                if (streq(comp, ".."))
                        return -EINVAL;
                if (streq(comp, ".")) {
                        comp = next;
                        continue;
                }
                if (!next && last_is_file) {
                        fd = openat(dir, comp,
                                    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                                        O_NONBLOCK,
                                    mode);
                        if (fd < 0 && (errno == EISDIR || errno == EACCES || errno == EROFS ||
                                       errno == ENXIO || errno == EPERM))
                                /* already there (a /proc file, a device): just resolve it */
                                fd = openat2_fd(dir, comp, O_PATH, 0, RESOLVE_NO_SYMLINKS);
                        else if (fd < 0)
                                fd = -errno;
                } else {
                        if (mkdirat(dir, comp, mode) < 0 && errno != EEXIST)
                                return -errno;
                        fd = openat2_fd(dir, comp, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);
                }
                if (fd < 0)
                        return fd == -ENOTDIR ? -ELOOP : fd;
                closep(&cur);
                cur = fd;
                dir = cur;
                comp = next;
        }
        if (cur < 0)
                return openat2_fd(rootfd, ".", O_PATH | O_DIRECTORY, 0, 0);
        return TAKE_FD(cur);
}

int root_mkdir_nofollow(int rootfd, const char *path, mode_t mode)
{
        return walk_nofollow(rootfd, path, mode, false);
}

int root_mkfile_nofollow(int rootfd, const char *path, mode_t mode)
{
        return walk_nofollow(rootfd, path, mode, true);
}

int mount_on_fd(const char *source, int target_fd, const char *fstype, unsigned long flags,
                const char *data)
{
        char target[64];
        snprintf(target, sizeof target, "/proc/self/fd/%d", target_fd);
        return mount(source, target, fstype, flags, data) < 0 ? -errno : 0;
}

int bind_fd_on_fd(int source_fd, int target_fd, unsigned long extra_flags)
{
        char source[64];
        snprintf(source, sizeof source, "/proc/self/fd/%d", source_fd);
        return mount_on_fd(source, target_fd, NULL, MS_BIND | extra_flags, NULL);
}

int remount_ro_fd(int target_fd)
{
        struct statvfs sv;
        unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
        if (fstatvfs(target_fd, &sv) < 0)
                return -errno;
        /* A remount must repeat the flags the kernel locked when the mount crossed into our
         * user namespace, or it fails with EPERM. */
        if (sv.f_flag & ST_NOSUID)
                flags |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                flags |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                flags |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
                flags |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                flags |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                flags |= MS_RELATIME;
        return mount_on_fd(NULL, target_fd, NULL, flags, NULL);
}
