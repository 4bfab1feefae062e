/* One launch, from the host's side. The order of the stages is the design:
 *
 * HOST (the invoking user, unprivileged)
 *   1. cache_open, userns_plan_build  the id map's fingerprint is part of the image cache key
 *   2. check --user against the map   fail before anything is created
 *      cgroup_plan                    likewise a limit that cannot be applied (or its warning
 *                                     with --limits=best-effort); may move the launcher into a
 *                                     delegated systemd scope, which goes away with it
 *   3. image_open                     a missing or unreadable image fails before any state
 *      seccomp_prepare                the filter is compiled here (or read compiled from the
 *                                     cache), so the workload only installs it
 *      storage_prepare                a bad --persist DIR too; its lock is held for the run
 *   4. rundir_create                  before clone: the child mounts its overlay from there
 *      cgroup_create                  after it (named after the run id), before clone: the
 *                                     limits hold before the sandbox's first instruction
 *   5. block signals                  before clone: pid 1 inherits the mask and must never run
 *                                     a handler; the launcher takes them from a signalfd
 *   6. clone into new user, mount, pid, ipc, uts, cgroup and network namespaces (a profile may
 *      share ipc, uts and cgroup with the host; --net host: no network namespace); with a
 *      cgroup, clone3 into it (CLONE_INTO_CGROUP), and the child makes its cgroup namespace
 *      after sync 1, once it is surely in it (older kernels: the launcher moves it before)
 *      session_capture                right after clone: pid 1's namespaces and a pidfd, while
 *                                     pid 1 is still dumpable (it is not once it confines
 *                                     itself), for `sandbox enter`
 *   7. net_helper_start (--net slirp) as early as can be: it starts while the maps are written
 *                                     and the child builds the root (it needs no map: its agent
 *                                     joins the sandbox's user and network namespaces by our
 *                                     right as their owner, and creates tap0 there; the helper
 *                                     stays in ours and runs libslirp: nethelper.c,
 *                                     helpers/slirp)
 *   8. userns_write_maps              the child is nobody until its ids are mapped
 *      sync 1 → child                 (SYNC_IDS_MAPPED)
 *      session_publish                the state record (ps, inspect, enter, stop and kill find
 *                                     the sandbox by it) and the control socket, while the child
 *                                     works; the command is not started yet
 * CHILD (root in the user namespace; child.c)
 *   unpack the image, overlay root, /proc /dev /sys, /etc files, the profile's mounts,
 *   pivot_root, hostname, loopback, (--net slirp: wait for sync 2), fork the command, become
 *   its init
 *   (with fuse-overlayfs: the child mounts /dev/fuse and sends the launcher SYNC_FUSE with the
 *   fds; the launcher runs fuse-overlayfs on them, in its own pid namespace, where the sandbox
 *   cannot reach it, while the child's accesses to the new root wait for it)
 * WORKLOAD (workload.c)
 *   bounding set, identity, capabilities (ambient for a non-root user), chdir; sync 3 →
 *   launcher (SYNC_STARTED, its host pid); with --stop-at-entry, wait until the launcher
 *   traces it (SYNC_TRACER_READY); rlimits; no_new_privs; seccomp last; exec
 * HOST again
 *   9. supervise                      relay signals to pid 1, take its SYNC_EXIT report, serve
 *                                     its SYNC_FUSE (start fuse-overlayfs); when
 *                                     the helper says the network is up: sync 2 → child
 *                                     (SYNC_NET_READY), so the command's first packet finds it;
 *                                     a helper that fails or dies stops the sandbox (125)
 *      at sync 3: session_started     the command's pid into the record; from now on the control
 *                                     socket is answered (pid 1's mounts are final: enter may
 *                                     join); --status-json's start line; with --stop-at-entry
 *                                     trace the command to its exec and leave it stopped there
 *  10. cgroup_destroy                 after pid 1 is reaped: cgroup.kill whatever is left,
 *                                     wait for populated 0, read the counts, rmdir
 *      cgroup_report                  then: an OOM kill, refused forks, --stats
 *      session_finish                 remove the record first, so that nothing points at a
 *                                     sandbox that is gone; the exit line (with the cgroup's
 *                                     OOM count)
 *      net_helper_stop                close its exit fd: it ends (as it does if we die)
 *  11. teardown                       stop fuse-overlayfs, then remove the run dir from inside
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
#include "session.h"
#include "sync.h"
#include "sys.h"
#include "util.h"

/* User, mount, pid and network are always new; a profile may share the others ([namespaces]). */
/* The namespaces of a launch: a profile may share ipc, uts and cgroup with the host, and
 * --net host keeps the host's network namespace. */
