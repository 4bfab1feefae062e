/* probe: a static program placed inside sandboxes by the tests to report what it sees.
 * Runs as the workload (inside, privileges dropped) or, for comparison, on the host as an
 * unprivileged test user. Uses libc only; built with -static so it runs in any image.
 *
 * Output: one record per line on stdout, line-buffered. Most records are a single
 * `key=value`; the records marked (*) are several space-separated `key=value` pairs whose
 * first pair names the record. Values never contain spaces except where noted, so
 * `sed -n 's/^key=//p'` or `grep -o 'errno=[^ ]*'` extract them. Errno values are symbolic
 * (`EPERM`; `0` for success). Exit status is 0 once the report is printed, whatever the
 * reported call returned; 2 for a usage error. Subcommands and their keys:
 *
 *   ids                uid= gid= euid= egid= groups=(comma list) setgroups=allow|deny
 *                      uid_map=INSIDE OUTSIDE COUNT (one line per extent; spaces) gid_map=...
 *   ns [PIDDIR]        ns.NAME=INODE for every /proc/self/ns/NAME (sorted); with PIDDIR
 *                      (e.g. /proc/1) also ns.NAME.other=INODE and ns.NAME.same=1|0
 *   caps               CapInh= CapPrm= CapEff= CapBnd= CapAmb= (16 hex digits, as in
 *                      /proc/self/status) and CapXxx.names=CHOWN,DAC_OVERRIDE,... (empty: none)
 *   status             NoNewPrivs= Seccomp= Seccomp_filters=
 *   fds                (*) fd=N target=READLINK, for every open fd but the listing's own
 *   mounts             (*) mount=POINT fstype=T options=PER_MOUNT super=SUPER_OPTS root=R
 *                      source=S   (mountinfo order; octal escapes such as \040 kept)
 *   hostname           hostname= domainname=
 *   env                the environment, one NAME=VALUE per line, in order
 *   pid                pid= ppid= pgid= sid=
 *   try-syscall NAME [ARG...]
 *                      (*) syscall=NAME ret=R errno=E. NAMEs: tiocsti (also prints a record
 *                      for tiocsti-high: the same request with bit 32 set), tioclinux,
 *                      ptrace (PTRACE_TRACEME in a child), unshare-user, clone-newuser,
 *                      mount [DIR=/tmp], keyctl, bpf, perf_event_open, userfaultfd,
 *                      io_uring_setup, personality [PERSONA=0xffffffff], socket-vsock,
 *                      socket-alg, socket-packet, socket-raw, chown [PATH [UID [GID]]]
 *                      (default: creates /tmp/.probe-chown, 1:1), mknod [PATH=/tmp/.probe-
 *                      mknod] (char 1:3), setuid [UID=1000], kill1 (kill(1, 0)), reboot
 *                      (a harmless invalid magic: EPERM without CAP_SYS_BOOT, else EINVAL),
 *                      clone3 (a plain fork through clone3), fsopen (tmpfs), open_tree (/),
 *                      the same calls through a foreign ABI: i386-keyctl and
 *                      i386-unshare-user (int 0x80), x32-keyctl (x32 numbering; ENOSYS
 *                      where the kernel has x32 off). userfaultfd asks for user-mode faults
 *                      only, which needs no privilege. bind [PORT=80] binds a TCP socket
 *                      to 127.0.0.1:PORT (below 1024 it needs NET_BIND_SERVICE).
 *   getppid-loop N     calls getppid() N times: calls=N ns_per_call=X.XX (the seccomp bench)
 *   write PATH [DATA]  (*) path=P ret=R errno=E   create/append DATA (default "probe\n")
 *   read PATH          (*) path=P ret=R errno=E bytes=N
 *   stat PATH          (*) path=P ret=R errno=E type=reg|dir|lnk|chr|blk|fifo|sock mode=0755
 *                      uid= gid= size= nlink= ino= dev=MAJ:MIN rdev=MAJ:MIN [link=TARGET]
 *                      (lstat; on failure only path, ret and errno)
 *   chroot-escape PATH (*) chroot=0|ERRNO escaped-path=P exists=0|1   (tries the classic
 *                      chroot-then-chdir("..") escape, then tells whether PATH exists)
 *   sleep SECONDS      sleeps (fractions allowed), then prints slept=SECONDS
 *   signal-wait        prints ready=1, then signal=SIGNAME for each signal received;
 *                      exits 0 after SIGTERM
 *   exit N             exits with status N, printing nothing
 *   kill-self SIG      kills itself with SIG (a number or a name such as TERM or SIGKILL)
 *   hog MB             allocates and touches MB megabytes, 1 MB at a time, printing hog.mb=N
 *                      every 8 MB, then hog=done mb=N (an OOM kill stops it before)
 *   fork N             forks up to N children that wait; prints forked=K errno=E (E: why the
 *                      next fork failed, 0 if all N were made), then kills and reaps them
 *   spin SECONDS       busy-loops for SECONDS of wall time; prints spin.wall_ms=W
 *                      spin.cpu_ms=C (the CPU time it got)
 *   clock              clock.realtime_us=N (CLOCK_REALTIME: the same clock inside and out)
 *   tcp, udp, dns, serve, echo, unix, raw, ifaddrs
 *                      network clients and servers: see probe_net.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_net.h"

static const char *errname(int e)
{
        static char buf[16];
        const char *n = e ? strerrorname_np(e) : "0";

        if (n)
                return n;
        snprintf(buf, sizeof buf, "E%d", e);
        return buf;
}

static const char *arg(int argc, char **argv, int i, const char *def)
{
        return i < argc ? argv[i] : def;
}

static void print_map(const char *path, const char *key)
{
        unsigned long a, b, c;
        FILE *f = fopen(path, "re");

        if (!f) {
                printf("%s.errno=%s\n", key, errname(errno));
                return;
        }
        while (fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3)
                printf("%s=%lu %lu %lu\n", key, a, b, c);
        fclose(f);
}

static int cmd_ids(int argc, char **argv)
{
        gid_t groups[256];
        int n = getgroups(256, groups);
        char line[64] = "";
        FILE *f = fopen("/proc/self/setgroups", "re");

        printf("uid=%u\ngid=%u\neuid=%u\negid=%u\ngroups=", getuid(), getgid(), geteuid(),
               getegid());
        for (int i = 0; i < n; i++)
                printf("%s%u", i ? "," : "", groups[i]);
        if (f && fgets(line, sizeof line, f))
                line[strcspn(line, "\n")] = 0;
        if (f)
                fclose(f);
        printf("\nsetgroups=%s\n", line);
        print_map("/proc/self/uid_map", "uid_map");
        print_map("/proc/self/gid_map", "gid_map");
        return 0;
}

static int cmd_ns(int argc, char **argv)
{
        const char *other = arg(argc, argv, 0, NULL);
        struct dirent **names;
        int n = scandir("/proc/self/ns", &names, NULL, alphasort);

        if (n < 0)
                printf("ns.errno=%s\n", errname(errno));
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                char path[300];
                struct stat self, st;
                if (name[0] == '.')
                        continue;
                snprintf(path, sizeof path, "/proc/self/ns/%s", name);
                if (stat(path, &self) < 0)
                        printf("ns.%s.errno=%s\n", name, errname(errno));
                else
                        printf("ns.%s=%lu\n", name, (unsigned long)self.st_ino);
                snprintf(path, sizeof path, "%s/ns/%s", other ? other : "", name);
                if (other && stat(path, &st) < 0)
                        printf("ns.%s.other.errno=%s\n", name, errname(errno));
                else if (other)
                        printf("ns.%s.other=%lu\nns.%s.same=%d\n", name, (unsigned long)st.st_ino,
                               name, st.st_ino == self.st_ino && st.st_dev == self.st_dev);
        }
        return 0;
}

/* Capability names by bit number, as in <linux/capability.h> without the CAP_ prefix. */
static const char cap_names[] =
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
    "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
    "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
    "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
    "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
    "CHECKPOINT_RESTORE";

