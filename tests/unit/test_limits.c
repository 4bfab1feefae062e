/* Unit tests: the resource-limit settings (sizes, CPUs, io.max lines, their errors through the
 * settings table) and the cgroup v2 text formats the launcher reads (cgroup_text.c). */
#include <errno.h>
#include <stdlib.h>

#include "cgroup_text.h"
#include "check.h"
#include "cli.h"
#include "config.h"
#include "reslimits.h"
#include "util.h"

static void test_sizes(void)
{
        int64_t v;
        char buf[32];

        CHECK_INT(limits_parse_size("512M", &v), 0);
        CHECK_INT(v, 512LL << 20);
        CHECK_INT(limits_parse_size("1.5G", &v), 0);
        CHECK_INT(v, 3LL << 29);
        CHECK_INT(limits_parse_size("4096", &v), 0);
        CHECK_INT(v, 4096);
        CHECK_INT(limits_parse_size("2k", &v), 0); /* suffixes in either case */
        CHECK_INT(v, 2048);
        CHECK_INT(limits_parse_size("max", &v), 0);
        CHECK_INT(v, LIMIT_MAX);
        CHECK_INT(limits_parse_size("", &v), -EINVAL);
        CHECK_INT(limits_parse_size("M", &v), -EINVAL);
        CHECK_INT(limits_parse_size("-1M", &v), -EINVAL);
        CHECK_INT(limits_parse_size("12X", &v), -EINVAL);
        CHECK_INT(limits_parse_size("1.2.3M", &v), -EINVAL);
        CHECK_INT(limits_parse_size("99999999999T", &v), -ERANGE);

        limits_format_size(512LL << 20, buf, sizeof buf);
        CHECK_STR(buf, "512M");
        limits_format_size(3LL << 29, buf, sizeof buf);
        CHECK_STR(buf, "1.5G");
        limits_format_size(1023, buf, sizeof buf);
        CHECK_STR(buf, "1023");
        limits_format_size(64 << 10, buf, sizeof buf);
        CHECK_STR(buf, "64K");
        limits_format_size(5LL << 40, buf, sizeof buf);
        CHECK_STR(buf, "5T");
        limits_format_size(LIMIT_MAX, buf, sizeof buf);
        CHECK_STR(buf, "max");
}

static void test_cpus(void)
{
        int64_t q, p;
        CHECK_INT(limits_parse_cpus("1.5", &q, &p), 0);
        CHECK_INT(q, 150000);
        CHECK_INT(p, 100000);
        CHECK_INT(limits_parse_cpus("0.2", &q, &p), 0);
        CHECK_INT(q, 20000);
        CHECK_INT(limits_parse_cpus("max", &q, &p), 0);
        CHECK_INT(q, LIMIT_MAX);
        CHECK_INT(limits_parse_cpus("0.001", &q, &p), -ERANGE); /* under 1 ms per period */
        CHECK_INT(limits_parse_cpus("0", &q, &p), -ERANGE);
        CHECK_INT(limits_parse_cpus("5000", &q, &p), -ERANGE);
        CHECK_INT(limits_parse_cpus("two", &q, &p), -EINVAL);
}

static void test_io_max(void)
{
        CHECK(limits_io_max_valid("8:0 rbps=1048576"));
        CHECK(limits_io_max_valid("8:16 rbps=max wbps=100 riops=10 wiops=20"));
        CHECK(!limits_io_max_valid("8:0"));               /* no key */
        CHECK(!limits_io_max_valid("sda rbps=1"));        /* not MAJ:MIN */
        CHECK(!limits_io_max_valid("8:0 rbps=fast"));     /* not a number */
        CHECK(!limits_io_max_valid("8:0 speed=1"));       /* unknown key */
        CHECK(!limits_io_max_valid("8:0 rbps=1;wbps=1")); /* junk after the number */
}

/* Each option through the settings table, as the command line gives it. */
static int build(char **argv, struct config **ret)
{
        struct cli c;
        int r = cli_parse((int)strv_length(argv), argv, &c);
        if (r == 0)
                r = config_build(&c, ret);
        cli_free(&c);
        return r;
}

static void test_options(void)
{
        struct config *cfg = NULL;
        char *ok[] = {"sandbox",
                      "--memory",
                      "512M",
                      "--pids",
                      "256",
                      "--cpus",
                      "1.5",
                      "--cpu-weight",
                      "50",
                      "--io-weight",
                      "10",
                      "--io-max",
                      "8:0 wbps=1000",
                      "--memory-swap",
                      "0",
                      "--limits",
                      "best-effort",
                      "--cgroup-delegate",
                      "--stats",
                      "img",
                      NULL};
        CHECK_INT(build(ok, &cfg), 0);
        if (cfg) {
                const struct limits *l = &cfg->limits;
                CHECK_INT(l->memory_max, 512LL << 20);
                CHECK_INT(l->memory_swap_max, 0);
                CHECK_INT(l->pids_max, 256);
                CHECK_INT(l->cpu_quota_us, 150000);
                CHECK_INT(l->cpu_period_us, 100000);
                CHECK_INT(l->cpu_weight, 50);
                CHECK_INT(l->io_weight, 10);
                CHECK_STR(l->io_max ? l->io_max[0] : NULL, "8:0 wbps=1000");
                CHECK_INT(l->mode, LIMITS_BEST_EFFORT);
                CHECK(l->delegate);
                CHECK(l->stats);
                CHECK(limits_any(l));
                CHECK(limits_want_cgroup(l));
        }
        config_free(cfg);

        cfg = NULL;
        char *none[] = {"sandbox", "img", NULL};
        CHECK_INT(build(none, &cfg), 0);
        CHECK(cfg && !limits_any(&cfg->limits) && !limits_want_cgroup(&cfg->limits));
        config_free(cfg);

        cfg = NULL;
        char *stats[] = {"sandbox", "--stats", "img", NULL};
        CHECK_INT(build(stats, &cfg), 0);
        CHECK(cfg && !limits_any(&cfg->limits) && limits_want_cgroup(&cfg->limits));
        config_free(cfg);

        /* Bad values fail with the config unbuilt (the launcher exits 125). */
        char *bad[][4] = {
            {"--memory", "12X"},       {"--memory", "512K"},     {"--pids", "1"},
            {"--pids", "-1"},          {"--cpus", "0"},          {"--cpu-weight", "0"},
            {"--cpu-weight", "10001"}, {"--io-weight", "x"},     {"--io-max", "8:0"},
            {"--limits", "loose"},     {"--memory-swap", "lots"}};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                char *argv[] = {"sandbox", bad[i][0], bad[i][1], "img", NULL};
                cfg = NULL;
                CHECK(build(argv, &cfg) < 0);
                config_free(cfg);
        }
}

