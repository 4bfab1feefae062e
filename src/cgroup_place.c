/* Where a launch's cgroup goes in the user's delegated subtree, or one line naming what is
 * missing for a limit and the fix. Runs on the host, as the invoking user, before any state. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup_text.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

#define V2_PATH     "/sys/fs/cgroup"
#define HYBRID_PATH "/sys/fs/cgroup/unified"

#define DELEGATE_FIX                                                                               \
        "delegate them with a drop-in /etc/systemd/system/user@.service.d/delegate.conf "          \
        "holding '[Service]' and 'Delegate=cpu cpuset io memory pids', then systemctl "            \
        "daemon-reload and log in again"
#define UNIFIED_FIX                                                                                \
        "boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all) so that cgroup v2 "    \
        "has the controllers, and delegate cpu io memory pids to users"

/* One asked-for setting that needs the cgroup, as the user wrote it, for messages. */
struct asked {
        char text[128];
        unsigned ctrl; /* controllers it needs; 0: just a cgroup (--cgroup-delegate) */
};

static void format_cpus(const struct limits *l, char *buf, size_t size)
{
        if (l->cpu_quota_us == LIMIT_MAX) {
                snprintf(buf, size, "max");
                return;
        }
        snprintf(buf, size, "%.2f", (double)l->cpu_quota_us / (double)l->cpu_period_us);
        /* 1.50 → 1.5, 2.00 → 2 */
        char *dot = strchr(buf, '.');
        if (dot) {
                char *end = buf + strlen(buf) - 1;
                while (end > dot && *end == '0')
                        *end-- = 0;
                if (end == dot)
                        *end = 0;
        }
}

static void format_count(int64_t v, char *buf, size_t size)
{
        if (v == LIMIT_MAX)
                snprintf(buf, size, "max");
        else
                snprintf(buf, size, "%lld", (long long)v);
}

static size_t list_asked(const struct limits *l, struct asked *out, size_t max)
{
        size_t n = 0;
        char v[64];

#define ADD(ctrl_, ...)                                                                            \
        do {                                                                                       \
                if (n < max) {                                                                     \
                        snprintf(out[n].text, sizeof out[n].text, __VA_ARGS__);                    \
                        out[n++].ctrl = (ctrl_);                                                   \
                }                                                                                  \
        } while (0)
        if (l->memory_max != LIMIT_UNSET) {
                limits_format_size(l->memory_max, v, sizeof v);
                ADD(CG_MEMORY, "--memory %s", v);
        }
        if (l->memory_swap_max != LIMIT_UNSET) {
                limits_format_size(l->memory_swap_max, v, sizeof v);
                ADD(CG_MEMORY, "--memory-swap %s", v);
        }
        if (l->pids_max != LIMIT_UNSET) {
                format_count(l->pids_max, v, sizeof v);
                ADD(CG_PIDS, "--pids %s", v);
        }
        if (l->cpu_quota_us != LIMIT_UNSET) {
                format_cpus(l, v, sizeof v);
                ADD(CG_CPU, "--cpus %s", v);
        }
        if (l->cpu_weight != LIMIT_UNSET)
                ADD(CG_CPU, "--cpu-weight %lld", (long long)l->cpu_weight);
        if (l->io_weight != LIMIT_UNSET)
                ADD(CG_IO, "--io-weight %lld", (long long)l->io_weight);
        for (size_t i = 0; l->io_max && l->io_max[i]; i++)
                ADD(CG_IO, "--io-max '%.100s'", l->io_max[i]);
        if (l->delegate)
                ADD(0, "--cgroup-delegate");
#undef ADD
        return n;
}

/* ---- Reading the tree ------------------------------------------------------------------- */

static const char *dir_of(const char *rel)
{
        return rel[0] ? rel : ".";
}

static char *join(const char *rel, const char *name)
{
        return rel[0] ? xasprintf("%s/%s", rel, name) : xstrdup(name);
}

static char *parent_of(const char *rel)
{
        const char *slash = strrchr(rel, '/');
        return slash ? strndup(rel, (size_t)(slash - rel)) : xstrdup("");
}

