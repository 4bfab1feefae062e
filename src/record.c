/* The state record of a running sandbox: what `sandbox ps`, `inspect`, `enter`, `stop` and
 * `kill` know about it, as "key=value" lines; and the /proc parsing that checks it. Pure. */
#include "record.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "util.h"

const char *const ns_names[NS_COUNT] = {"user", "mnt", "pid", "ipc", "uts", "net", "cgroup"};
const int ns_clone_flags[NS_COUNT] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWIPC,
                                      CLONE_NEWUTS,  CLONE_NEWNET, CLONE_NEWCGROUP};

void record_free(struct state_record *r)
{
        free(r->name);
        free(r->image);
        free(r->cwd);
        strv_free(r->argv);
        free(r->uid_map);
        free(r->gid_map);
        free(r->run_dir);
        free(r->profile);
        free(r->network);
        strv_free(r->ports);
        strv_free(r->limits);
        free(r->hostname);
        free(r->workdir);
        memset(r, 0, sizeof *r);
}

/* Appends "key=value\n" with '\\' and '\n' escaped. */
static void put_kv(char **out, const char *key, const char *value)
{
        size_t n = strlen(*out), extra = strlen(key) + 3;
        for (const char *p = value; *p; p++)
                extra += (*p == '\\' || *p == '\n') ? 2 : 1;
        char *o = realloc(*out, n + extra);
        if (!o)
                abort();
        n += (size_t)sprintf(o + n, "%s=", key);
        for (const char *p = value; *p; p++) {
                if (*p == '\\' || *p == '\n') {
                        o[n++] = '\\';
                        o[n++] = *p == '\n' ? 'n' : '\\';
                } else {
                        o[n++] = *p;
                }
        }
        o[n++] = '\n';
        o[n] = 0;
        *out = o;
}

static void put_num(char **out, const char *key, unsigned long long v)
{
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", v);
        put_kv(out, key, buf);
}

char *record_format(const struct state_record *r)
{
        char *out = xstrdup("");
        char key[32];

        put_num(&out, "version", RECORD_VERSION);
        put_kv(&out, "id", r->id);
        if (r->name)
                put_kv(&out, "name", r->name);
        put_num(&out, "uid", r->uid);
        put_num(&out, "launcher_pid", (unsigned long long)r->launcher_pid);
        put_num(&out, "launcher_start", r->launcher_start);
        put_num(&out, "pid1", (unsigned long long)r->pid1);
        put_num(&out, "pid1_start", r->pid1_start);
        {
                char cmd[RECORD_COMMAND_SIZE];
                record_format_command(r->command_pid, r->command_start, cmd);
                char *o = xasprintf("%s%s", out, cmd);
                free(out);
                out = o;
        }
        put_num(&out, "started_us", (unsigned long long)r->started_us);
        put_kv(&out, "image", r->image ? r->image : "");
        put_kv(&out, "cwd", r->cwd ? r->cwd : "");
        for (size_t i = 0; r->argv && r->argv[i]; i++)
                put_kv(&out, "argv", r->argv[i]);
        for (int i = 0; i < NS_COUNT; i++) {
                snprintf(key, sizeof key, "ns.%s", ns_names[i]);
                put_num(&out, key, r->ns_ino[i]);
        }
        put_kv(&out, "uid_map", r->uid_map ? r->uid_map : "");
        put_kv(&out, "gid_map", r->gid_map ? r->gid_map : "");
        put_kv(&out, "run_dir", r->run_dir ? r->run_dir : "");
        put_num(&out, "stop_at_entry", r->stop_at_entry);
        put_kv(&out, "profile", r->profile ? r->profile : "");
        put_kv(&out, "network", r->network ? r->network : "");
        for (size_t i = 0; r->ports && r->ports[i]; i++)
                put_kv(&out, "port", r->ports[i]);
        for (size_t i = 0; r->limits && r->limits[i]; i++)
                put_kv(&out, "limit", r->limits[i]);
        put_kv(&out, "hostname", r->hostname ? r->hostname : "");
        if (r->workdir)
                put_kv(&out, "workdir", r->workdir);
        put_num(&out, "user_uid", r->user_uid);
        put_num(&out, "user_gid", r->user_gid);
        return out;
}

