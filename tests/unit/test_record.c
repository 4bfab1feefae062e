/* Unit tests: the state record format and the /proc parsing that checks records. */
#include <errno.h>
#include <sched.h>

#include "check.h"
#include "record.h"
#include "util.h"

static void test_roundtrip(void)
{
        struct state_record r = {0}, back;
        char *argv[] = {"sandbox", "--env", "A=line1\nline2", "--name", "web", "img\\dir",
                        "sh",      NULL};
        memcpy(r.id, "0123456789abcdef", 17);
        r.name = xstrdup("web");
        r.uid = 1002;
        r.launcher_pid = 100;
        r.launcher_start = 4242;
        r.pid1 = 101;
        r.pid1_start = 4243;
        r.command_pid = 104;
        r.command_start = 4244;
        r.started_us = 1700000000123456LL;
        r.image = xstrdup("/images/a b.tar");
        r.cwd = xstrdup("/home/u");
        r.argv = strv_copy(argv);
        for (int i = 0; i < NS_COUNT; i++)
                r.ns_ino[i] = 4026531835ULL + (unsigned)i;
        r.uid_map = xstrdup("0 1002 1,1 200000 65536");
        r.gid_map = xstrdup("0 1002 1");
        r.run_dir = xstrdup("/c/run/0123456789abcdef");
        r.stop_at_entry = true;
        r.profile = xstrdup("default");
        r.network = xstrdup("loopback");
        strv_push_dup(&r.limits, "memory=512M");
        strv_push_dup(&r.limits, "io-max=8:0 rbps=1048576");
        r.hostname = xstrdup("box");
        r.user_uid = 1000;
        r.user_gid = 100;

        char *text = record_format(&r);
        CHECK(strstr(text, "version=1\n") == text);
        CHECK(strstr(text, "argv=A=line1\\nline2\n") != NULL); /* a newline cannot split a line */
        CHECK_INT(record_parse(text, &back), 0);
        CHECK_STR(back.id, r.id);
        CHECK_STR(back.name, "web");
        CHECK_INT(back.uid, 1002);
        CHECK_INT(back.launcher_pid, 100);
        CHECK_INT(back.pid1_start, 4243);
        CHECK_INT(back.command_pid, 104);
        CHECK_INT(back.started_us, 1700000000123456LL);
        CHECK_STR(back.image, "/images/a b.tar");
        CHECK_INT(strv_length(back.argv), 7);
        CHECK_STR(back.argv[2], "A=line1\nline2");
        CHECK_STR(back.argv[5], "img\\dir");
        CHECK_INT(back.ns_ino[NS_CGROUP], 4026531835ULL + NS_CGROUP);
        CHECK_STR(back.uid_map, "0 1002 1,1 200000 65536");
        CHECK(back.stop_at_entry);
        CHECK_STR(back.limits[1], "io-max=8:0 rbps=1048576");
        CHECK(back.ports == NULL);
        CHECK_STR(back.hostname, "box");
        CHECK(back.workdir == NULL);
        CHECK_INT(back.user_uid, 1000);
        CHECK_INT(back.user_gid, 100);
        record_free(&back);
        record_free(&r);
        free(text);
}

static void test_malformed(void)
{
        struct state_record r;
        CHECK_INT(record_parse("", &r), -EBADMSG);
        /* Another version: not ours to read. */
        CHECK_INT(record_parse("version=2\nid=0123456789abcdef\nlauncher_pid=1\npid1=2\n"
                               "command_pid=3\n",
                               &r),
                  -EBADMSG);
        CHECK_INT(record_parse("version=1\nid=0123456789ABCDEF\nlauncher_pid=1\npid1=2\n"
                               "command_pid=3\n",
                               &r),
                  -EBADMSG);
        CHECK_INT(record_parse("version=1\nid=0123456789abcdef\nlauncher_pid=-5\npid1=2\n"
                               "command_pid=3\n",
                               &r),
                  -EBADMSG);
        /* No command yet: a sandbox that is still starting. */
        CHECK_INT(record_parse("version=1\nid=0123456789abcdef\nlauncher_pid=1\npid1=2\n", &r), 0);
        CHECK_INT(r.command_pid, 0);
        record_free(&r);
        /* Unknown keys are a newer launcher's: ignored. */
        CHECK_INT(record_parse("version=1\nid=0123456789abcdef\nlauncher_pid=1\npid1=2\n"
                               "command_pid=3\nfuture_key=x\n",
                               &r),
                  0);
        record_free(&r);
}

