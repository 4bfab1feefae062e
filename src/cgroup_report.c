/* What the kernel counted for a launch, said at exit: an OOM kill ("killed: out of memory
 * (limit 512M)"), forks that pids.max refused, and the --stats line. Runs on the host. */
#include "cgroup.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cgroup_text.h"
#include "config.h"
#include "log.h"

static void print_stats(const struct cgroup *cg)
{
        const struct cgroup_stats *s = &cg->stats;
        char line[512], mem[64], pids[48];
        uint64_t usage, user, sys;
        int n;

        if (s->valid) {
                usage = s->usage_usec, user = s->user_usec, sys = s->system_usec;
                if (s->has_memory)
                        limits_format_size((int64_t)s->memory_peak, mem, sizeof mem);
                else
                        snprintf(mem, sizeof mem, "unknown (no memory controller)");
                if (s->has_pids)
                        snprintf(pids, sizeof pids, "%llu", (unsigned long long)s->pids_peak);
                else
                        snprintf(pids, sizeof pids, "unknown (no pids controller)");
        } else {
                /* No cgroup: what wait(2) summed up; peak memory is that of the largest
                 * single process. */
                struct rusage ru;
                (void)getrusage(RUSAGE_CHILDREN, &ru);
                user = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
                sys = (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
                usage = user + sys;
                limits_format_size((int64_t)ru.ru_maxrss * 1024, mem, sizeof mem);
                strcat(mem, " (largest process; no cgroup)");
                snprintf(pids, sizeof pids, "unknown (no cgroup)");
        }
        n = snprintf(line, sizeof line,
                     "sandbox: stats: memory peak %s, cpu %.2fs (user %.2fs, system %.2fs), "
                     "pids peak %s\n",
                     mem, (double)usage / 1e6, (double)user / 1e6, (double)sys / 1e6, pids);
        /* Asked for explicitly: printed even with --quiet. */
        (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void cgroup_report(const struct config *c, const struct cgroup *cg, int cmd_signal)
{
        const struct limits *l = &c->limits;
        const struct cgroup_stats *s = &cg->stats;
        char limit[48] = "";

        if (s->valid && s->oom_kills > 0) {
                if (l->memory_max >= 0 && !(cg->dropped & CG_MEMORY)) {
                        char v[32];
                        limits_format_size(l->memory_max, v, sizeof v);
                        snprintf(limit, sizeof limit, " (limit %s)", v);
                }
                if (cmd_signal == SIGKILL)
                        log_error("killed: out of memory%s", limit);
                else
                        log_warn("%llu process%s in the sandbox killed: out of memory%s",
                                 (unsigned long long)s->oom_kills, s->oom_kills > 1 ? "es" : "",
                                 limit);
        }
        if (s->valid && s->pids_denied > 0) {
                char v[32] = "an enclosing cgroup's";
                if (l->pids_max >= 0 && !(cg->dropped & CG_PIDS))
                        snprintf(v, sizeof v, "%lld", (long long)l->pids_max);
                log_warn("the process limit (%s) refused %llu fork%s", v,
                         (unsigned long long)s->pids_denied, s->pids_denied > 1 ? "s" : "");
        }
        if (l->stats)
                print_stats(cg);
}
