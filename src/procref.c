/* A process named without races: a pidfd, checked against a state record while it pins the
 * process. Host side. */
#include "procref.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "record.h"
#include "sys.h"

int pidfd_open_pid(pid_t pid)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec by design */
        return fd < 0 ? -errno : fd;
}

int pidfd_signal(int pidfd, int sig)
{
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

bool pidfd_alive(int pidfd)
{
        int r = pidfd_signal(pidfd, 0);
        return r == 0 || r == -EPERM;
}

static int read_proc(pid_t pid, const char *file, char **ret)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
        return read_file_at(AT_FDCWD, path, 1 << 16, ret, NULL);
}

int proc_identity(pid_t pid, pid_t *ret_ppid, unsigned long long *ret_start)
{
        _cleanup_free_ char *stat = NULL;
        int r = read_proc(pid, "stat", &stat);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return proc_stat_parse(stat, ret_ppid, ret_start);
}

int procref_open(pid_t pid, unsigned long long start, pid_t ppid, uid_t uid)
{
        _cleanup_close_ int fd = pidfd_open_pid(pid);
        _cleanup_free_ char *status = NULL;
        unsigned long long got_start, got_uid;
        pid_t got_ppid;
        int r;

        if (fd < 0)
                return fd;
        /* From here the pid cannot be handed to another process until this one is reaped. */
        r = proc_identity(pid, &got_ppid, &got_start);
        if (r < 0)
                return r;
        if (uid != (uid_t)-1) {
                r = read_proc(pid, "status", &status);
                if (r < 0)
                        return r == -ENOENT ? -ESRCH : r;
                if (proc_status_field(status, "Uid", &got_uid) < 0)
                        return -EBADMSG;
        }
        /* Read while the pidfd's process was alive: what we read was that process. */
        if (!pidfd_alive(fd))
                return -ESRCH;
        if (got_start != start || (ppid && got_ppid != ppid) ||
            (uid != (uid_t)-1 && got_uid != uid))
                return -ESTALE;
        return TAKE_FD(fd);
}
