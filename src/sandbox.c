/* One launch, from the host's side. The order of the stages is the design:
 *
 * HOST (the invoking user, unprivileged)
 *   1. cache_open, userns_plan_build  the id map's fingerprint is part of the image cache key
 *   2. check --user against the map   fail before anything is created
 *   3. image_open                     a missing or unreadable image fails before any state
 *      storage_prepare                a bad --persist DIR too; its lock is held for the run
 *   4. rundir_create                  before clone: the child mounts its overlay from there
 *   5. block signals                  before clone: pid 1 inherits the mask and must never run
 *                                     a handler; the launcher takes them from a signalfd
 *   6. clone into new user, mount, pid, ipc, uts, cgroup and network namespaces
 *   7. userns_write_maps              the child is nobody until its ids are mapped
 *      sync 1 → child                 (SYNC_IDS_MAPPED)
 * CHILD (root in the user namespace; child.c)
 *   unpack the image, overlay root, /proc /dev /sys, /etc files, pivot_root, hostname,
 *   loopback, fork the command, become its init
 *   (with fuse-overlayfs: the child mounts /dev/fuse and sends the launcher SYNC_FUSE with the
 *   fds; the launcher runs fuse-overlayfs on them, in its own pid namespace, where the sandbox
 *   cannot reach it, while the child's accesses to the new root wait for it)
 * WORKLOAD (workload.c)
 *   bounding set, identity, capabilities, chdir; sync 2 → launcher (SYNC_STARTED, its host pid);
 *   no_new_privs; seccomp last; exec
 * HOST again
 *   8. supervise                      relay signals to pid 1, take its SYNC_EXIT report
 *   9. teardown                       stop fuse-overlayfs, then remove the run dir from inside
 *                                     the user namespace (its files belong to mapped ids), and
 *                                     any stale ones
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "sync.h"
#include "sys.h"
#include "util.h"

#define NS_FLAGS                                                                                   \
        (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |                \
         CLONE_NEWCGROUP | CLONE_NEWNET)

/* Signals the launcher relays to the sandbox. Stop signals (Ctrl-Z) are left alone: the
 * terminal stops the launcher and the command together, as one job. */
static const int relayed[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM};

static int check_identity(const struct config *c, const struct userns_plan *ids)
{
        if (idmap_contains(&ids->uid, c->uid) && idmap_contains(&ids->gid, c->gid))
                return 0;
        if (ids->why_single)
                return log_error("--user %u:%u: only root (0:0) exists inside with a single-id "
                                 "map; give your user a range in /etc/subuid and /etc/subgid",
                                 c->uid, c->gid);
        return log_error("--user %u:%u: ids 0..%u (uid) and 0..%u (gid) exist inside; widen "
                         "your range in /etc/subuid and /etc/subgid",
                         c->uid, c->gid, ids->uid.total - 1, ids->gid.total - 1);
}

static void trace_namespaces(pid_t pid)
{
        static const char *const ns[] = {"user", "mnt", "pid", "ipc", "uts", "cgroup", "net"};
        for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
                char path[64];
                struct stat st;
                snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, ns[i]);
                if (stat(path, &st) == 0)
                        TRACE(0, "namespace", "%s:[%lu]", ns[i], (unsigned long)st.st_ino);
        }
}

static int start_child(struct sandbox *sb)
{
        char path[64];
        TRACE_BEGIN(t);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sb->sync_fd) < 0)
                return log_errno(-errno, "socketpair");
        /* The workload's host pid arrives as the credentials of its SYNC_STARTED message. */
        (void)setsockopt(sb->sync_fd[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));

        sb->pid1 = clone_namespaces(NS_FLAGS);
        if (sb->pid1 < 0) {
                int r = -errno;
                if (r == -EPERM || r == -ENOSPC || r == -EACCES)
                        return log_errno(r, "creating a user namespace (unprivileged user "
                                            "namespaces are off: see sysctl "
                                            "kernel.unprivileged_userns_clone, "
                                            "user.max_user_namespaces, or AppArmor's "
                                            "kernel.apparmor_restrict_unprivileged_userns)");
                return log_errno(r, "clone");
        }
        if (sb->pid1 == 0)
                child_main(sb);
        close(sb->sync_fd[1]);
        sb->sync_fd[1] = -1;
        TRACE(t, "clone", "pid 1 of the sandbox is host pid %d", sb->pid1);
        if (trace_on())
                trace_namespaces(sb->pid1);
        snprintf(path, sizeof path, "/proc/%d/ns/user", sb->pid1);
        sb->userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (sb->userns_fd < 0)
                return log_errno(-errno, "opening %s", path);
        return 0;
}

