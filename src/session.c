/* A launch as seen from outside while it runs: its state record, its control socket, and the
 * calls into --status-json and --stop-at-entry. Runs on the host, in the launcher. */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "macro.h"
#include "net.h"
#include "procref.h"
#include "sandbox.h"
#include "sys.h"
#include "util.h"

void session_init(struct session *s)
{
        *s = (struct session){.dir.fd = -1,
                              .record_fd = -1,
                              .control_fd = -1,
                              .status_fd = -1,
                              .pid1_fd = -1,
                              .command_fd = -1};
        for (int i = 0; i < NS_COUNT; i++)
                s->ns_fd[i] = -1;
}

static long long realtime_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int session_prepare(struct sandbox *sb)
{
        const struct config *c = sb->cfg;
        struct session *s = &sb->session;
        char other[17];
        int r;

        s->t0_us = trace_now_us();
        s->started_us = realtime_us();
        if (c->status_json && (r = status_open(c->status_json, &s->status_fd)) < 0)
                return r;
        if ((r = state_dir_open(&s->dir, true)) < 0)
                return r;
        /* Early, to fail before anything is built; checked again under a lock at publishing. */
        if (c->name && state_name_taken(&s->dir, c->name, other))
                return log_error("a sandbox named %s is already running (id %s); pick another "
                                 "--name, or stop it: sandbox stop %s",
                                 c->name, other, c->name);
        return 0;
}

int session_capture(struct sandbox *sb)
{
        struct session *s = &sb->session;
        char path[64];
        struct stat st;

        s->pid1_fd = pidfd_open_pid(sb->pid1);
        if (s->pid1_fd < 0)
                return log_errno(s->pid1_fd, "pidfd_open of the sandbox's init (Linux 5.3 or "
                                             "later)");
        for (int i = 0; i < NS_COUNT; i++) {
                snprintf(path, sizeof path, "/proc/%d/ns/%s", sb->pid1, ns_names[i]);
                s->ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (s->ns_fd[i] < 0 || fstat(s->ns_fd[i], &st) < 0)
                        return log_errno(-errno, "opening %s", path);
                s->ns_ino[i] = (unsigned long long)st.st_ino;
                TRACE(0, "namespace", "%s:[%llu]", ns_names[i], s->ns_ino[i]);
        }
        return 0;
}

/* "0 1002 1,1 200000 65536" */
static char *map_text(const struct id_map *m)
{
        char *out = xstrdup("");
        for (size_t i = 0; i < m->n; i++) {
                char *n = xasprintf("%s%s%u %u %u", out, i ? "," : "", m->ext[i].inside,
                                    m->ext[i].outside, m->ext[i].count);
                free(out);
                out = n;
        }
        return out;
}

/* The launcher's own command line, as `sandbox enter` needs it to rebuild the config. */
static char **own_argv(void)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        char **argv = NULL;
        if (read_file_at(AT_FDCWD, "/proc/self/cmdline", 1 << 20, &buf, &len) < 0)
                return NULL;
        for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
                strv_push_dup(&argv, buf + i);
        return argv;
}

/* "512M", "max": as a person would write it on the command line. */
static char *size_text(int64_t v)
{
        static const char suffix[] = "KMGT";
        int i = -1;
        if (v == LIMIT_MAX)
                return xstrdup("max");
        while (i < 3 && v >= 1024 && v % 1024 == 0) {
                v /= 1024;
                i++;
        }
        return i < 0 ? xasprintf("%lld", (long long)v)
                     : xasprintf("%lld%c", (long long)v, suffix[i]);
}

static char *count_text(int64_t v)
{
        return v == LIMIT_MAX ? xstrdup("max") : xasprintf("%lld", (long long)v);
}

static void push_limit(char ***v, const char *name, char *value)
{
        strv_push(v, xasprintf("%s=%s", name, value));
        free(value);
}

/* The limits asked for, one "name=value" each, as their options spell them, for ps. */
static char **limits_text(const struct limits *l)
{
        char **v = NULL;
        if (l->memory_max != LIMIT_UNSET)
                push_limit(&v, "memory", size_text(l->memory_max));
        if (l->memory_swap_max != LIMIT_UNSET)
                push_limit(&v, "memory-swap", size_text(l->memory_swap_max));
        if (l->pids_max != LIMIT_UNSET)
                push_limit(&v, "pids", count_text(l->pids_max));
        if (l->cpu_quota_us == LIMIT_MAX)
                push_limit(&v, "cpus", xstrdup("max"));
        else if (l->cpu_quota_us != LIMIT_UNSET && l->cpu_period_us > 0)
                push_limit(&v, "cpus",
                           xasprintf("%g", (double)l->cpu_quota_us / (double)l->cpu_period_us));
        if (l->cpu_weight != LIMIT_UNSET)
                push_limit(&v, "cpu-weight", count_text(l->cpu_weight));
        if (l->io_weight != LIMIT_UNSET)
                push_limit(&v, "io-weight", count_text(l->io_weight));
        for (size_t i = 0; l->io_max && l->io_max[i]; i++)
                push_limit(&v, "io-max", xstrdup(l->io_max[i]));
        return v;
}

/* The profile named on our own command line (the config keeps the settings, not the name). */
static char *profile_name(char **argv)
{
        struct cli cli;
        char *name = NULL;
        if (argv && cli_parse((int)strv_length(argv), argv, &cli) == 0 && cli.profile)
                name = xstrdup(cli.profile);
        cli_free(&cli);
        return name ? name : xstrdup("default");
}

