/* sandbox ps: this user's running sandboxes, from their state records; sandbox inspect: one
 * sandbox in depth (namespaces, id maps, mounts, cgroup, seccomp, capabilities) read live from
 * /proc once its processes are checked against the record. Runs on the host, as the user. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "state.h"
#include "sys.h"
#include "target.h"
#include "util.h"
#include "verbs.h"

static const char ps_usage[] = "sandbox ps [--json | -q | --format table|json|ids|names]";
static const char inspect_usage[] = "sandbox inspect ID|NAME...";

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_IDS, FORMAT_NAMES };

static long long now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* "45s", "12m03s", "3h04m", "2d03h" */
static void uptime_text(long long us, char buf[32])
{
        long long s = us > 0 ? us / 1000000 : 0;
        if (s < 60)
                snprintf(buf, 32, "%llds", s);
        else if (s < 3600)
                snprintf(buf, 32, "%lldm%02llds", s / 60, s % 60);
        else if (s < 86400)
                snprintf(buf, 32, "%lldh%02lldm", s / 3600, s / 60 % 60);
        else
                snprintf(buf, 32, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

static void iso_time(long long us, char buf[32])
{
        time_t t = (time_t)(us / 1000000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *joined(char **v, const char *sep, const char *none)
{
        char *out = xstrdup("");
        for (size_t i = 0; v && v[i]; i++) {
                char *n = xasprintf("%s%s%s", out, i ? sep : "", v[i]);
                free(out);
                out = n;
        }
        if (!out[0]) {
                free(out);
                out = xstrdup(none);
        }
        return out;
}

/* The members every view of a sandbox has (ps --json and inspect). */
static void summary_json(struct json *j, const struct state_record *r)
{
        char when[32];
        json_kv_string(j, "id", r->id);
        json_kv_string(j, "name", r->name);
        json_kv_string(j, "image", r->image);
        json_kv_string(j, "profile", r->profile);
        json_kv_int(j, "launcher_pid", r->launcher_pid);
        json_kv_int(j, "pid1", r->pid1);
        json_key(j, "command_pid");
        if (r->command_pid > 0)
                json_int(j, r->command_pid);
        else
                json_null(j); /* still starting */
        iso_time(r->started_us, when);
        json_kv_string(j, "started", when);
        json_kv_int(j, "uptime_s", (now_us() - r->started_us) / 1000000);
        json_key(j, "network");
        json_begin_object(j);
        json_kv_string(j, "mode", r->network);
        json_key(j, "ports");
        json_begin_array(j);
        for (size_t i = 0; r->ports && r->ports[i]; i++)
                json_string(j, r->ports[i]);
        json_end_array(j);
        json_end_object(j);
        json_key(j, "limits");
        json_begin_object(j);
        for (size_t i = 0; r->limits && r->limits[i]; i++) {
                const char *eq = strchr(r->limits[i], '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *k = strndup(r->limits[i], (size_t)(eq - r->limits[i]));
                json_kv_string(j, k, eq + 1);
        }
        json_end_object(j);
        json_kv_bool(j, "stop_at_entry", r->stop_at_entry);
}

static const char *base_name(const char *path)
{
        const char *s = path ? strrchr(path, '/') : NULL;
        return s && s[1] ? s + 1 : path ? path : "";
}

static void print_table(const struct state_record *v, size_t n)
{
        static const char *const head[] = {"ID",  "NAME",   "IMAGE",   "PROFILE", "PID1",
                                           "PID", "UPTIME", "NETWORK", "PORTS",   "LIMITS"};
        enum { NCOL = 10 };
        char ***cells = xcalloc(n + 1, sizeof *cells);
        size_t width[NCOL] = {0};

        for (size_t row = 0; row <= n; row++) {
                cells[row] = xcalloc(NCOL, sizeof(char *));
                if (row == 0) {
                        for (int c = 0; c < NCOL; c++)
                                cells[0][c] = xstrdup(head[c]);
                } else {
                        const struct state_record *r = &v[row - 1];
                        char up[32];
                        uptime_text(now_us() - r->started_us, up);
                        cells[row][0] = xstrdup(r->id);
                        cells[row][1] = xstrdup(r->name ? r->name : "-");
                        cells[row][2] = xstrdup(base_name(r->image));
                        cells[row][3] = xstrdup(r->profile ? r->profile : "-");
                        cells[row][4] = xasprintf("%d", r->pid1);
                        cells[row][5] = r->command_pid > 0 ? xasprintf("%d", r->command_pid)
                                                           : xstrdup("starting");
                        cells[row][6] = xstrdup(up);
                        cells[row][7] = xstrdup(r->network ? r->network : "-");
                        cells[row][8] = joined(r->ports, ",", "-");
                        cells[row][9] = joined(r->limits, " ", "-");
                }
                for (int c = 0; c < NCOL; c++)
                        if (strlen(cells[row][c]) > width[c])
                                width[c] = strlen(cells[row][c]);
        }
        for (size_t row = 0; row <= n; row++) {
                for (int c = 0; c < NCOL; c++) {
                        if (c + 1 < NCOL)
                                printf("%-*s  ", (int)width[c], cells[row][c]);
                        else
                                printf("%s\n", cells[row][c]);
                        free(cells[row][c]);
                }
                free(cells[row]);
        }
        free(cells);
}

int verb_ps(char **args)
{
        static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {0}};
        enum format fmt = FORMAT_TABLE;
        struct state_dir dir = {-1, NULL};
        struct state_record *v = NULL;
        size_t n = 0;
        int argc, opt, r;
        _cleanup_free_ char **argv = verb_argv("ps", args, &argc);

        while ((opt = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
                if (opt == 'j')
                        fmt = FORMAT_JSON;
                else if (opt == 'q')
                        fmt = FORMAT_IDS;
                else if (opt == 'h') {
                        printf("Usage: %s\nLists your running sandboxes: id, name, image, "
                               "profile, host pids of pid 1 and of the command, uptime, network, "
                               "ports, limits.\n",
                               ps_usage);
                        return 0;
                } else if (opt == 'f' && streq(optarg, "table"))
                        fmt = FORMAT_TABLE;
                else if (opt == 'f' && streq(optarg, "json"))
                        fmt = FORMAT_JSON;
                else if (opt == 'f' && streq(optarg, "ids"))
                        fmt = FORMAT_IDS;
                else if (opt == 'f' && streq(optarg, "names"))
                        fmt = FORMAT_NAMES;
                else
                        return verb_usage_error("ps", ps_usage);
        }
        if (optind < argc)
                return verb_usage_error("ps", ps_usage);

        r = state_dir_open(&dir, false);
        if (r < 0 && r != -ENOENT)
                return EXIT_LAUNCHER;
        if (r == 0 && (r = state_load_all(&dir, &v, &n)) < 0) {
                log_errno(r, "reading %s", dir.path);
                state_dir_close(&dir);
                return EXIT_LAUNCHER;
        }
        if (fmt == FORMAT_TABLE) {
                print_table(v, n);
        } else if (fmt == FORMAT_IDS || fmt == FORMAT_NAMES) {
                for (size_t i = 0; i < n; i++)
                        if (fmt == FORMAT_IDS)
                                printf("%s\n", v[i].id);
                        else if (v[i].name)
                                printf("%s\n", v[i].name);
        } else {
                struct json j;
                json_init(&j);
                json_begin_array(&j);
                for (size_t i = 0; i < n; i++) {
                        json_begin_object(&j);
                        summary_json(&j, &v[i]);
                        json_end_object(&j);
                }
                json_end_array(&j);
                printf("%s\n", json_text(&j));
                json_free(&j);
        }
        state_records_free(v, n);
        state_dir_close(&dir);
        return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
}

/* --- inspect ------------------------------------------------------------------------------ */

static char *read_proc(pid_t pid, const char *file)
{
        char path[64];
        char *text = NULL;
        snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
        if (read_file_at(AT_FDCWD, path, 1 << 22, &text, NULL) < 0)
                return NULL;
        return text;
}

/* "a\040b" → "a b": mountinfo's octal escapes. */
static char *unoctal(const char *s, size_t n)
{
        char *out = xcalloc(n + 1, 1);
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3') {
                        out[o++] =
                            (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else {
                        out[o++] = s[i];
                }
        }
        return out;
}

static void mounts_json(struct json *j, const char *mountinfo)
{
        json_begin_array(j);
        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f[32];
                size_t len[32], nf = 0, dash = 0;
                for (const char *p = line; p < end && nf < 32;) {
                        const char *e = memchr(p, ' ', (size_t)(end - p));
                        if (!e)
                                e = end;
                        f[nf] = p;
                        len[nf] = (size_t)(e - p);
                        if (!dash && nf >= 6 && len[nf] == 1 && *p == '-')
                                dash = nf;
                        nf++;
                        p = e + (e < end);
                }
                if (dash && dash + 3 < nf + 1 && dash + 2 < nf) {
                        _cleanup_free_ char *target = unoctal(f[4], len[4]);
                        _cleanup_free_ char *type = strndup(f[dash + 1], len[dash + 1]);
                        _cleanup_free_ char *source = unoctal(f[dash + 2], len[dash + 2]);
                        _cleanup_free_ char *opts = strndup(f[5], len[5]);
                        _cleanup_free_ char *super =
                            dash + 3 < nf ? strndup(f[dash + 3], len[dash + 3]) : xstrdup("");
                        json_begin_object(j);
                        json_kv_string(j, "target", target);
                        json_kv_string(j, "type", type);
                        json_kv_string(j, "source", source);
                        json_kv_string(j, "options", opts);
                        json_kv_string(j, "super_options", super);
                        json_end_object(j);
                }
                line = *end ? end + 1 : end;
        }
        json_end_array(j);
}

/* "0 1002 1,1 200000 65536" → [{"inside":0,"outside":1002,"count":1},...] */
static void map_json(struct json *j, const char *map)
{
        json_begin_array(j);
        for (const char *p = map ? map : ""; *p;) {
                unsigned in, out, count;
                if (sscanf(p, "%u %u %u", &in, &out, &count) == 3) {
                        json_begin_object(j);
                        json_kv_int(j, "inside", in);
                        json_kv_int(j, "outside", out);
                        json_kv_int(j, "count", count);
                        json_end_object(j);
                }
                p = strchrnul(p, ',');
                p += *p == ',';
        }
        json_end_array(j);
}

static void caps_json(struct json *j, const char *key, const char *hex)
{
        unsigned long long set = hex ? strtoull(hex, NULL, 16) : 0;
        json_key(j, key);
        json_begin_array(j);
        for (unsigned i = 0; i < 64; i++)
                if (set & (1ULL << i)) {
                        char name[32];
                        caps_upper_name(i, name);
                        json_string(j, name);
                }
        json_end_array(j);
}

static void status_json(struct json *j, const char *status)
{
        static const char *const sets[][2] = {{"bounding", "CapBnd"},
                                              {"effective", "CapEff"},
                                              {"permitted", "CapPrm"},
                                              {"inheritable", "CapInh"},
                                              {"ambient", "CapAmb"}};
        unsigned long long mode = 0, filters = 0, nnp = 0, uid = 0, gid = 0;

        (void)proc_status_field(status, "Seccomp", &mode);
        (void)proc_status_field(status, "Seccomp_filters", &filters);
        (void)proc_status_field(status, "NoNewPrivs", &nnp);
        (void)proc_status_field(status, "Uid", &uid);
        (void)proc_status_field(status, "Gid", &gid);
        json_key(j, "seccomp");
        json_begin_object(j);
        json_kv_string(j, "mode", mode == 2 ? "filter" : mode == 1 ? "strict" : "disabled");
        json_kv_int(j, "filters", (long long)filters);
        json_kv_bool(j, "no_new_privs", nnp == 1);
        json_end_object(j);
        json_key(j, "capabilities");
        json_begin_object(j);
        for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
                _cleanup_free_ char *hex = proc_status_string(status, sets[i][1]);
                caps_json(j, sets[i][0], hex);
        }
        json_end_object(j);
        json_kv_int(j, "host_uid", (long long)uid);
        json_kv_int(j, "host_gid", (long long)gid);
}

static int inspect_one(struct json *j, const char *ref)
{
        struct target t;
        int r = target_open(ref, TARGET_LAUNCHER | TARGET_PID1 | TARGET_COMMAND, &t);
        if (r < 0) {
                target_close(&t);
                return r;
        }
        const struct state_record *rec = &t.rec;
        /* Read once the pidfds pin the processes the record names. */
        _cleanup_free_ char *mountinfo = read_proc(rec->pid1, "mountinfo");
        _cleanup_free_ char *cgroup = read_proc(rec->pid1, "cgroup");
        _cleanup_free_ char *status = read_proc(rec->command_pid, "status");
        _cleanup_free_ char *cg = cgroup ? proc_cgroup_v2(cgroup) : NULL;
        char path[512];

        json_begin_object(j);
        summary_json(j, rec);
        json_key(j, "command");
        json_begin_object(j);
        json_key(j, "argv");
        json_begin_array(j);
        for (size_t i = 0; rec->argv && rec->argv[i]; i++)
                json_string(j, rec->argv[i]);
        json_end_array(j);
        json_kv_string(j, "cwd", rec->cwd);
        json_end_object(j);
        json_key(j, "user");
        json_begin_object(j);
        json_kv_int(j, "uid", rec->user_uid);
        json_kv_int(j, "gid", rec->user_gid);
        if (status)
                status_json(j, status);
        json_end_object(j);
        json_kv_string(j, "hostname", rec->hostname);
        json_kv_string(j, "workdir", rec->workdir);
        json_key(j, "namespaces");
        json_begin_object(j);
        for (int i = 0; i < NS_COUNT; i++)
                json_kv_int(j, ns_names[i], (long long)rec->ns_ino[i]);
        json_end_object(j);
        json_key(j, "id_maps");
        json_begin_object(j);
        json_key(j, "uid");
        map_json(j, rec->uid_map);
        json_key(j, "gid");
        map_json(j, rec->gid_map);
        json_end_object(j);
        json_kv_string(j, "cgroup", cg);
        json_key(j, "mounts");
        mounts_json(j, mountinfo);
        json_kv_string(j, "run_dir", rec->run_dir);
        snprintf(path, sizeof path, "%s/%s.state", t.dir.path, rec->id);
        json_kv_string(j, "state_file", path);
        json_end_object(j);
        target_close(&t);
        return 0;
}

int verb_inspect(char **args)
{
        static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int argc, opt, code = 0;
        _cleanup_free_ char **argv = verb_argv("inspect", args, &argc);
        struct json j;

        while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (opt != 'h')
                        return verb_usage_error("inspect", inspect_usage);
                printf("Usage: %s\nPrints your running sandboxes as a JSON array: what ps shows, "
                       "and namespaces, id maps, mounts, cgroup, seccomp and capabilities.\n",
                       inspect_usage);
                return 0;
        }
        if (optind >= argc)
                return verb_usage_error("inspect", inspect_usage);
        json_init(&j);
        json_begin_array(&j);
        for (int i = optind; i < argc; i++)
                if (inspect_one(&j, argv[i]) < 0)
                        code = EXIT_LAUNCHER;
        json_end_array(&j);
        /* Nothing on stdout unless every sandbox was found: a script gets all or an error. */
        if (code == 0)
                printf("%s\n", json_text(&j));
        json_free(&j);
        return code;
}
