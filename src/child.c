/* The child's stages, in order: the new namespaces exist, the launcher has mapped our ids, and
 * this process, root of the new user namespace and pid 1 of the new pid namespace, builds the
 * sandbox, starts the command, and stays as its init. Each ordering constraint is commented. */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "devfs.h"
#include "etcfiles.h"
#include "init.h"
#include "log.h"
#include "macro.h"
#include "mounts.h"
#include "netlo.h"
#include "procfs.h"
#include "rootfs.h"
#include "sandbox.h"
#include "storage.h"
#include "sync.h"
#include "sys.h"
#include "util.h"
#include "workload.h"

static _Noreturn void die(void)
{
        _exit(EXIT_LAUNCHER);
}

#define STAGE(expr)                                                                                \
        do {                                                                                       \
                if ((expr) < 0)                                                                    \
                        die();                                                                     \
        } while (0)

/* Builds the root: the image's layers under a writable layer (storage.c), the kernel file
 * systems, the generated /etc files, then pivot_root. Returns nothing on failure: every stage
 * has said why. */
static void build_root(struct sandbox *sb)
{
        const struct config *c = sb->cfg;
        _cleanup_close_ int root = -1;
        _cleanup_free_ char *rundir = xasprintf("%s/run/%s", sb->cache.path, sb->run.id);
        _cleanup_free_ int *layers = NULL;
        size_t n = 0;

        /* Before the first mount, so that none of ours propagates to the host. */
        STAGE(rootfs_isolate_propagation());
        STAGE(image_open_layers(&sb->image, &layers, &n));
        root = storage_mount_root(sb, layers, n, image_id(&sb->image));
        for (size_t i = 0; i < n; i++)
                close(layers[i]);
        STAGE(root);
        /* Everything below uses host paths as mount sources (/dev/null, /dev/tty...), so it
         * all comes before pivot_root, and every target is resolved inside the new root. */
        STAGE(procfs_setup(root));
        STAGE(devfs_setup(root, idmap_contains(&sb->ids.gid, 5), c->ns.ipc));
        STAGE(sysfs_setup(root, sb->cg.active && sb->cg.delegate, c->net.mode == NET_HOST));
        STAGE(etcfiles_setup(root, rundir, c));
        /* The profile's mounts come last, so that they may cover anything above (a bind on
         * /etc/hosts wins); a read-only root's fresh /tmp and /run come before them, so that
         * they do not hide a mount made below them. */
        if (c->read_only)
                STAGE(rootfs_readonly_scratch(root));
        STAGE(mounts_apply(root, c));
        STAGE(rootfs_pivot(root));
        /* Before a read-only root, which could not take it any more. */
        image_make_workdir(&sb->image, c->workdir);
        /* After every mount point has been created in the writable root. */
        if (c->read_only)
                STAGE(rootfs_make_readonly());
}

_Noreturn void child_main(struct sandbox *sb)
{
        const struct config *c = sb->cfg;
        pid_t command;

        trace_set_side("child");
        /* The launcher's death, even by SIGKILL, takes pid 1 and so the whole pid namespace. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        close(sb->sync_fd[0]);

        /* sync 1: until the launcher has written our id maps we are nobody here; EOF means it
         * died first (and PDEATHSIG was set too late to tell us). */
        if (sync_expect(sb->sync_fd[1], SYNC_IDS_MAPPED) < 0)
                die();
        TRACE(0, "child", "ids mapped, now root in the user namespace");

        /* In the launch's cgroup by now (cloned into it, or moved before sync 1): it becomes
         * the root of our cgroup namespace, the "/" of /sys/fs/cgroup inside. */
        if (sb->cg.active && c->ns.cgroup && unshare(CLONE_NEWCGROUP) < 0) {
                log_errno(-errno, "creating the cgroup namespace");
                die();
        }

        /* The host's supplementary groups mean nothing inside (denied with a single map). */
        (void)setgroups(0, NULL);

        /* After the maps, so the unpacked files are owned by the mapped ids. Holds the image
         * (a shared flock) for as long as pid 1 lives. */
        STAGE(image_prepare(&sb->image, &sb->cache, sb->ids.fingerprint));
        build_root(sb);
        /* Only in a UTS namespace of our own ([namespaces] uts); else it is the host's name. */
        if (c->ns.uts && sethostname(c->hostname, strlen(c->hostname)) < 0) {
                log_errno(-errno, "sethostname");
                die();
        }
        TRACE(0, "hostname", "%s", c->hostname);
        /* --net host: the host's loopback, which is up and not ours to change. */
        if (c->net.mode != NET_HOST)
                STAGE(net_loopback_up());
        /* sync 2: with --net slirp, the command starts only once the helper has tap0 up and
         * reads it, so that its first packet is not lost (the helper started in parallel with
         * everything above). EOF means the launcher or the helper failed. */
        if (c->net.mode == NET_SLIRP) {
                if (sync_expect(sb->sync_fd[1], SYNC_NET_READY) < 0)
                        die();
                TRACE(0, "net", "the network is up");
        }

        /* No fd of the host may stay in pid 1 or reach the command: keep the sync socket, the
         * trace, and the image's hold (all close-on-exec, so the command never sees them). */
        int keep[] = {sb->sync_fd[1], log_trace_fd, sb->image.hold_fd};
        close_all_except(keep, ARRAY_SIZE(keep));

        command = fork();
        if (command < 0) {
                log_errno(-errno, "fork");
                die();
        }
        if (command == 0)
                workload_exec(c, &sb->image.config, &sb->ids, &sb->seccomp, sb->sync_fd[1]);
        init_run(command, sb->sync_fd[1]);
}