static void print_cap_names(unsigned long long mask)
{
        const char *sep = "";

        for (int bit = 0; bit < 64; bit++) {
                const char *w = cap_names;
                if (!(mask & (1ULL << bit)))
                        continue;
                for (int i = 0; i < bit && w; i++)
                        w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL;
                if (w)
                        printf("%s%.*s", sep, (int)strcspn(w, " "), w);
                else
                        printf("%sbit%d", sep, bit);
                sep = ",";
        }
}

/* Prints the /proc/self/status lines named in keys (a space-separated list) as key=value. */
static int print_status(const char *keys, int decode_caps)
{
        char line[512];
        FILE *f = fopen("/proc/self/status", "re");

        if (!f) {
                printf("status.errno=%s\n", errname(errno));
                return 0;
        }
        while (fgets(line, sizeof line, f)) {
                char *colon = strchr(line, ':'), *v, *hit;
                size_t len;
                if (!colon)
                        continue;
                *colon = 0;
                len = strlen(line);
                hit = strstr(keys, line);
                if (!hit || (hit != keys && hit[-1] != ' ') || (hit[len] && hit[len] != ' '))
                        continue;
                v = colon + 1 + strspn(colon + 1, " \t");
                v[strcspn(v, "\n")] = 0;
                printf("%s=%s\n", line, v);
                if (decode_caps) {
                        printf("%s.names=", line);
                        print_cap_names(strtoull(v, NULL, 16));
                        putchar('\n');
                }
        }
        fclose(f);
        return 0;
}

