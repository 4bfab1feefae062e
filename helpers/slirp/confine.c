/* How the helper and its agent confine themselves (see confine.h). libslirp parses every packet
 * the sandbox sends and has a history of parser bugs: a compromised helper must find nothing to
 * read, nothing to run, no capability and no host socket but the network it already serves.
 * Runs in the helper (host network namespace) and in the agent (the sandbox's). */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "landlock_ruleset.h"
#include "log.h"
#include "macro.h"

void close_fds_except(const int *keep, size_t n)
{
        unsigned from = 3;

        /* keep is tiny: repeatedly take the smallest fd not below `from`. */
        for (;;) {
                int next = -1;
                for (size_t i = 0; i < n; i++)
                        if (keep[i] >= (int)from && (next < 0 || keep[i] < next))
                                next = keep[i];
                if (next < 0)
                        break;
                if ((unsigned)next > from)
                        (void)syscall(SYS_close_range, from, (unsigned)next - 1, 0);
                from = (unsigned)next + 1;
        }
        (void)syscall(SYS_close_range, from, ~0U, 0);
}

/* --- capabilities ------------------------------------------------------------------------ */

static int caps_keep_only(uint64_t keep)
{
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct d[2] = {{0}};

        /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
        for (int c = 0; c < 64; c++) {
                if (keep & (1ULL << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
                        break; /* past the last capability this kernel knows */
        }
        (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        d[0].effective = d[0].permitted = (uint32_t)keep;
        d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
        if (syscall(SYS_capset, &h, d) < 0)
                return log_errno(-errno, "dropping the network helper's capabilities");
        return 0;
}

/* --- Landlock ------------------------------------------------------------------------------ */

/* No file access but reading readable_file (NULL: none); with deny_bind, no TCP bind. On a
 * kernel without Landlock this is a no-op: the private root and seccomp remain. */
static int landlock(const char *readable_file, int deny_bind)
{
        _cleanup_close_ int ruleset = -1, file = -1;
        int abi = landlock_abi(), r;

        if (abi < 1)
                return 0;
        ruleset = landlock_ruleset_new(abi, deny_bind ? LL_NET_BIND_TCP : 0, NULL);
        if (ruleset < 0)
                return log_errno(ruleset, "creating the helper's Landlock ruleset (ABI %d)", abi);
        if (readable_file) {
                file = open(readable_file, O_PATH | O_CLOEXEC);
                if (file < 0)
                        return log_errno(-errno, "opening %s", readable_file);
                r = landlock_allow(ruleset, file, LL_FS_READ_FILE);
                if (r < 0)
                        return log_errno(r, "adding a Landlock rule for %s", readable_file);
        }
        r = landlock_enforce(ruleset);
        if (r < 0)
                return log_errno(r, "entering the helper's Landlock domain");
        return 0;
}

/* --- seccomp ------------------------------------------------------------------------------- */

/* Allowed with any arguments. */
static const int helper_calls[] = {
    /* I/O on the fds it holds: tap0, sockets, pipes */
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close),
    SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(splice), SCMP_SYS(pipe2), SCMP_SYS(lseek),
    /* libslirp's sockets to the outside world */
    SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(recvfrom),
    SCMP_SYS(sendto), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg),
    SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
    SCMP_SYS(shutdown), SCMP_SYS(fcntl),
    /* libslirp re-reads /etc/resolv.conf when it changes: the only file there is */
    SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(statx), SCMP_SYS(stat),
    /* memory, time, glib's locks and randomness, the agent's death, exit */
    SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep), SCMP_SYS(futex),
    SCMP_SYS(getrandom), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(wait4),
    SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
    SCMP_SYS(sched_yield), SCMP_SYS(exit), SCMP_SYS(exit_group),
    /* the splice threads of published TCP ports (clone itself: see allow_threads) */
    SCMP_SYS(set_robust_list), SCMP_SYS(rseq)};

static const int agent_calls[] = {
    SCMP_SYS(read),    SCMP_SYS(write),      SCMP_SYS(close),          SCMP_SYS(recvmsg),
    SCMP_SYS(sendmsg), SCMP_SYS(setsockopt), SCMP_SYS(bind),           SCMP_SYS(connect),
    SCMP_SYS(brk),     SCMP_SYS(munmap),     SCMP_SYS(futex),          SCMP_SYS(rt_sigreturn),
    SCMP_SYS(exit),    SCMP_SYS(exit_group), SCMP_SYS(restart_syscall)};

static int allow_all(scmp_filter_ctx ctx, const int *calls, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* socket() of the two Internet families only: no unix socket (no way to the host's abstract
 * sockets), no netlink, no packet socket. */
static int allow_inet_sockets(scmp_filter_ctx ctx)
{
        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                                 SCMP_A0(SCMP_CMP_EQ, AF_INET));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                                     SCMP_A0(SCMP_CMP_EQ, AF_INET6));
        return r;
}