static unsigned long ns_flags(const struct config *c)
{
        return CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
               (c->net.mode != NET_HOST ? CLONE_NEWNET : 0) | (c->ns.ipc ? CLONE_NEWIPC : 0) |
               (c->ns.uts ? CLONE_NEWUTS : 0) | (c->ns.cgroup ? CLONE_NEWCGROUP : 0);
}

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

static int start_child(struct sandbox *sb)
{
        /* With a cgroup, the child makes its cgroup namespace once it is in the cgroup. */
        unsigned long flags = ns_flags(sb->cfg);
        if (sb->cg.active)
                flags &= ~(unsigned long)CLONE_NEWCGROUP;
        bool attach = false;
        char path[64];
        TRACE_BEGIN(t);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sb->sync_fd) < 0)
                return log_errno(-errno, "socketpair");
        /* The workload's host pid arrives as the credentials of its SYNC_STARTED message. */
        (void)setsockopt(sb->sync_fd[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));

        sb->pid1 = clone_namespaces(flags, sb->cg.payload_fd);
        if (sb->pid1 < 0 && sb->cg.payload_fd >= 0 &&
            (errno == ENOSYS || errno == E2BIG || errno == EINVAL)) {
                /* No CLONE_INTO_CGROUP (Linux < 5.7): moved below, before it may fork. */
                sb->pid1 = clone_namespaces(flags, -1);
                attach = true;
        }
        if (sb->pid1 < 0) {
                int r = -errno;
                if (r == -EPERM || r == -ENOSPC || r == -EACCES || r == -EINVAL)
                        return userns_explain_denied(-r);
                return log_errno(r, "clone");
        }
        if (sb->pid1 == 0)
                child_main(sb);
        close(sb->sync_fd[1]);
        sb->sync_fd[1] = -1;
        TRACE(t, "clone", "pid 1 of the sandbox is host pid %d", sb->pid1);
        if (attach) {
                int r = cgroup_attach(&sb->cg, sb->pid1);
                if (r < 0)
                        return r;
        }
        int r = session_capture(sb);
        if (r < 0)
                return r;
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
                if (session_started(sb) < 0) {
                        /* Nothing may run that ps, stop or enter cannot find, or that the
                         * user asked to stop at entry and that would not stop. */
                        sb->session.failed = true;
                        (void)kill(sb->pid1, SIGKILL);
                }
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

/* The network helper failed or died: the command must not run (or go on) without the network
 * it was promised. */
static void net_failed(struct sandbox *sb)
{
        sb->net_failed = true;
        (void)kill(sb->pid1, SIGKILL);
}

static void on_net_ready(struct sandbox *sb)
{
        int r = net_helper_check_ready(&sb->net);

        if (r < 0)
                net_failed(sb);
        else if (r > 0)
                /* sync 2; a child that already died is reaped on its SIGCHLD. */
                (void)sync_send(sb->sync_fd[0], SYNC_NET_READY, 0, 0);
}