static unsigned read_mask(const struct cgroup *cg, const char *rel, const char *file)
{
        _cleanup_free_ char *path = join(rel, file);
        char text[256];
        if (cg_read(cg->mnt_fd, path, text, sizeof text) < 0)
                return 0;
        return cg_parse_controllers(text);
}

/* Delegated to us the way systemd's Delegate=yes does it: the directory and its cgroup.procs
 * (and cgroup.subtree_control, chowned with it) are ours. */
static bool owned(const struct cgroup *cg, const char *rel)
{
        _cleanup_free_ char *procs = join(rel, "cgroup.procs");
        struct stat st;

        if (fstatat(cg->mnt_fd, dir_of(rel), &st, 0) < 0 || st.st_uid != cg->uid ||
            !(st.st_mode & S_IWUSR))
                return false;
        return faccessat(cg->mnt_fd, procs, W_OK, 0) == 0;
}

/* The pids in rel/cgroup.procs: 0 none, 1 only this process, 2 others too (or unreadable). */
static int procs_state(const struct cgroup *cg, const char *rel)
{
        _cleanup_free_ char *path = join(rel, "cgroup.procs");
        char text[64], me[24];

        /* More than fits here is more than one process. */
        if (cg_read(cg->mnt_fd, path, text, sizeof text) < 0)
                return 2;
        if (!text[0])
                return 0;
        snprintf(me, sizeof me, "%d\n", getpid());
        return streq(text, me) ? 1 : 2;
}

/* Controllers that base's children can get: those of the delegated top, as far as every cgroup
 * from the top down to base may enable them (no processes of its own: the no-internal-processes
 * rule) or has them enabled already. self_leaves: the launcher,
 * alone in base, steps out of it first. */
static unsigned chain_available(const struct cgroup *cg, const char *base, bool self_leaves)
{
        unsigned av = read_mask(cg, cg->top, "cgroup.controllers");
        size_t len = strlen(cg->top), end = strlen(base);

        for (;;) {
                _cleanup_free_ char *x = strndup(base, len);
                bool leaves = self_leaves && len == end;
                /* The system's root cgroup is exempt from the rule; a cgroup namespace's root
                 * ("/" in a sandbox) is not. Only the former lacks cgroup.events. */
                bool real_root = !x[0] && faccessat(cg->mnt_fd, "cgroup.events", F_OK, 0) < 0;
                if (!real_root && !leaves && procs_state(cg, x) != 0)
                        av &= read_mask(cg, x, "cgroup.subtree_control");
                if (len >= end)
                        break;
                len = (len ? len + 1 : 0);
                len += strcspn(base + len, "/");
        }
        return av;
}

/* The top of the subtree delegated to us that holds our cgroup; NULL when ours is not ours. */
static char *find_top(const struct cgroup *cg)
{
        char *top;
        if (!owned(cg, cg->own))
                return NULL;
        top = xstrdup(cg->own);
        while (top[0]) {
                char *p = parent_of(top);
                if (!owned(cg, p)) {
                        free(p);
                        break;
                }
                free(top);
                top = p;
        }
        return top;
}

/* Picks base: our own cgroup when we are alone in it, else the nearest ancestor up to the top;
 * the first whose children can get every controller in `need`. Returns false when there is
 * no candidate at all; else sets base and its available controllers, the best one found. */
static bool choose_base(struct cgroup *cg, unsigned need, unsigned *ret_av)
{
        _cleanup_free_ char *best = NULL;
        unsigned best_av = 0;
        bool best_self = false, any = false;
        char *x;

        free(cg->top);
        cg->top = find_top(cg);
        if (!cg->top)
                return false;
        x = xstrdup(cg->own);
        if (procs_state(cg, x) == 1) {
                best_av = chain_available(cg, x, true);
                best = xstrdup(x);
                best_self = any = true;
        }
        while ((best_av & need) != need && strlen(x) > strlen(cg->top)) {
                char *p = parent_of(x);
                unsigned av;
                free(x);
                x = p;
                av = chain_available(cg, x, false);
                if (!any || __builtin_popcount(av & need) > __builtin_popcount(best_av & need)) {
                        free(best);
                        best = xstrdup(x);
                        best_av = av;
                        best_self = false;
                        any = true;
                }
        }
        free(x);
        if (!any)
                return false;
        free(cg->base);
        cg->base = TAKE_PTR(best);
        cg->nest_self = best_self;
        *ret_av = best_av;
        return true;
}

