/* --status-json FILE|fd:N: one JSON line when the command starts (id, host pids) and one when
 * the launch ends (exit code or signal, OOM, wall and CPU time), for CI systems that drive the
 * launcher. Runs on the host, in the launcher. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "sandbox.h"
#include "sys.h"
#include "util.h"

int status_open(const char *spec, int *ret_fd)
{
        const char *fdspec = startswith(spec, "fd:");
        uint32_t n = 0;
        int fd, flags;

        if (fdspec) {
                (void)parse_u32(fdspec, &n); /* validated by the setter */
                flags = fcntl((int)n, F_GETFL);
                if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
                        return log_error("--status-json fd:%u: not a file descriptor open for "
                                         "writing",
                                         n);
                fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
        } else {
                fd = open(spec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        }
        if (fd < 0)
                return log_errno(-errno, "opening the status file %s", spec);
        *ret_fd = fd;
        return 0;
}

static void ids(struct json *j, const struct sandbox *sb)
{
        json_kv_string(j, "id", sb->run.id[0] ? sb->run.id : NULL);
        json_kv_string(j, "name", sb->cfg->name);
        json_kv_int(j, "launcher_pid", getpid());
        json_key(j, "pid1");
        if (sb->pid1 > 0)
                json_int(j, sb->pid1);
        else
                json_null(j);
        json_key(j, "command_pid");
        if (sb->command > 0)
                json_int(j, sb->command);
        else
                json_null(j);
}

static void emit(const struct sandbox *sb, struct json *j)
{
        json_end_object(j);
        _cleanup_free_ char *line = xasprintf("%s\n", json_text(j));
        (void)write_all(sb->session.status_fd, line, strlen(line));
        json_free(j);
}

void status_write_start(const struct sandbox *sb)
{
        struct json j;
        if (sb->session.status_fd < 0)
                return;
        json_init(&j);
        json_begin_object(&j);
        json_kv_string(&j, "event", "start");
        ids(&j, sb);
        json_kv_string(&j, "image", sb->image.path);
        json_kv_int(&j, "started_us", sb->session.started_us);
        emit(sb, &j);
}

static long long tv_us(struct timeval tv)
{
        return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

void status_write_exit(const struct sandbox *sb, int code)
{
        bool signalled = sb->got_exit && sb->exit_status < 0;
        struct json j;

        if (sb->session.status_fd < 0)
                return;
        json_init(&j);
        json_begin_object(&j);
        json_kv_string(&j, "event", "exit");
        ids(&j, sb);
        json_kv_int(&j, "exit_code", code);
        json_key(&j, "signal");
        if (signalled)
                json_int(&j, sb->exit_signal);
        else
                json_null(&j);
        _cleanup_free_ char *signame = signalled && sigabbrev_np(sb->exit_signal)
                                           ? xasprintf("SIG%s", sigabbrev_np(sb->exit_signal))
                                           : NULL;
        json_kv_string(&j, "signal_name", signame);
        json_kv_bool(&j, "oom_killed", sb->oom_killed);
        /* The command never reported an end: the launcher failed, or the sandbox's init was
         * killed; the message on stderr says which. */
        json_kv_bool(&j, "launcher_error", !sb->got_exit);
        json_kv_int(&j, "wall_time_us", (long long)(trace_now_us() - sb->session.t0_us));
        json_kv_int(&j, "cpu_user_us", tv_us(sb->rusage.ru_utime));
        json_kv_int(&j, "cpu_system_us", tv_us(sb->rusage.ru_stime));
        json_kv_int(&j, "max_rss_kb", sb->rusage.ru_maxrss);
        emit(sb, &j);
}
