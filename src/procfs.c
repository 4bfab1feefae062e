/* /proc and /sys inside the sandbox, laid out as runc does: a proc of the sandbox's own pid
 * namespace with the files that leak host details masked, and a read-only sysfs.
 * Runs in the child before pivot_root (the host's /dev/null is the source of the masks). */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "resolve.h"

/* Files that expose host kernel state: replaced by /dev/null. */
static const char *const masked_files[] = {
    "proc/kcore",         "proc/keys",       "proc/timer_list",  "proc/sched_debug",
    "proc/latency_stats", "proc/interrupts", "proc/timer_stats",
};
/* Directories that expose host hardware: replaced by an empty read-only tmpfs. */
static const char *const masked_proc_dirs[] = {"proc/acpi", "proc/scsi"};
static const char *const masked_sys_dirs[] = {"sys/firmware"};
/* Knobs that would change the host kernel: read-only. */
static const char *const readonly_paths[] = {"proc/bus", "proc/fs", "proc/irq", "proc/sys",
                                             "proc/sysrq-trigger"};

/* An existing path under a kernel file system, never created, never a symlink. */
static int open_existing(int rootfd, const char *path)
{
        int fd = root_open(rootfd, path, O_PATH | O_NOFOLLOW, 0);
        return fd;
}

static int mask_file(int rootfd, const char *path)
{
        _cleanup_close_ int fd = open_existing(rootfd, path);
        int r;
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return log_errno(fd, "opening /%s to mask it", path);
        r = mount_on_fd("/dev/null", fd, NULL, MS_BIND, NULL);
        if (r < 0)
                return log_errno(r, "masking /%s", path);
        TRACE(0, "mask", "/%s (bind /dev/null)", path);
        return 0;
}

static int mask_dir(int rootfd, const char *path)
{
        _cleanup_close_ int fd = open_existing(rootfd, path);
        int r;
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return log_errno(fd, "opening /%s to mask it", path);
        r = mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=0,mode=555");
        if (r < 0)
                return log_errno(r, "masking /%s", path);
        TRACE(0, "mask", "/%s (empty read-only tmpfs)", path);
        return 0;
}

static int make_readonly(int rootfd, const char *path)
{
        _cleanup_close_ int fd = open_existing(rootfd, path), bound = -1;
        int r;
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return log_errno(fd, "opening /%s", path);
        r = bind_fd_on_fd(fd, fd, 0);
        if (r < 0)
                return log_errno(r, "binding /%s onto itself", path);
        /* Look it up again to reach the new bind mount rather than what lies below it. */
        bound = open_existing(rootfd, path);
        if (bound < 0)
                return log_errno(bound, "reopening /%s", path);
        r = remount_ro_fd(bound);
        if (r < 0)
                return log_errno(r, "making /%s read-only", path);
        TRACE(0, "mount", "/%s read-only", path);
        return 0;
}

int procfs_setup(int rootfd)
{
        _cleanup_close_ int fd = root_mkdir_nofollow(rootfd, "proc", 0555);
        int r;

        if (fd < 0)
                return log_errno(fd, fd == -ELOOP ? "the image's /proc is a symlink; refusing "
                                                    "to mount over it"
                                                  : "creating /proc in the image");
        r = mount_on_fd("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return log_errno(r, "mounting /proc for the sandbox's pid namespace (the kernel "
                                    "refuses when the host's /proc is partly hidden, e.g. inside "
                                    "another container)");
        TRACE(0, "mount", "proc on /proc (nosuid,nodev,noexec)");
        for (size_t i = 0; i < ARRAY_SIZE(masked_files); i++)
                if ((r = mask_file(rootfd, masked_files[i])) < 0)
                        return r;
        for (size_t i = 0; i < ARRAY_SIZE(masked_proc_dirs); i++)
                if ((r = mask_dir(rootfd, masked_proc_dirs[i])) < 0)
                        return r;
        for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++)
                if ((r = make_readonly(rootfd, readonly_paths[i])) < 0)
                        return r;
        return 0;
}

static int sysfs_bind_host(int rootfd, int target)
{
        _cleanup_close_ int host = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC), top = -1;
        int r;

        if (host < 0)
                return -errno;
        /* Recursive: a user namespace may not bind a tree without what is mounted in it. */
        r = bind_fd_on_fd(host, target, MS_REC);
        if (r < 0)
                return r;
        top = open_existing(rootfd, "sys");
        if (top < 0)
                return top;
        TRACE(0, "mount", "the host's /sys bound on /sys (--net host)");
        return remount_ro_fd(top);
}

int sysfs_setup(int rootfd, bool cgroup_rw, bool host_netns)
{
        _cleanup_close_ int fd = root_mkdir_nofollow(rootfd, "sys", 0555), cg = -1;
        const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        int r;

        if (fd < 0)
                return log_errno(fd, fd == -ELOOP ? "the image's /sys is a symlink; refusing "
                                                    "to mount over it"
                                                  : "creating /sys in the image");
        /* --net host: sysfs belongs to the network namespace, and the host's is not ours to
         * mount; its own /sys, read-only, as rootless podman does. */
        r = host_netns ? sysfs_bind_host(rootfd, fd)
                       : mount_on_fd("sysfs", fd, "sysfs", flags, NULL);
        if (r < 0)
                return log_errno(r, "mounting a read-only /sys");
        TRACE(0, "mount", "sysfs on /sys (ro,nosuid,nodev,noexec)");
        for (size_t i = 0; i < ARRAY_SIZE(masked_sys_dirs); i++)
                if ((r = mask_dir(rootfd, masked_sys_dirs[i])) < 0)
                        return r;
        /* The sandbox's own cgroup (the cgroup namespace makes it "/"), read-only unless it
         * may manage a subtree of its own (--cgroup-delegate); its limits sit one level up,
         * out of its reach either way. A host without cgroup2 simply has none. */
        cg = open_existing(rootfd, "sys/fs/cgroup");
        if (cg >= 0) {
                r = mount_on_fd("cgroup2", cg, "cgroup2",
                                cgroup_rw ? flags & ~(unsigned long)MS_RDONLY : flags, NULL);
                if (r < 0 && cgroup_rw)
                        return log_errno(r, "mounting the sandbox's cgroup on /sys/fs/cgroup");
                TRACE(0, "mount", "cgroup2 on /sys/fs/cgroup (%s): %s", cgroup_rw ? "rw" : "ro",
                      r < 0 ? "not available" : "ok");
        }
        return 0;
}
