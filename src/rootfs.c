/* The sandbox's root: a copy-on-write overlay over the read-only image, then pivot_root into it.
 * Runs in the child (root in the user namespace, in its own mount namespace). */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "resolve.h"

int rootfs_isolate_propagation(void)
{
        /* Slave, not private: an unmount on the host still reaches us, nothing of ours leaks. */
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return log_errno(-errno, "making mounts private to the sandbox");
        return 0;
}

static int open_sub(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int rootfs_mount_overlay(int lower_fd, const char *rundir)
{
        /* By path: the launcher's fd of the run dir names a mount of the host's namespace,
         * and overlayfs takes layers only from the mounter's own. */
        _cleanup_close_ int rundir_fd = open(rundir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int upper = open_sub(rundir_fd, "upper");
        _cleanup_close_ int work = open_sub(rundir_fd, "work");
        _cleanup_close_ int merged = open_sub(rundir_fd, "merged");
        char opts[256];
        struct stat st;
        int r, fd;
        TRACE_BEGIN(t);

        if (upper < 0 || work < 0 || merged < 0)
                return log_errno(upper < 0  ? upper
                                 : work < 0 ? work
                                            : merged,
                                 "opening the per-run directory");
        /* The merged root takes the upper dir's mode: give it the image root's. */
        if (fstat(lower_fd, &st) < 0 || fchmodat(rundir_fd, "upper", st.st_mode & 07777, 0) < 0)
                return log_errno(-errno, "setting the root's mode");
        /* Paths through /proc/self/fd: the cache path may hold ',' or ':', which the option
         * string cannot carry. userxattr: overlayfs keeps its metadata in user.* xattrs, the
         * only ones root in a user namespace may write. */
        snprintf(opts, sizeof opts,
                 "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,"
                 "userxattr,volatile",
                 lower_fd, upper, work);
        r = mount_on_fd("overlay", merged, "overlay", 0, opts);
        if (r < 0)
                return log_errno(r, "mounting the overlay root (kernel overlayfs in a user "
                                    "namespace needs Linux 5.11 or later)");
        TRACE(t, "mount", "overlay on / (%s)", opts);
        /* The fd we mounted on still names the directory below the mount: look it up again. */
        fd = open_sub(rundir_fd, "merged");
        if (fd < 0)
                return log_errno(fd, "opening the new root");
        return fd;
}

int rootfs_pivot(int rootfd)
{
        TRACE_BEGIN(t);
        if (fchdir(rootfd) < 0)
                return log_errno(-errno, "entering the new root");
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
         * removes the old root and every host mount below it from this namespace. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return log_errno(-errno, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0)
                return log_errno(-errno, "detaching the host's root");
        if (chdir("/") < 0)
                return log_errno(-errno, "chdir /");
        TRACE(t, "pivot_root", "old root detached");
        return 0;
}

int rootfs_readonly_scratch(int rootfd)
{
        static const char *const writable[] = {"tmp", "run"};
        for (size_t i = 0; i < ARRAY_SIZE(writable); i++) {
                _cleanup_close_ int fd = root_open(rootfd, writable[i], O_PATH | O_DIRECTORY, 0);
                /* The root is still writable here: an image without the directory gets one. */
                if (fd == -ENOENT)
                        fd = root_mkdir_nofollow(rootfd, writable[i], 0755);
                if (fd < 0)
                        return log_errno(fd,
                                         "/%s in a read-only root (the image needs the "
                                         "directory)",
                                         writable[i]);
                int r = mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
                if (r < 0)
                        return log_errno(r, "mounting tmpfs on /%s", writable[i]);
                TRACE(0, "mount", "tmpfs on /%s (nosuid,nodev,mode=1777; read-only root)",
                      writable[i]);
        }
        return 0;
}

int rootfs_make_readonly(void)
{
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return log_errno(-errno, "making the root read-only");
        TRACE(0, "mount", "/ remounted read-only");
        return 0;
}