static int read_own(struct cgroup *cg, unsigned *ret_v1)
{
        _cleanup_free_ char *text = NULL;
        char *v2 = NULL;
        int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &text, NULL);
        if (r < 0)
                return r;
        r = cg_parse_proc_cgroup(text, &v2, ret_v1);
        if (r < 0)
                return r;
        free(cg->own);
        cg->own = v2;
        return 0;
}

static int open_mount(struct cgroup *cg)
{
        static const char *const paths[] = {V2_PATH, HYBRID_PATH};
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                struct statfs fs;
                if (statfs(paths[i], &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
                        continue;
                cg->mnt_fd = open(paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (cg->mnt_fd < 0)
                        return -errno;
                cg->mnt_path = paths[i];
                return 0;
        }
        return -ENOENT;
}

/* ---- Saying what is missing -------------------------------------------------------------- */

static void explain(const struct cgroup *cg, bool found, unsigned missing, unsigned v1,
                    const char *scope_why, char *why, size_t whysize, const char **ret_fix)
{
        char names[64], offered[64];
        cg_format_controllers(missing, "", ", ", names, sizeof names);

        if (cg->mnt_fd < 0) {
                snprintf(why, whysize, "this host has no cgroup v2 file system (nothing at %s)",
                         V2_PATH);
                *ret_fix = UNIFIED_FIX;
        } else if (missing & v1) {
                char raw[256] = "";
                cg_format_controllers(missing & v1, "", ", ", names, sizeof names);
                if (cg_read(cg->mnt_fd, "cgroup.controllers", raw, sizeof raw) < 0)
                        raw[0] = 0;
                raw[strcspn(raw, "\n")] = 0;
                snprintf(why, whysize,
                         "%s %s bound to cgroup v1 on this host (a v1/hybrid layout: cgroup v2 at "
                         "%s has %s%s)",
                         names, strchr(names, ',') ? "are" : "is", cg->mnt_path,
                         raw[0] ? "only: " : "no controller", raw);
                *ret_fix = UNIFIED_FIX;
        } else if (scope_why && (!found || !cg->top)) {
                snprintf(why, whysize,
                         "your cgroup /%s is not delegated to you, and your systemd user manager "
                         "gave no delegated scope (%s)",
                         cg->own ? cg->own : "?", scope_why);
                *ret_fix = "check 'systemd-run --user --scope -p Delegate=yes true'";
        } else if (!cg->top) {
                struct stat st;
                uid_t owner = fstatat(cg->mnt_fd, dir_of(cg->own ? cg->own : ""), &st, 0) == 0
                                  ? st.st_uid
                                  : (uid_t)-1;
                snprintf(why, whysize,
                         "your cgroup /%s belongs to uid %d: nothing delegated a cgroup v2 "
                         "subtree to you and no systemd user manager is reachable",
                         cg->own ? cg->own : "?", (int)owner);
                *ret_fix = "run it in a user session with a systemd user manager ('loginctl "
                           "enable-linger $USER', XDG_RUNTIME_DIR set), or under 'systemd-run "
                           "--user --scope -p Delegate=yes'";
        } else if (missing & ~read_mask(cg, cg->top, "cgroup.controllers")) {
                cg_format_controllers(read_mask(cg, cg->top, "cgroup.controllers"), "", " ",
                                      offered, sizeof offered);
                snprintf(
                    why, whysize,
                    "the %s controller%s %s not delegated to you (your subtree /%s offers: %s)",
                    names, strchr(names, ',') ? "s" : "", strchr(names, ',') ? "are" : "is",
                    cg->top, offered[0] ? offered : "none");
                *ret_fix = DELEGATE_FIX;
        } else {
                snprintf(why, whysize,
                         "every cgroup from your delegated /%s down to your own /%s holds "
                         "processes, so none may enable the %s controller for a child "
                         "(cgroup v2's no-internal-processes rule)",
                         cg->top, cg->own, names);
                *ret_fix = "run the launcher in a cgroup of its own, e.g. under 'systemd-run "
                           "--user --scope -p Delegate=yes'";
        }
}

/* ---- The stage ---------------------------------------------------------------------------- */

int cgroup_plan(const struct config *c, struct cgroup *cg)
{
        const struct limits *l = &c->limits;
        struct asked asked[24];
        size_t n = list_asked(l, asked, ARRAY_SIZE(asked));
        unsigned hard = 0, av = 0, v1 = 0, missing = 0;
        char scope_why[256] = "", why[768];
        const char *fix = NULL, *scope_err = NULL;
        bool found = false;
        TRACE_BEGIN(t);

        if (!limits_want_cgroup(l))
                return 0;
        cg->uid = geteuid();
        for (size_t i = 0; i < n; i++)
                hard |= asked[i].ctrl;
        cg->hard = hard;
        /* --stats would like memory.peak and pids.peak, --cgroup-delegate every controller
         * for the sandbox's own subtree; neither fails for want of them. */
        cg->want = hard | (l->stats ? CG_MEMORY | CG_PIDS : 0) | (l->delegate ? CG_ALL : 0);

        if (open_mount(cg) == 0 && read_own(cg, &v1) == 0 && cg->own) {
                found = choose_base(cg, cg->want, &av);
                if (found && (av & hard) != hard)
                        found = choose_base(cg, hard, &av);
                /* In a systemd user manager's tree, cgroups belong to the manager unless it
                 * delegated them: ask it for a scope of our own, as systemd-run --scope does. */
                if (!(found && cg->nest_self) &&
                    (cg_path_in_user_manager(cg->own, (unsigned)cg->uid) || !found ||
                     (av & hard) != hard) &&
                    cg_scope_available()) {
                        if (cg_scope_request(scope_why, sizeof scope_why) == 0 &&
                            read_own(cg, &v1) == 0 && cg->own) {
                                found = choose_base(cg, cg->want, &av);
                                if (found && (av & hard) != hard)
                                        found = choose_base(cg, hard, &av);
                                TRACE(t, "cgroup", "systemd --user made a delegated scope: /%s",
                                      cg->own);
                        } else {
                                scope_err = scope_why;
                                TRACE(t, "cgroup", "no scope from systemd --user: %s", scope_why);
                        }
                }
        }

        for (size_t i = 0; i < n; i++)
                if (!found || (asked[i].ctrl & ~av))
                        missing |= asked[i].ctrl & ~(found ? av : 0);
        for (size_t i = 0; i < n; i++) {
                bool lost = !found || (asked[i].ctrl & ~av);
                if (!lost)
                        continue;
                /* Strict: one line for all of them; best-effort: one warning per limit. */
                explain(cg, found,
                        l->mode == LIMITS_STRICT ? missing : asked[i].ctrl & (found ? ~av : ~0u),
                        v1, scope_err, why, sizeof why, &fix);
                if (l->mode == LIMITS_STRICT) {
                        char list[512] = "";
                        size_t o = 0;
                        for (size_t j = 0; j < n; j++)
                                if (!found || (asked[j].ctrl & ~av))
                                        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
                                                              o ? ", " : "", asked[j].text);
                        return log_error("cannot apply %s: %s. Fix: %s; or pass "
                                         "--limits=best-effort to run without %s",
                                         list, why, fix, strchr(list, ',') ? "them" : "it");
                }
                log_warn("%s dropped: %s", asked[i].text, why);
                cg->dropped |= asked[i].ctrl;
        }

        cg->delegate = l->delegate && found;
        cg->hard &= ~cg->dropped;
        cg->want &= found ? av : 0;
        /* Every limit dropped, and nothing else wants a cgroup: run as a launch without. */
        cg->active = found && (cg->hard || cg->delegate || l->stats);
        if (trace_on() && found) {
                char a[64];
                cg_format_controllers(av, "", " ", a, sizeof a);
                TRACE(t, "cgroup", "v2 at %s; own /%s; delegated top /%s; base /%s%s; offers: %s",
                      cg->mnt_path, cg->own, cg->top, cg->base,
                      cg->nest_self ? " (the launcher is alone there)" : "", a);
        }
        return 0;
}