static void test_controllers(void)
{
        char buf[64];
        CHECK_INT(cg_parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n"), CG_ALL);
        CHECK_INT(cg_parse_controllers("memory pids"), CG_MEMORY | CG_PIDS);
        CHECK_INT(cg_parse_controllers("hugetlb\n"), 0);
        CHECK_INT(cg_parse_controllers(""), 0);
        CHECK_INT(cg_parse_controllers("cpuset"), 0); /* not "cpu" */
        cg_format_controllers(CG_MEMORY | CG_CPU, "+", " ", buf, sizeof buf);
        CHECK_STR(buf, "+cpu +memory");
        cg_format_controllers(CG_ALL, "", ", ", buf, sizeof buf);
        CHECK_STR(buf, "cpu, io, memory, pids");
        cg_format_controllers(0, "-", " ", buf, sizeof buf);
        CHECK_STR(buf, "");
        CHECK_STR(cg_controller_name(CG_IO), "io");
        CHECK(cg_controller_name(CG_IO | CG_CPU) == NULL);
}

static void test_proc_cgroup(void)
{
        char *v2 = NULL;
        unsigned v1 = 99;

        CHECK_INT(cg_parse_proc_cgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice"
                                       "/x.scope\n",
                                       &v2, &v1),
                  0);
        CHECK_STR(v2, "user.slice/user-1000.slice/user@1000.service/app.slice/x.scope");
        CHECK_INT(v1, 0);
        free(v2);

        /* A hybrid host: v1 hierarchies hold the controllers, v2 is "/". */
        CHECK_INT(cg_parse_proc_cgroup("9:name=systemd:/\n8:pids:/\n7:blkio:/\n4:memory:/a/b\n"
                                       "2:cpu,cpuacct:/\n1:cpuset:/\n0::/\n",
                                       &v2, &v1),
                  0);
        CHECK_STR(v2, "");
        CHECK_INT(v1, CG_PIDS | CG_IO | CG_MEMORY | CG_CPU);
        free(v2);

        /* Pure v1: no v2 line. */
        v2 = (char *)"x";
        CHECK_INT(cg_parse_proc_cgroup("3:memory:/\n", &v2, &v1), 0);
        CHECK(v2 == NULL);
        CHECK_INT(v1, CG_MEMORY);

        CHECK_INT(cg_parse_proc_cgroup("0::relative\n", &v2, &v1), -EINVAL);
}

static void test_keyed(void)
{
        uint64_t v = 0;
        const char *events = "populated 1\nfrozen 0\n";
        const char *mem = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";

        CHECK_INT(cg_keyed_get(events, "populated", &v), 0);
        CHECK_INT(v, 1);
        CHECK_INT(cg_keyed_get(events, "frozen", &v), 0);
        CHECK_INT(v, 0);
        CHECK_INT(cg_keyed_get(mem, "oom_kill", &v), 0); /* not "oom" */
        CHECK_INT(v, 2);
        CHECK_INT(cg_keyed_get(mem, "oom", &v), 0);
        CHECK_INT(v, 3);
        CHECK_INT(cg_keyed_get(mem, "oom_killed", &v), -ENOENT);
        CHECK_INT(cg_keyed_get("usage_usec 12345", "usage_usec", &v), 0); /* no final newline */
        CHECK_INT(v, 12345);
        CHECK_INT(cg_keyed_get("max bad\n", "max", &v), -EINVAL);
        CHECK_INT(cg_keyed_get("", "max", &v), -ENOENT);
}

static void test_user_manager(void)
{
        CHECK(cg_path_in_user_manager("user.slice/user-1000.slice/user@1000.service/app.slice",
                                      1000));
        CHECK(cg_path_in_user_manager("user.slice/user-1000.slice/user@1000.service", 1000));
        CHECK(!cg_path_in_user_manager("user.slice/user-1000.slice/session-3.scope", 1000));
        CHECK(!cg_path_in_user_manager("user.slice/user-1000.slice/user@10000.service", 1000));
        CHECK(!cg_path_in_user_manager("x/user@1000.service.d", 1000));
        CHECK(!cg_path_in_user_manager("", 1000));
}

int main(void)
{
        test_sizes();
        test_cpus();
        test_io_max();
        test_options();
        test_controllers();
        test_proc_cgroup();
        test_keyed();
        test_user_manager();
        CHECK_DONE();
}