static void on_message(struct sandbox *sb, bool *sock_open)
{
        struct sync_msg m;
        pid_t sender;
        int fds[SYNC_MAX_FDS];
        size_t n;
        int r = sync_recv_fds(sb->sync_fd[0], &m, &sender, fds, SYNC_MAX_FDS, &n);

        if (r < 0) {
                *sock_open = false;
                return;
        }
        if (m.type == SYNC_STARTED) {
                sb->command = sender;
                TRACE(0, "started", "the command is host pid %d", sender);
        } else if (m.type == SYNC_EXIT) {
                sb->got_exit = 1;
                sb->exit_status = m.status;
                sb->exit_signal = m.signal;
                TRACE(0, "exit", "the command ended: status %d, signal %d", m.status, m.signal);
        } else if (m.type == SYNC_FUSE) {
                /* On failure the fds are closed: the child's mount then fails, and it says so. */
                (void)storage_fuse_serve(sb, fds, n);
                n = 0;
        }
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
}

/* Returns the wait status of pid 1. */
static int supervise(struct sandbox *sb, int sigfd)
{
        bool sock_open = true;
        int status;

        for (;;) {
                struct pollfd p[2] = {{sigfd, POLLIN, 0}, {sb->sync_fd[0], POLLIN, 0}};
                struct signalfd_siginfo si;

                if (poll(p, sock_open ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (sock_open && (p[1].revents & (POLLIN | POLLHUP)))
                        on_message(sb, &sock_open);
                if (!(p[0].revents & POLLIN))
                        continue;
                if (read(sigfd, &si, sizeof si) != (ssize_t)sizeof si)
                        continue;
                if (si.ssi_signo == SIGCHLD) {
                        pid_t w = waitpid(sb->pid1, &status, WNOHANG);
                        if (w == sb->pid1) {
                                TRACE(0, "exit", "pid 1 reaped, namespaces gone");
                                /* Messages sent just before pid 1 died are still queued. */
                                while (sock_open)
                                        on_message(sb, &sock_open);
                                return status;
                        }
                        continue;
                }
                /* The terminal already signalled the whole job (the command too); relay only
                 * what was sent to the launcher alone. Never to the command's pid directly:
                 * pid 1 is our child and cannot be recycled, the command's pid can. */
                if (si.ssi_code != SI_KERNEL)
                        (void)kill(sb->pid1, (int)si.ssi_signo);
        }
        (void)waitpid(sb->pid1, &status, 0);
        return status;
}

static int exit_code(const struct sandbox *sb, int status)
{
        if (sb->got_exit)
                return sb->exit_status >= 0 ? sb->exit_status : 128 + sb->exit_signal;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        log_error("the sandbox's init was killed by signal %d (%s)", WTERMSIG(status),
                  strsignal(WTERMSIG(status)));
        return EXIT_LAUNCHER;
}

/* Removes the run dir, and any stale ones. Most of it belongs to the invoking user and goes
 * without ceremony; files that a mapped id created (and the overlay's mode 000 work dir) need
 * root of the sandbox's user namespace, which the launcher still holds open. */
static void teardown(struct sandbox *sb)
{
        TRACE_BEGIN(t);
        pid_t p;
        int r;

        storage_fuse_stop(sb);
        if (sb->run.fd < 0)
                return;
        r = rundir_sweep(sb->cache.fd, sb->run.id);
        if (r == -EACCES || r == -EPERM) {
                p = fork();
                if (p == 0) {
                        if (sb->userns_fd >= 0 && setns(sb->userns_fd, CLONE_NEWUSER) < 0)
                                _exit(1);
                        _exit(rundir_sweep(sb->cache.fd, sb->run.id) < 0);
                }
                r = p < 0 ? -errno : wait_exit_status(p) == 0 ? 0 : -EPERM;
        }
        if (r < 0)
                log_warn("could not remove the run directory %s/run/%s; a later run retries",
                         sb->cache.path, sb->run.id);
        TRACE(t, "teardown", "run directory %s removed", sb->run.id);
}

static int block_signals(sigset_t *ret_relayed)
{
        sigset_t all;
        sigfillset(&all);
        /* Everything for the child-to-be; the launcher unblocks all but its own set after. */
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return log_errno(-errno, "sigprocmask");
        sigemptyset(ret_relayed);
        for (size_t i = 0; i < ARRAY_SIZE(relayed); i++)
                sigaddset(ret_relayed, relayed[i]);
        sigaddset(ret_relayed, SIGCHLD);
        return 0;
}

int sandbox_run(const struct config *c)
{
        struct sandbox sb = {.cfg = c,
                             .sync_fd = {-1, -1},
                             .userns_fd = -1,
                             .run.fd = -1,
                             .cache.fd = -1,
                             .storage = {.persist_fd = -1, .fuse_log = -1},
                             .image.hold_fd = -1};
        _cleanup_close_ int sigfd = -1;
        sigset_t mask;
        int r, status, code = EXIT_LAUNCHER;

        if ((r = cache_open(&sb.cache)) < 0 || (r = userns_plan_build(&sb.ids)) < 0)
                goto out;
        if (sb.ids.why_single)
                log_msg("%s", sb.ids.why_single);
        if ((r = check_identity(c, &sb.ids)) < 0)
                goto out;
        if (limits_any(&c->limits)) {
                /* Never silently dropped: this build has no cgroup support yet. */
                if (c->limits.mode == LIMITS_STRICT) {
                        r = log_error("resource limits were asked for, but this build cannot "
                                      "apply them; drop them or pass --limits=best-effort");
                        goto out;
                }
                log_warn("resource limits dropped: this build cannot apply them");
        }
        if ((r = image_open(c->image, &sb.cache, sb.ids.fingerprint, &sb.image)) < 0)
                goto out;
        if ((r = storage_prepare(&c->storage, &sb.cache, &sb.storage)) < 0)
                goto out;
        if ((r = rundir_create(&sb.cache, &sb.run)) < 0)
                goto out;
        if ((r = block_signals(&mask)) < 0)
                goto out;
        if ((r = start_child(&sb)) < 0)
                goto out_kill;
        sigprocmask(SIG_SETMASK, &mask, NULL);
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sigfd < 0) {
                r = log_errno(-errno, "signalfd");
                goto out_kill;
        }
        if ((r = userns_write_maps(&sb.ids, sb.pid1)) < 0)
                goto out_kill;
        /* sync 1 */
        if ((r = sync_send(sb.sync_fd[0], SYNC_IDS_MAPPED, 0, 0)) < 0) {
                log_errno(r, "the sandbox's init is gone");
                goto out_kill;
        }
        status = supervise(&sb, sigfd);
        code = exit_code(&sb, status);
        goto out;
out_kill:
        if (sb.pid1 > 0) {
                (void)kill(sb.pid1, SIGKILL);
                (void)waitpid(sb.pid1, NULL, 0);
        }
out:
        teardown(&sb);
        closep(&sb.sync_fd[0]);
        closep(&sb.userns_fd);
        rundir_close(&sb.run);
        storage_release(&sb.storage);
        image_close(&sb.image);
        userns_plan_free(&sb.ids);
        cache_close(&sb.cache);
        return code;
}