static void fill_record(struct sandbox *sb, struct state_record *r)
{
        const struct config *c = sb->cfg;
        struct session *s = &sb->session;
        char cwd[4096];

        memcpy(r->id, sb->run.id, sizeof r->id);
        r->name = c->name ? xstrdup(c->name) : NULL;
        r->uid = getuid();
        r->launcher_pid = getpid();
        (void)proc_identity(r->launcher_pid, NULL, &r->launcher_start);
        r->pid1 = sb->pid1;
        (void)proc_identity(sb->pid1, NULL, &r->pid1_start);
        r->command_pid = 0; /* filled in place at sync 2 (session_started) */
        r->started_us = s->started_us;
        r->image = xstrdup(sb->image.path ? sb->image.path : c->image);
        r->cwd = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : "/");
        r->argv = own_argv();
        memcpy(r->ns_ino, s->ns_ino, sizeof r->ns_ino);
        r->uid_map = map_text(&sb->ids.uid);
        r->gid_map = map_text(&sb->ids.gid);
        r->run_dir = xasprintf("%s/run/%s", sb->cache.path, sb->run.id);
        r->stop_at_entry = c->stop_at_entry;
        r->profile = profile_name(r->argv);
        r->network = xstrdup(c->net.mode == NET_NONE ? "loopback" : net_mode_name(c->net.mode));
        for (size_t i = 0; i < c->net.n_publish; i++) {
                const struct net_publish *p = &c->net.publish[i];
                strv_push(&r->ports, xasprintf("%s%s%s:%u:%u/%s", p->v6 ? "[" : "", p->host_addr,
                                               p->v6 ? "]" : "", p->host_port, p->port,
                                               p->udp ? "udp" : "tcp"));
        }
        r->limits = limits_text(&c->limits);
        r->hostname = xstrdup(c->hostname);
        r->workdir = c->workdir ? xstrdup(c->workdir) : NULL;
        r->user_uid = c->uid;
        r->user_gid = c->gid;
}

int session_publish(struct sandbox *sb)
{
        const struct config *c = sb->cfg;
        struct session *s = &sb->session;
        struct state_record rec = {0};
        _cleanup_free_ char *text = NULL;
        char other[17];
        int r;
        TRACE_BEGIN(t);

        fill_record(sb, &rec);
        text = record_format(&rec);
        s->command_off = record_command_offset(text);
        r = state_publish(&s->dir, &rec, other);
        record_free(&rec);
        if (r == -EEXIST)
                return log_error("a sandbox named %s started meanwhile (id %s); pick another "
                                 "--name",
                                 c->name, other);
        if (r < 0)
                return log_errno(r, "publishing the state record in %s", s->dir.path);
        s->record_fd = r;
        r = control_listen(s->dir.fd, sb->run.id);
        if (r < 0)
                return log_errno(r, "listening on the control socket in %s", s->dir.path);
        s->control_fd = r;
        TRACE(t, "state", "record %s/%s.state published, control socket listening", s->dir.path,
              sb->run.id);
        return 0;
}

int session_started(struct sandbox *sb)
{
        struct session *s = &sb->session;
        unsigned long long start = 0;
        char cmd[RECORD_COMMAND_SIZE];
        size_t n;
        int r;

        /* It just spoke and waits or runs: its pid is its own. Gone already is no error (the
         * command may end at once); the sandbox is then ending too. */
        r = pidfd_open_pid(sb->command);
        s->command_fd = r < 0 ? -1 : r;
        (void)proc_identity(sb->command, NULL, &start);
        n = record_format_command(sb->command, start, cmd);
        if (s->command_off < 0 || pwrite(s->record_fd, cmd, n, s->command_off) != (ssize_t)n)
                return log_errno(-errno, "writing the command's pid into the state record");
        status_write_start(sb);
        if (sb->cfg->stop_at_entry)
                return entrystop_attach(sb);
        return 0;
}

int session_control_fd(const struct sandbox *sb)
{
        /* Not before the command runs: until then pid 1's mount namespace still holds the
         * host's root (pivot_root comes last), and nobody may enter it. A caller waits. */
        return sb->command > 0 ? sb->session.control_fd : -1;
}

void session_on_control(struct sandbox *sb)
{
        const struct session *s = &sb->session;
        struct control_reply what = {sb->pid1, sb->command, s->pid1_fd, {0}};
        memcpy(what.ns_fd, s->ns_fd, sizeof what.ns_fd);
        control_answer(s->control_fd, &what);
}

void session_on_sigchld(struct sandbox *sb)
{
        if (sb->session.tracing)
                entrystop_on_sigchld(sb);
}

void session_finish(struct sandbox *sb, int code)
{
        struct session *s = &sb->session;

        if (s->record_fd >= 0) {
                /* Socket, then record, then the lock: a record never outlives its launcher. */
                state_unpublish(&s->dir, sb->run.id);
                closep(&s->record_fd);
                TRACE(0, "teardown", "state record %s removed", sb->run.id);
        }
        closep(&s->control_fd);
        status_write_exit(sb, code);
        if (s->dir.fd >= 0)
                state_sweep(&s->dir);
}

void session_close(struct session *s)
{
        closep(&s->record_fd);
        closep(&s->control_fd);
        closep(&s->status_fd);
        closep(&s->pid1_fd);
        closep(&s->command_fd);
        for (int i = 0; i < NS_COUNT; i++)
                closep(&s->ns_fd[i]);
        state_dir_close(&s->dir);
}