static char *unescape(const char *s, size_t n)
{
        char *out = xcalloc(n + 1, 1);
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n) {
                        i++;
                        out[o++] = s[i] == 'n' ? '\n' : s[i];
                } else {
                        out[o++] = s[i];
                }
        }
        return out;
}

static int parse_pid(const char *v, pid_t *ret)
{
        uint32_t n;
        if (parse_u32(v, &n) < 0 || n == 0 || n > 0x3fffffff)
                return -EBADMSG;
        *ret = (pid_t)n;
        return 0;
}

static int parse_ull(const char *v, unsigned long long *ret)
{
        uint64_t n;
        if (parse_u64(v, &n) < 0)
                return -EBADMSG;
        *ret = n;
        return 0;
}

static void set_str(char **field, char *v)
{
        free(*field);
        *field = v;
}

/* One key=value; takes v. */
static int apply(struct state_record *r, const char *key, char *v, bool *have_version)
{
        unsigned long long n = 0;
        int q = 0;

        if (streq(key, "version")) {
                q = parse_ull(v, &n);
                *have_version = q == 0 && n == RECORD_VERSION;
        } else if (streq(key, "id")) {
                if (!record_id_valid(v))
                        q = -EBADMSG;
                else
                        memcpy(r->id, v, sizeof r->id);
        } else if (streq(key, "name")) {
                set_str(&r->name, v);
                return 0;
        } else if (streq(key, "uid")) {
                q = parse_ull(v, &n);
                r->uid = (uid_t)n;
        } else if (streq(key, "launcher_pid")) {
                q = parse_pid(v, &r->launcher_pid);
        } else if (streq(key, "launcher_start")) {
                q = parse_ull(v, &r->launcher_start);
        } else if (streq(key, "pid1")) {
                q = parse_pid(v, &r->pid1);
        } else if (streq(key, "pid1_start")) {
                q = parse_ull(v, &r->pid1_start);
        } else if (streq(key, "command_pid")) {
                q = parse_ull(v, &n); /* 0: the command has not started yet */
                r->command_pid = (pid_t)n;
                if (q == 0 && n > 0x3fffffff)
                        q = -EBADMSG;
        } else if (streq(key, "command_start")) {
                q = parse_ull(v, &r->command_start);
        } else if (streq(key, "started_us")) {
                q = parse_ull(v, &n);
                r->started_us = (long long)n;
        } else if (streq(key, "image")) {
                set_str(&r->image, v);
                return 0;
        } else if (streq(key, "cwd")) {
                set_str(&r->cwd, v);
                return 0;
        } else if (streq(key, "argv")) {
                strv_push(&r->argv, v);
                return 0;
        } else if (streq(key, "uid_map")) {
                set_str(&r->uid_map, v);
                return 0;
        } else if (streq(key, "gid_map")) {
                set_str(&r->gid_map, v);
                return 0;
        } else if (streq(key, "run_dir")) {
                set_str(&r->run_dir, v);
                return 0;
        } else if (streq(key, "profile")) {
                set_str(&r->profile, v);
                return 0;
        } else if (streq(key, "network")) {
                set_str(&r->network, v);
                return 0;
        } else if (streq(key, "port")) {
                strv_push(&r->ports, v);
                return 0;
        } else if (streq(key, "limit")) {
                strv_push(&r->limits, v);
                return 0;
        } else if (streq(key, "hostname")) {
                set_str(&r->hostname, v);
                return 0;
        } else if (streq(key, "workdir")) {
                set_str(&r->workdir, v);
                return 0;
        } else if (streq(key, "user_uid")) {
                q = parse_ull(v, &n);
                r->user_uid = (uint32_t)n;
        } else if (streq(key, "user_gid")) {
                q = parse_ull(v, &n);
                r->user_gid = (uint32_t)n;
        } else if (streq(key, "stop_at_entry")) {
                r->stop_at_entry = streq(v, "1");
        } else if (startswith(key, "ns.")) {
                for (int i = 0; i < NS_COUNT; i++)
                        if (streq(key + 3, ns_names[i]))
                                q = parse_ull(v, &r->ns_ino[i]);
        }
        free(v);
        return q;
}

