/* /dev inside the sandbox: a tmpfs with a few host device nodes bound in (a user namespace cannot
 * mknod), a private devpts, shm and mqueue. Runs in the child before pivot_root, while the
 * host's /dev is still reachable as the source of the binds. */
#include "devfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "resolve.h"

static const char *const host_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
        const char *name, *target;
} links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

static int bind_host_node(int devfd, const char *name)
{
        char src[64];
        _cleanup_close_ int target = -1;
        int r;

        target = root_mkfile_nofollow(devfd, name, 0666);
        if (target < 0)
                return log_errno(target, "creating /dev/%s", name);
        snprintf(src, sizeof src, "/dev/%s", name);
        r = mount_on_fd(src, target, NULL, MS_BIND, NULL);
        if (r < 0)
                return log_errno(r, "binding the host's %s into the sandbox", src);
        TRACE(0, "mount", "bind %s on /dev/%s", src, name);
        return 0;
}

static int mount_sub(int devfd, const char *name, const char *fstype, unsigned long flags,
                     const char *data)
{
        _cleanup_close_ int fd = root_mkdir_nofollow(devfd, name, 0755);
        int r;
        if (fd < 0)
                return log_errno(fd, "creating /dev/%s", name);
        r = mount_on_fd(fstype, fd, fstype, flags, data);
        if (r < 0)
                return log_errno(r, "mounting %s on /dev/%s", fstype, name);
        TRACE(0, "mount", "%s on /dev/%s (%s)", fstype, name, data ? data : "");
        return 0;
}

int devfs_setup(int rootfd, bool tty_gid_mapped, bool own_ipc)
{
        _cleanup_close_ int mnt = -1, devfd = -1;
        int r;

        mnt = root_mkdir_nofollow(rootfd, "dev", 0755);
        if (mnt < 0)
                return log_errno(mnt, mnt == -ELOOP ? "the image's /dev is a symlink; refusing "
                                                      "to mount over it"
                                                    : "creating /dev in the image");
        r = mount_on_fd("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
        if (r < 0)
                return log_errno(r, "mounting tmpfs on /dev");
        TRACE(0, "mount", "tmpfs on /dev (nosuid,strictatime,mode=755,size=65536k)");
        devfd = root_open(rootfd, "dev", O_DIRECTORY | O_RDONLY, 0);
        if (devfd < 0)
                return log_errno(devfd, "opening the new /dev");

        for (size_t i = 0; i < ARRAY_SIZE(host_nodes); i++) {
                r = bind_host_node(devfd, host_nodes[i]);
                if (r < 0)
                        return r;
        }
        /* A private devpts instance: the sandbox sees only its own ptys. */
        r = mount_sub(devfd, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
                      tty_gid_mapped ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
                                     : "newinstance,ptmxmode=0666,mode=0620");
        if (r < 0)
                return r;
        r = mount_sub(devfd, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "mode=1777,size=65536k");
        if (r < 0)
                return r;
        /* Only the owner of an IPC namespace may mount its mqueue: none when it is the host's. */
        r = own_ipc ? mount_sub(devfd, "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
                    : 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i].target, devfd, links[i].name) < 0)
                        return log_errno(-errno, "creating /dev/%s", links[i].name);
        return 0;
}