/* Memory that never becomes executable: no way to run injected code. */
static int allow_memory(scmp_filter_ctx ctx)
{
        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                                 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        return r;
}

/* Threads, and nothing else clone can make: no process, no namespace. clone3 passes its flags
 * in memory, where a filter cannot look, so it fails with ENOSYS and glibc falls back to
 * clone. */
static int allow_threads(scmp_filter_ctx ctx)
{
        const uint64_t mask = CLONE_THREAD | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
                              CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, mask, CLONE_THREAD));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        return r;
}

static int load_filter(bool helper)
{
        /* Anything else fails with EPERM; running a program is fatal. */
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        int r;

        if (!ctx)
                return log_error("seccomp_init failed");
        r = helper ? allow_all(ctx, helper_calls, ARRAY_SIZE(helper_calls))
                   : allow_all(ctx, agent_calls, ARRAY_SIZE(agent_calls));
        if (r >= 0)
                r = allow_inet_sockets(ctx);
        if (r >= 0 && helper)
                r = allow_memory(ctx);
        if (r >= 0 && helper)
                r = allow_threads(ctx);
        if (r >= 0 && helper) {
                /* FIONREAD (libslirp), FIONBIO, and glib's isatty() on stderr. */
                static const unsigned long reqs[] = {FIONREAD, FIONBIO, TCGETS};
                for (size_t i = 0; i < ARRAY_SIZE(reqs) && r >= 0; i++)
                        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, reqs[i]));
        }
        for (size_t i = 0; r >= 0 && i < 3; i++)
                r = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
                                     i == 0   ? SCMP_SYS(execve)
                                     : i == 1 ? SCMP_SYS(execveat)
                                              : SCMP_SYS(ptrace),
                                     0);
        if (r >= 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0)
                return log_errno(r, "loading the network helper's seccomp filter");
        return 0;
}

/* --- the helper's own root ----------------------------------------------------------------- */

static int write_proc_self(const char *file, const char *content)
{
        char path[64];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof path, "/proc/self/%s", file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
                return -errno;
        return 0;
}

static int private_root(const char *resolv_conf)
{
        static const char *const mountpoints[] = {"/tmp", "/mnt", "/run", "/dev"};
        char map[64];
        uid_t uid = getuid();
        gid_t gid = getgid();
        _cleanup_close_ int fd = -1;
        const char *at = NULL;
        int r;

        /* Its own user namespace, for the right to mount; the ids stay what they are. */
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return log_errno(-errno, "creating the network helper's own namespaces");
        snprintf(map, sizeof map, "%u %u 1\n", uid, uid);
        r = write_proc_self("uid_map", map);
        if (r >= 0)
                r = write_proc_self("setgroups", "deny");
        snprintf(map, sizeof map, "%u %u 1\n", gid, gid);
        if (r >= 0)
                r = write_proc_self("gid_map", map);
        if (r < 0)
                return log_errno(r, "mapping the network helper's ids");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return log_errno(-errno, "making the network helper's mounts private");
        for (size_t i = 0; i < ARRAY_SIZE(mountpoints) && !at; i++)
                if (mount("tmpfs", mountpoints[i], "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "size=64k,mode=0755") == 0)
                        at = mountpoints[i];
        if (!at)
                return log_errno(-errno, "mounting the network helper's tmpfs root");
        if (chdir(at) < 0 || mkdir("etc", 0755) < 0)
                return log_errno(-errno, "preparing the network helper's root");
        fd = open("etc/resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, resolv_conf, strlen(resolv_conf)) != (ssize_t)strlen(resolv_conf))
                return log_errno(-errno, "writing the network helper's resolv.conf");
        close(TAKE_FD(fd)); /* a file open for writing would keep the root from going read-only */
        /* The tmpfs becomes "/", the host's root is detached and gone. */
        if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
                return log_errno(-errno, "entering the network helper's root");
        if (mount(NULL, "/", NULL,
                  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return log_errno(-errno, "making the network helper's root read-only");
        return 0;
}

int confine_helper(const char *resolv_conf)
{
        int r = private_root(resolv_conf);

        if (r >= 0)
                r = caps_keep_only(0);
        if (r >= 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = log_errno(-errno, "setting no_new_privs");
        if (r >= 0)
                r = landlock("/etc/resolv.conf", 1);
        if (r >= 0)
                r = load_filter(true);
        return r;
}

int confine_agent(void)
{
        int r = caps_keep_only(1ULL << CAP_NET_ADMIN);

        if (r >= 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = log_errno(-errno, "setting no_new_privs");
        if (r >= 0)
                r = landlock(NULL, 0);
        if (r >= 0)
                r = load_filter(false);
        return r;
}