/* Returns the wait status of pid 1. */
static int supervise(struct sandbox *sb, int sigfd)
{
        bool sock_open = true;
        int status;

        for (;;) {
                struct pollfd p[4] = {{sigfd, POLLIN, 0},
                                      {session_control_fd(sb), POLLIN, 0},
                                      {sock_open ? sb->sync_fd[0] : -1, POLLIN, 0},
                                      {sb->net.ready_fd, POLLIN, 0}};
                struct signalfd_siginfo si;

                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (sock_open && (p[2].revents & (POLLIN | POLLHUP)))
                        on_message(sb, &sock_open);
                if (p[1].revents & POLLIN)
                        session_on_control(sb);
                if (p[3].revents)
                        on_net_ready(sb);
                if (!(p[0].revents & POLLIN))
                        continue;
                if (read(sigfd, &si, sizeof si) != (ssize_t)sizeof si)
                        continue;
                if (si.ssi_signo == SIGCHLD) {
                        session_on_sigchld(sb);
                        if (net_helper_reaped(&sb->net))
                                net_failed(sb);
                        pid_t w = wait4(sb->pid1, &status, WNOHANG, &sb->rusage);
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
        (void)wait4(sb->pid1, &status, 0, &sb->rusage);
        return status;
}

static int exit_code(const struct sandbox *sb, int status)
{
        if (sb->net_failed)
                return EXIT_LAUNCHER;
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

/* The network modes that open the sandbox to the host say so, every time. */
static void net_warn(const struct config *c)
{
        if (c->net.mode == NET_HOST)
                log_warn("--net host: the sandbox shares your network namespace: it reaches every "
                         "service of this host, abstract unix sockets such as X11's included");
        if (c->net.allow_host_loopback)
                log_warn("--allow-host-loopback: the sandbox reaches every service bound to this "
                         "host's 127.0.0.1 and ::1, as 10.0.2.2 and fd00::2");
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
                             .net = NET_HELPER_NULL,
                             .storage = {.persist_fd = -1, .fuse_log = -1},
                             .image.hold_fd = -1};
        _cleanup_close_ int sigfd = -1;
        sigset_t mask;
        int r, status, code = EXIT_LAUNCHER;

        cgroup_init(&sb.cg);
        session_init(&sb.session);

        if ((r = cache_open(&sb.cache)) < 0 || (r = userns_plan_build(&sb.ids)) < 0)
                goto out;
        if (sb.ids.why_single)
                log_msg("%s", sb.ids.why_single);
        if ((r = check_identity(c, &sb.ids)) < 0)
                goto out;
        if ((r = cgroup_plan(c, &sb.cg)) < 0)
                goto out;
        if ((r = session_prepare(&sb)) < 0)
                goto out;
        net_warn(c);
        if ((r = image_open(c->image, &sb.cache, sb.ids.fingerprint, &sb.image)) < 0)
                goto out;
        if ((r = seccomp_prepare(c, sb.cache.fd, &sb.seccomp)) < 0 ||
            (r = storage_prepare(&c->storage, &sb.cache, &sb.storage)) < 0)
                goto out;
        if ((r = rundir_create(&sb.cache, &sb.run)) < 0)
                goto out;
        TRACE(0, "state", "run directory %s/run/%s created (the sandbox's id)", sb.cache.path,
              sb.run.id);
        if ((r = cgroup_create(c, &sb.cg, sb.run.id)) < 0)
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
        if (c->net.mode == NET_SLIRP &&
            (r = net_helper_start(c, sb.pid1, sb.userns_fd, &sb.net)) < 0)
                goto out_kill;
        if ((r = userns_write_maps(&sb.ids, sb.pid1)) < 0)
                goto out_kill;
        /* sync 1 */
        if ((r = sync_send(sb.sync_fd[0], SYNC_IDS_MAPPED, 0, 0)) < 0) {
                log_errno(r, "the sandbox's init is gone");
                goto out_kill;
        }
        /* While the child builds the root: the record costs the launch nothing. */
        if ((r = session_publish(&sb)) < 0)
                goto out_kill;
        status = supervise(&sb, sigfd);
        code = sb.session.failed ? EXIT_LAUNCHER : exit_code(&sb, status);
        cgroup_destroy(&sb.cg);
        cgroup_report(c, &sb.cg,
                      sb.got_exit ? (sb.exit_status < 0 ? sb.exit_signal : 0)
                                  : (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
        goto out;
out_kill:
        if (sb.pid1 > 0) {
                (void)kill(sb.pid1, SIGKILL);
                (void)waitpid(sb.pid1, NULL, 0);
        }
out:
        cgroup_destroy(&sb.cg);
        sb.oom_killed = sb.cg.stats.oom_kills > 0;
        session_finish(&sb, code);
        net_helper_stop(&sb.net);
        teardown(&sb);
        closep(&sb.sync_fd[0]);
        closep(&sb.userns_fd);
        rundir_close(&sb.run);
        storage_release(&sb.storage);
        image_close(&sb.image);
        seccomp_programs_free(&sb.seccomp);
        userns_plan_free(&sb.ids);
        cache_close(&sb.cache);
        cgroup_close(&sb.cg);
        session_close(&sb.session);
        return code;
}