/* The launcher publishes its record before the command exists, then writes the command's pid
 * in place: the lines keep their length, the rest of the record is untouched. */
static void test_command_in_place(void)
{
        struct state_record r = {0}, back;
        char cmd[RECORD_COMMAND_SIZE];
        memcpy(r.id, "0123456789abcdef", 17);
        r.launcher_pid = 10;
        r.pid1 = 11;
        r.image = xstrdup("/img");
        char *text = record_format(&r);
        long off = record_command_offset(text);
        size_t len = strlen(text);
        CHECK(off > 0);
        CHECK_INT(record_parse(text, &back), 0);
        CHECK_INT(back.command_pid, 0);
        record_free(&back);

        size_t n0 = record_format_command(0, 0, cmd);
        size_t n = record_format_command(4194303, 18446744073709551615ULL, cmd);
        CHECK_INT(n, n0); /* fixed width, whatever the values */
        memcpy(text + off, cmd, n);
        CHECK_INT(strlen(text), len);
        CHECK_INT(record_parse(text, &back), 0);
        CHECK_INT(back.command_pid, 4194303);
        CHECK(back.command_start == 18446744073709551615ULL);
        CHECK_STR(back.image, "/img");
        record_free(&back);
        record_free(&r);
        free(text);
}

static void test_names(void)
{
        CHECK(record_id_valid("0123456789abcdef"));
        CHECK(!record_id_valid("0123456789abcde"));
        CHECK(!record_id_valid("0123456789abcdeg"));
        CHECK(record_name_valid("web"));
        CHECK(record_name_valid("ci-job_42.x"));
        CHECK(!record_name_valid(""));
        CHECK(!record_name_valid("-web"));
        CHECK(!record_name_valid(".hidden"));
        CHECK(!record_name_valid("a/b"));
        CHECK(!record_name_valid("a b"));
        CHECK(!record_name_valid("0123456789abcdef")); /* would read as an id */
        CHECK(!record_name_valid(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_proc(void)
{
        pid_t ppid = 0;
        unsigned long long start = 0, v = 0;
        /* A command name with spaces and parentheses: fields count after the last ')'. */
        const char *stat = "1234 (a) b (c) S 1200 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
                           "1 0 987654 1000 200 18446744073709551615\n";
        CHECK_INT(proc_stat_parse(stat, &ppid, &start), 0);
        CHECK_INT(ppid, 1200);
        CHECK_INT(start, 987654);
        CHECK_INT(proc_stat_parse("1 (x) S 0 1 1", &ppid, &start), -EBADMSG);
        CHECK_INT(proc_stat_parse("garbage", &ppid, &start), -EBADMSG);

        const char *status = "Name:\tprobe\nUid:\t1002\t1002\t1002\t1002\nSeccomp:\t2\n"
                             "CapEff:\t00000000a80425fb\n";
        CHECK_INT(proc_status_field(status, "Uid", &v), 0);
        CHECK_INT(v, 1002);
        CHECK_INT(proc_status_field(status, "Seccomp", &v), 0);
        CHECK_INT(v, 2);
        CHECK_INT(proc_status_field(status, "Gid", &v), -ENOENT);
        char *hex = proc_status_string(status, "CapEff");
        CHECK_STR(hex, "00000000a80425fb");
        free(hex);

        char *cg = proc_cgroup_v2("12:pids:/x\n1:name=systemd:/\n0::/user.slice/sb-1\n");
        CHECK_STR(cg, "/user.slice/sb-1");
        free(cg);
        CHECK(proc_cgroup_v2("1:cpu:/\n") == NULL);
        CHECK_INT(ns_clone_flags[NS_USER], CLONE_NEWUSER);
        CHECK_STR(ns_names[NS_MNT], "mnt");
}

int main(void)
{
        test_roundtrip();
        test_malformed();
        test_command_in_place();
        test_names();
        test_proc();
        CHECK_DONE();
}
