/* A running sandbox named on the command line, found through its state record and checked
 * against the live processes. Runs on the host, as the invoking user. */
#include "target.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "procref.h"

/* A pidfd of one process of the record, or a one-line error. The checks, while the pidfd pins
 * the pid: the start time the launcher recorded, the parent (pid 1 is the launcher's child,
 * the command pid 1's) and, for the launcher and pid 1, the owner. */
static int open_checked(const struct target *t, const char *what, pid_t pid,
                        unsigned long long start, pid_t ppid, uid_t uid)
{
        int fd = procref_open(pid, start, ppid, uid);
        if (fd == -ESRCH)
                return log_error("sandbox %s is not running any more (its %s, host pid %d, is "
                                 "gone)",
                                 t->rec.id, what, pid);
        if (fd == -ESTALE)
                return log_error("the state record of sandbox %s does not match its %s (host pid "
                                 "%d is another process now, or the record was edited); refusing",
                                 t->rec.id, what, pid);
        if (fd < 0)
                return log_errno(fd, "checking the %s of sandbox %s (host pid %d)", what, t->rec.id,
                                 pid);
        return fd;
}

int target_open(const char *ref, unsigned what, struct target *ret)
{
        struct state_record *rec = &ret->rec;
        int r;

        *ret = (struct target){.dir.fd = -1, .launcher_fd = -1, .pid1_fd = -1, .command_fd = -1};
        r = state_dir_open(&ret->dir, false);
        if (r == -ENOENT)
                return log_error("no running sandbox %s (sandbox ps lists them)", ref);
        if (r < 0)
                return r;
        r = state_resolve(&ret->dir, ref, rec);
        if (r == -ENOENT)
                return log_error("no running sandbox %s (sandbox ps lists them)", ref);
        if (r == -ENOTUNIQ)
                return log_error("'%s' is the start of several sandbox ids; give more of it", ref);
        if (r < 0)
                return log_errno(r, "reading the state records in %s", ret->dir.path);
        /* The record lives in a directory only this user can write, and says so itself. */
        if (rec->uid != getuid())
                return log_error("sandbox %s belongs to uid %u, not to you", rec->id, rec->uid);
        if ((what & TARGET_LAUNCHER) &&
            (ret->launcher_fd = open_checked(ret, "launcher", rec->launcher_pid,
                                             rec->launcher_start, 0, getuid())) < 0)
                return ret->launcher_fd;
        if ((what & TARGET_PID1) &&
            (ret->pid1_fd = open_checked(ret, "init (pid 1)", rec->pid1, rec->pid1_start,
                                         rec->launcher_pid, getuid())) < 0)
                return ret->pid1_fd;
        if ((what & TARGET_COMMAND) && rec->command_pid <= 0)
                return log_error("sandbox %s is still starting; try again in a moment", rec->id);
        /* The command may run as any mapped id: its parent and start time name it. */
        if ((what & TARGET_COMMAND) &&
            (ret->command_fd = open_checked(ret, "command", rec->command_pid, rec->command_start,
                                            rec->pid1, (uid_t)-1)) < 0)
                return ret->command_fd;
        return 0;
}

void target_close(struct target *t)
{
        closep(&t->launcher_fd);
        closep(&t->pid1_fd);
        closep(&t->command_fd);
        record_free(&t->rec);
        state_dir_close(&t->dir);
}