int record_parse(const char *text, struct state_record *ret)
{
        bool have_version = false;
        int r = 0;

        memset(ret, 0, sizeof *ret);
        for (const char *line = text; *line && r == 0;) {
                const char *end = strchrnul(line, '\n'),
                           *eq = memchr(line, '=', (size_t)(end - line));
                if (eq) {
                        _cleanup_free_ char *key = strndup(line, (size_t)(eq - line));
                        if (!key)
                                abort();
                        r = apply(ret, key, unescape(eq + 1, (size_t)(end - eq - 1)),
                                  &have_version);
                }
                line = *end ? end + 1 : end;
        }
        if (r == 0 && (!have_version || !ret->id[0] || ret->launcher_pid <= 0 || ret->pid1 <= 0))
                r = -EBADMSG;
        if (r < 0)
                record_free(ret);
        return r;
}

size_t record_format_command(pid_t pid, unsigned long long start, char buf[RECORD_COMMAND_SIZE])
{
        /* Fixed width: the launcher rewrites these digits in place once the command runs. */
        return (size_t)snprintf(buf, RECORD_COMMAND_SIZE,
                                "command_pid=%010u\ncommand_start=%020llu\n", (unsigned)pid, start);
}

long record_command_offset(const char *text)
{
        const char *p = strstr(text, "\ncommand_pid=");
        return p ? (long)(p + 1 - text) : -1;
}

bool record_id_valid(const char *s)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 16;
}

bool record_name_valid(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-' || s[0] == '_')
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
                        return false;
        return !record_id_valid(s);
}

int proc_stat_parse(const char *text, pid_t *ret_ppid, unsigned long long *ret_start)
{
        const char *p = strrchr(text, ')');
        unsigned long long ppid = 0, start = 0;

        if (!p)
                return -EBADMSG;
        /* After "pid (comm)": field 3 is the state, 4 the parent, 22 the start time. */
        p++;
        for (int field = 3; field <= 22; field++) {
                while (*p == ' ')
                        p++;
                if (!*p || *p == '\n')
                        return -EBADMSG;
                if (field == 4 || field == 22) {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(p, &end, 10);
                        if (end == p || errno || (*end && *end != ' ' && *end != '\n'))
                                return -EBADMSG;
                        if (field == 4)
                                ppid = v;
                        else
                                start = v;
                }
                while (*p && *p != ' ')
                        p++;
        }
        if (ret_ppid)
                *ret_ppid = (pid_t)ppid;
        *ret_start = start;
        return 0;
}

int proc_status_field(const char *text, const char *name, unsigned long long *ret)
{
        size_t n = strlen(name);
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                if (strncmp(line, name, n) == 0 && line[n] == ':') {
                        char *e;
                        errno = 0;
                        unsigned long long v = strtoull(line + n + 1, &e, 10);
                        if (e == line + n + 1 || errno)
                                return -EBADMSG;
                        *ret = v;
                        return 0;
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

char *proc_status_string(const char *text, const char *name)
{
        size_t n = strlen(name);
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                if (strncmp(line, name, n) == 0 && line[n] == ':') {
                        const char *v = line + n + 1;
                        while (v < end && (*v == ' ' || *v == '\t'))
                                v++;
                        return strndup(v, (size_t)(end - v));
                }
                line = *end ? end + 1 : end;
        }
        return NULL;
}

char *proc_cgroup_v2(const char *text)
{
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                if (startswith(line, "0::"))
                        return strndup(line + 3, (size_t)(end - line - 3));
                line = *end ? end + 1 : end;
        }
        return NULL;
}