static int cmd_caps(int argc, char **argv)
{
        return print_status("CapInh CapPrm CapEff CapBnd CapAmb", 1);
}

static int cmd_status(int argc, char **argv)
{
        return print_status("NoNewPrivs Seccomp Seccomp_filters", 0);
}

static int cmd_fds(int argc, char **argv)
{
        struct dirent *e;
        DIR *d = opendir("/proc/self/fd");

        if (!d) {
                printf("fds.errno=%s\n", errname(errno));
                return 0;
        }
        while ((e = readdir(d))) {
                char path[300], target[4096];
                ssize_t n;
                if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
                        continue;
                snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
                n = readlink(path, target, sizeof target - 1);
                target[n < 0 ? 0 : n] = 0;
                printf("fd=%s target=%s\n", e->d_name, n < 0 ? errname(errno) : target);
        }
        closedir(d);
        return 0;
}

static int cmd_mounts(int argc, char **argv)
{
        char line[4096];
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f) {
                printf("mounts.errno=%s\n", errname(errno));
                return 0;
        }
        while (fgets(line, sizeof line, f)) {
                /* id parent maj:min root point options [optional...] - fstype source super */
                char *field[24] = {0}, *save = NULL;
                int n = 0, dash = -1;
                line[strcspn(line, "\n")] = 0;
                for (char *t = strtok_r(line, " ", &save); t && n < 24;
                     t = strtok_r(NULL, " ", &save)) {
                        if (strcmp(t, "-") == 0 && dash < 0)
                                dash = n;
                        field[n++] = t;
                }
                if (dash < 6 || dash + 1 >= n)
                        continue;
                printf("mount=%s fstype=%s options=%s super=%s root=%s source=%s\n", field[4],
                       field[dash + 1], field[5], arg(n, field, dash + 3, ""), field[3],
                       arg(n, field, dash + 2, ""));
        }
        fclose(f);
        return 0;
}

static int cmd_hostname(int argc, char **argv)
{
        struct utsname u;

        uname(&u);
        printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
        return 0;
}

static int cmd_env(int argc, char **argv)
{
        for (char **e = environ; *e; e++)
                printf("%s\n", *e);
        return 0;
}

static int cmd_pid(int argc, char **argv)
{
        printf("pid=%d\nppid=%d\npgid=%d\nsid=%d\n", getpid(), getppid(), getpgrp(), getsid(0));
        return 0;
}

/* A system call through the i386 ABI (int 0x80), which a 64-bit process can also enter:
 * returns -1 with errno set, as syscall() does. ENOSYS on other machines. */
static long int80(long nr, long a, long b, long c)
{
#ifdef __x86_64__
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        if (ret < 0 && ret > -4096) {
                errno = (int)-ret;
                return -1;
        }
        return ret;
#else
        errno = ENOSYS;
        return -1;
#endif
}

