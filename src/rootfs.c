/* The sandbox's root, once storage.c has mounted it: mount propagation, pivot_root into it, and a
 * read-only root on request. Runs in the child (root in the user namespace, in its own mount
 * namespace). */
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