/* Runs PTRACE_TRACEME (what 1), unshare(CLONE_NEWUSER) (0), or the same unshare through the
 * i386 ABI (2) in a child, which reports its errno as exit status, so that the probe itself
 * stays unchanged. */
static long in_child(int what)
{
        int status;
        pid_t pid = fork();

        if (pid == 0)
                _exit((what == 1   ? ptrace(PTRACE_TRACEME, 0, NULL, NULL)
                       : what == 2 ? int80(310 /* unshare */, CLONE_NEWUSER, 0, 0)
                                   : unshare(CLONE_NEWUSER)) < 0
                          ? errno
                          : 0);
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return -1;
        errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
        return errno ? -1 : 0;
}

/* For the calls that return a new fd: closes it, returns the result unchanged. */
static long closed(long fd)
{
        if (fd >= 0)
                close((int)fd);
        return fd;
}

/* One call of try-syscall: returns its result with errno set, or -2 for an unknown name. */
static long try_one(const char *n, int argc, char **argv)
{
        char c = 0, attr[128] = {0};
        long r;

        if (strcmp(n, "tiocsti") == 0)
                return syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, &c);
        if (strcmp(n, "tiocsti-high") == 0) /* what the kernel truncates to TIOCSTI */
                return syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, &c);
        if (strcmp(n, "tioclinux") == 0) /* subcode 0 does not exist: harmless where allowed */
                return syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX, &c);
        if (strcmp(n, "ptrace") == 0)
                return in_child(1);
        if (strcmp(n, "unshare-user") == 0)
                return in_child(0);
        if (strcmp(n, "clone-newuser") == 0) {
                r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
                if (r == 0)
                        _exit(0);
                if (r > 0)
                        waitpid((pid_t)r, NULL, 0);
                return r < 0 ? -1 : 0;
        }
        if (strcmp(n, "mount") == 0) {
                r = mount("probe", arg(argc, argv, 0, "/tmp"), "tmpfs", MS_NOSUID, "size=64k");
                if (r == 0)
                        umount2(arg(argc, argv, 0, "/tmp"), MNT_DETACH);
                return r;
        }
        if (strcmp(n, "keyctl") == 0)
                return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0);
        if (strcmp(n, "bpf") == 0)
                return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
        if (strcmp(n, "perf_event_open") == 0) {
                attr[0] = 1; /* PERF_TYPE_SOFTWARE, config 0: cpu-clock; then the size */
                attr[4] = (char)sizeof attr;
                return closed(syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
        }
        if (strcmp(n, "userfaultfd") == 0) /* UFFD_USER_MODE_ONLY: allowed unprivileged */
                return closed(syscall(SYS_userfaultfd, O_CLOEXEC | 1));
        if (strcmp(n, "io_uring_setup") == 0) /* attr: a zeroed struct io_uring_params */
                return closed(syscall(425 /* SYS_io_uring_setup */, 1, attr));
        if (strcmp(n, "personality") == 0)
                return syscall(SYS_personality, strtoul(arg(argc, argv, 0, "0xffffffff"), 0, 0));
        if (strcmp(n, "socket-vsock") == 0)
                return closed(socket(40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (strcmp(n, "socket-alg") == 0)
                return closed(socket(38 /* AF_ALG */, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        if (strcmp(n, "socket-packet") == 0)
                return closed(
                    socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0x0300 /* htons(ETH_P_ALL) */));
        if (strcmp(n, "socket-raw") == 0)
                return closed(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 1 /* IPPROTO_ICMP */));
        if (strcmp(n, "chown") == 0) {
                if (argc < 1)
                        close(open("/tmp/.probe-chown", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
                return chown(arg(argc, argv, 0, "/tmp/.probe-chown"),
                             (uid_t)atoi(arg(argc, argv, 1, "1")),
                             (gid_t)atoi(arg(argc, argv, 2, "1")));
        }
        if (strcmp(n, "mknod") == 0) {
                unlink(arg(argc, argv, 0, "/tmp/.probe-mknod"));
                return mknod(arg(argc, argv, 0, "/tmp/.probe-mknod"), S_IFCHR | 0600,
                             makedev(1, 3));
        }
        if (strcmp(n, "setuid") == 0)
                return setuid((uid_t)atoi(arg(argc, argv, 0, "1000")));
        if (strcmp(n, "kill1") == 0)
                return kill(1, 0);
        if (strcmp(n, "reboot") == 0) /* invalid magic2: checked after CAP_SYS_BOOT */
                return syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0, 0, NULL);
        if (strcmp(n, "bind") == 0) {
                struct sockaddr_in a = {.sin_family = AF_INET,
                                        .sin_port = htons((uint16_t)atoi(arg(argc, argv, 0, "80"))),
                                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -1;
                r = bind(fd, (struct sockaddr *)&a, sizeof a);
                close(fd);
                return r;
        }
        if (strcmp(n, "clone3") == 0) {
                uint64_t args[11] = {0};
                args[4] = SIGCHLD; /* exit_signal */
                r = syscall(435 /* SYS_clone3 */, args, 64 /* CLONE_ARGS_SIZE_VER0 */);
                if (r == 0)
                        _exit(0);
                if (r > 0)
                        waitpid((pid_t)r, NULL, 0);
                return r < 0 ? -1 : 0;
        }
        if (strcmp(n, "fsopen") == 0)
                return closed(syscall(430 /* SYS_fsopen */, "tmpfs", 0));
        if (strcmp(n, "open_tree") == 0)
                return closed(syscall(428 /* SYS_open_tree */, AT_FDCWD, "/", 0));
        if (strcmp(n, "i386-keyctl") == 0)
                return int80(288 /* keyctl */, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0);
        if (strcmp(n, "i386-unshare-user") == 0)
                return in_child(2);
        if (strcmp(n, "x32-keyctl") == 0)
                return syscall(0x40000000 | SYS_keyctl, KEYCTL_GET_KEYRING_ID,
                               KEY_SPEC_USER_KEYRING, 0);
        return -2;
}

static int cmd_try_syscall(int argc, char **argv)
{
        const char *name = argv[0];

        for (int pass = 0; pass < (strcmp(name, "tiocsti") == 0 ? 2 : 1); pass++) {
                long r;
                if (pass)
                        name = "tiocsti-high";
                errno = 0;
                r = try_one(name, argc - 1, argv + 1);
                if (r == -2) {
                        fprintf(stderr, "probe: unknown syscall name '%s'\n", name);
                        return 2;
                }
                printf("syscall=%s ret=%ld errno=%s\n", name, r < 0 ? -1 : r,
                       r < 0 ? errname(errno) : "0");
        }
        return 0;
}

static void print_result(const char *path, int r, int err)
{
        printf("path=%s ret=%d errno=%s", path, r, r < 0 ? errname(err) : "0");
}

static int cmd_write(int argc, char **argv)
{
        const char *data = arg(argc, argv, 1, "probe\n");
        int fd = open(argv[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644), r = -1;

        if (fd >= 0) {
                r = write(fd, data, strlen(data)) == (ssize_t)strlen(data) ? 0 : -1;
                if (close(fd) < 0)
                        r = -1;
        }
        print_result(argv[0], r, errno);
        putchar('\n');
        return 0;
}

static int cmd_read(int argc, char **argv)
{
        char buf[65536];
        long long total = 0;
        ssize_t n = 0;
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
                total += n;
        print_result(argv[0], fd < 0 || n < 0 ? -1 : 0, errno);
        printf(" bytes=%lld\n", total);
        return 0;
}

static const char *file_type(mode_t m)
{
        return S_ISREG(m)    ? "reg"
               : S_ISDIR(m)  ? "dir"
               : S_ISLNK(m)  ? "lnk"
               : S_ISCHR(m)  ? "chr"
               : S_ISBLK(m)  ? "blk"
               : S_ISFIFO(m) ? "fifo"
                             : "sock";
}

static int cmd_stat(int argc, char **argv)
{
        struct stat st;
        char target[4096];
        ssize_t n;

        if (lstat(argv[0], &st) < 0) {
                print_result(argv[0], -1, errno);
                putchar('\n');
                return 0;
        }
        print_result(argv[0], 0, 0);
        printf(" type=%s mode=%04o uid=%u gid=%u size=%lld nlink=%lu ino=%lu dev=%u:%u rdev=%u:%u",
               file_type(st.st_mode), st.st_mode & 07777, st.st_uid, st.st_gid,
               (long long)st.st_size, (unsigned long)st.st_nlink, (unsigned long)st.st_ino,
               major(st.st_dev), minor(st.st_dev), major(st.st_rdev), minor(st.st_rdev));
        if (S_ISLNK(st.st_mode) && (n = readlink(argv[0], target, sizeof target - 1)) >= 0)
                printf(" link=%.*s", (int)n, target);
        putchar('\n');
        return 0;
}

static int cmd_chroot_escape(int argc, char **argv)
{
        char dir[] = "/tmp/.probe-escape-XXXXXX";
        int err = 0;

        if (!mkdtemp(dir) || chroot(dir) < 0)
                err = errno;
        for (int i = 0; i < 64 && !err; i++)
                if (chdir("..") < 0) /* the cwd is outside the new root: ".." is not stopped */
                        break;
        if (!err && chroot(".") < 0)
                err = errno;
        printf("chroot=%s escaped-path=%s exists=%d\n", errname(err), argv[0],
               access(argv[0], F_OK) == 0);
        rmdir(dir);
        return 0;
}

static int cmd_sleep(int argc, char **argv)
{
        double s = strtod(argv[0], NULL);
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        printf("slept=%s\n", argv[0]);
        return 0;
}

static int cmd_signal_wait(int argc, char **argv)
{
        sigset_t all;

        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        printf("ready=1\n");
        for (;;) {
                int sig = sigwaitinfo(&all, NULL);
                if (sig < 0)
                        continue;
                if (sigabbrev_np(sig))
                        printf("signal=SIG%s\n", sigabbrev_np(sig));
                else
                        printf("signal=SIGRTMIN+%d\n", sig - SIGRTMIN);
                if (sig == SIGTERM)
                        return 0;
        }
}

static int cmd_getppid_loop(int argc, char **argv)
{
        long n = atol(argv[0]);
        struct timespec a, b;

        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < n; i++)
                syscall(SYS_getppid);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("calls=%ld ns_per_call=%.2f\n", n,
               n > 0 ? ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
                           (double)n
                     : 0.0);
        return 0;
}

static int cmd_exit(int argc, char **argv)
{
        return atoi(argv[0]);
}

static int cmd_kill_self(int argc, char **argv)
{
        const char *name = argv[0] + (strncasecmp(argv[0], "SIG", 3) == 0 ? 3 : 0);
        struct rlimit no_core = {0, 0};
        sigset_t set;
        char *end;
        int sig = (int)strtol(argv[0], &end, 10);

        for (int s = 1; *end && s < NSIG; s++)
                if (sigabbrev_np(s) && strcasecmp(sigabbrev_np(s), name) == 0)
                        sig = s, end = (char *)"";
        if (*end || sig <= 0 || sig >= NSIG) {
                fprintf(stderr, "probe: bad signal '%s'\n", argv[0]);
                return 2;
        }
        setrlimit(RLIMIT_CORE, &no_core);
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
        fprintf(stderr, "probe: still alive after signal %d\n", sig);
        return 1;
}

static int cmd_hog(int argc, char **argv)
{
        long mb = atol(argv[0]), i;

        for (i = 0; i < mb; i++) {
                char *p = malloc(1 << 20);
                if (!p)
                        break;
                for (size_t o = 0; o < (1 << 20); o += 4096)
                        p[o] = (char)(o + 1); /* touch every page: resident, not just mapped */
                if ((i + 1) % 8 == 0)
                        printf("hog.mb=%ld\n", i + 1);
        }
        printf("hog=done mb=%ld\n", i);
        return 0;
}

static int cmd_fork(int argc, char **argv)
{
        long n = atol(argv[0]), k;
        pid_t *kids = calloc((size_t)(n > 0 ? n : 1), sizeof *kids);
        int err = 0;

        for (k = 0; kids && k < n; k++) {
                pid_t p = fork();
                if (p < 0) {
                        err = errno;
                        break;
                }
                if (p == 0) {
                        pause();
                        _exit(0);
                }
                kids[k] = p;
        }
        printf("forked=%ld errno=%s\n", k, errname(err));
        for (long i = 0; i < k; i++)
                kill(kids[i], SIGKILL);
        for (long i = 0; i < k; i++)
                waitpid(kids[i], NULL, 0);
        return 0;
}

static double now_s(clockid_t clock)
{
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_spin(int argc, char **argv)
{
        double secs = strtod(argv[0], NULL), start = now_s(CLOCK_MONOTONIC);
        double cpu0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        volatile unsigned long x = 0;

        while (now_s(CLOCK_MONOTONIC) - start < secs)
                for (int i = 0; i < 100000; i++)
                        x += (unsigned long)i;
        printf("spin.wall_ms=%.0f spin.cpu_ms=%.0f\n", (now_s(CLOCK_MONOTONIC) - start) * 1000,
               (now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0) * 1000);
        return 0;
}

static int cmd_clock(int argc, char **argv)
{
        printf("clock.realtime_us=%.0f\n", now_s(CLOCK_REALTIME) * 1e6);
        return 0;
}

static const struct {
        const char *name;
        int min_args, max_args;
        int (*fn)(int argc, char **argv);
} commands[] = {
    {"ids", 0, 0, cmd_ids},
    {"ns", 0, 1, cmd_ns},
    {"caps", 0, 0, cmd_caps},
    {"status", 0, 0, cmd_status},
    {"fds", 0, 0, cmd_fds},
    {"mounts", 0, 0, cmd_mounts},
    {"hostname", 0, 0, cmd_hostname},
    {"env", 0, 0, cmd_env},
    {"pid", 0, 0, cmd_pid},
    {"try-syscall", 1, 4, cmd_try_syscall},
    {"write", 1, 2, cmd_write},
    {"read", 1, 1, cmd_read},
    {"stat", 1, 1, cmd_stat},
    {"chroot-escape", 1, 1, cmd_chroot_escape},
    {"sleep", 1, 1, cmd_sleep},
    {"signal-wait", 0, 0, cmd_signal_wait},
    {"exit", 1, 1, cmd_exit},
    {"kill-self", 1, 1, cmd_kill_self},
    {"getppid-loop", 1, 1, cmd_getppid_loop},
    {"hog", 1, 1, cmd_hog},
    {"fork", 1, 1, cmd_fork},
    {"spin", 1, 1, cmd_spin},
    {"clock", 0, 0, cmd_clock},
    {"tcp", 2, 3, probe_tcp},
    {"udp", 2, 3, probe_udp},
    {"dns", 1, 3, probe_dns},
    {"serve", 3, 3, probe_serve},
    {"unix", 1, 1, probe_unix},
    {"raw", 4, 4, probe_raw},
    {"ifaddrs", 0, 0, probe_ifaddrs},
    {"echo", 2, 2, probe_echo},
};

int main(int argc, char **argv)
{
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof *commands; i++)
                if (strcmp(argv[1], commands[i].name) == 0 && argc - 2 >= commands[i].min_args &&
                    argc - 2 <= commands[i].max_args)
                        return commands[i].fn(argc - 2, argv + 2);
        fputs("usage: probe ids | ns [PIDDIR] | caps | status | fds | mounts | hostname | env |\n"
              "  pid | try-syscall NAME [ARG...] | write PATH [DATA] | read PATH | stat PATH |\n"
              "  chroot-escape PATH | sleep SECONDS | signal-wait | exit N | kill-self SIG |\n"
              "  getppid-loop N | hog MB | fork N | spin SECONDS | clock\n"
              "  tcp HOST PORT [DATA] | udp HOST PORT [DATA] | dns NAME [a|aaaa] [SERVER] |\n"
              "  serve tcp|udp PORT COUNT | echo PORT COUNT | unix @NAME |\n"
              "  raw IFACE DST tcp|udp PORT | ifaddrs\n"
              "(the header of tests/probe/probe.c documents the output)\n",
              stderr);
        return 2;
}
