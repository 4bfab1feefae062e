/* Unit tests of the [seccomp] words: argument rules read and written back, errno names, and
 * system call names with their suggestions. Pure. */
#include <errno.h>
#include <stdlib.h>

#include "../unit/check.h"
#include "seccomp_rules.h"
#include "util.h"

static char *format(const struct seccomp_rule *r)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        seccomp_rule_format(r, f);
        fclose(f);
        return buf;
}

/* Parses text, checks its canonical form, and that the canonical form reads back the same. */
static void canonical(const char *text, const char *want)
{
        struct seccomp_rule r, again;
        char err[256] = "";
        char *out, *out2;

        if (seccomp_rule_parse(text, &r, err, sizeof err) < 0) {
                fprintf(stderr, "'%s' does not parse: %s\n", text, err);
                check_failures++;
                return;
        }
        out = format(&r);
        CHECK_STR(out, want);
        CHECK_INT(seccomp_rule_parse(out, &again, err, sizeof err), 0);
        out2 = format(&again);
        CHECK_STR(out2, out);
        CHECK_INT(again.n_conds, r.n_conds);
        for (unsigned i = 0; i < r.n_conds; i++) {
                CHECK_INT(again.conds[i].value, r.conds[i].value);
                CHECK_INT(again.conds[i].mask, r.conds[i].mask);
                CHECK_INT(again.conds[i].op, r.conds[i].op);
        }
        free(out);
        free(out2);
        seccomp_rule_done(&r);
        seccomp_rule_done(&again);
}

static void test_rules(void)
{
        struct seccomp_rule r;
        char err[256];

        canonical("ptrace", "ptrace");
        canonical("  socket   arg0==40->EAFNOSUPPORT ", "socket arg0 == 0x28 -> EAFNOSUPPORT");
        canonical("ioctl arg1 & 0xffffffff == 0x5412", "ioctl arg1 & 0xffffffff == 0x5412");
        canonical("clone arg0 & 0x10000000 == 0x10000000 -> 1",
                  "clone arg0 & 0x10000000 == 0x10000000 -> EPERM");
        canonical("personality arg0 != -1, arg1 < 3, arg2 <= 010, arg3 > 7, arg4 >= 0x10, "
                  "arg5 == 1 -> log",
                  "personality arg0 != 0xffffffffffffffff, arg1 < 3, arg2 <= 8, arg3 > 7, arg4 >= "
                  "0x10, arg5 == 1 -> log");
        canonical("kill -> kill", "kill -> kill");
        canonical("read -> allow", "read -> allow");
        canonical("write -> 4000", "write -> 4000");

        CHECK_INT(seccomp_rule_parse("socket arg0 == 40 -> ENOSYS", &r, err, sizeof err), 0);
        CHECK_INT(r.action, SC_ACTION_ERRNO);
        CHECK_INT(r.errno_value, ENOSYS);
        CHECK_INT(r.conds[0].arg, 0);
        CHECK_INT(r.conds[0].value, 40);
        seccomp_rule_done(&r);

        CHECK(seccomp_rule_parse("", &r, err, sizeof err) < 0);
        CHECK(strstr(err, "expected 'SYSCALL") != NULL);
        CHECK(seccomp_rule_parse("arg0 == 1", &r, err, sizeof err) < 0);
        CHECK(strstr(err, "unknown system call 'arg0'") != NULL);
        CHECK(seccomp_rule_parse("read arg0 == 99999999999999999999999", &r, err, sizeof err) < 0);
        CHECK(seccomp_rule_parse("read arg0 == 1,", &r, err, sizeof err) < 0);
        CHECK(strstr(err, "expected a condition after ','") != NULL);
        CHECK(seccomp_rule_parse("read arg0 == 1 arg1", &r, err, sizeof err) < 0);
        CHECK(seccomp_rule_parse("read ->", &r, err, sizeof err) < 0);
        CHECK(seccomp_rule_parse("read arg0", &r, err, sizeof err) < 0);
        CHECK(strstr(err, "arg0: expected an operator") != NULL);
        CHECK(seccomp_rule_parse("read arg0 == 1, arg0 == 2", &r, err, sizeof err) < 0);
        CHECK(seccomp_rule_parse("read arg0 == 1, arg1 == 1, arg2 == 1, arg3 == 1, arg4 == 1, "
                                 "arg5 == 1, arg0 == 1",
                                 &r, err, sizeof err) < 0);
        CHECK(strstr(err, "too many conditions") != NULL);
        {
                char big[200];
                memset(big, 'a', sizeof big);
                big[sizeof big - 1] = 0;
                CHECK(seccomp_rule_parse(big, &r, err, sizeof err) < 0);
        }
}

static void test_names(void)
{
        char err[256], buf[16];
        int e;

        CHECK_INT(errno_parse("EPERM", &e), 0);
        CHECK_INT(e, EPERM);
        CHECK_INT(errno_parse("enosys", &e), 0);
        CHECK_INT(e, ENOSYS);
        CHECK_INT(errno_parse("13", &e), 0);
        CHECK_INT(e, 13);
        CHECK(errno_parse("0", &e) < 0);
        CHECK(errno_parse("4096", &e) < 0);
        CHECK(errno_parse("EWHATEVER", &e) < 0);
        CHECK_STR(errno_to_name(EAFNOSUPPORT, buf), "EAFNOSUPPORT");
        CHECK_STR(errno_to_name(4000, buf), "4000");

        CHECK_INT(seccomp_syscall_check("getppid", err, sizeof err), 0);
        CHECK_INT(seccomp_syscall_check("socketcall", err, sizeof err), 0); /* i386 only */
        CHECK(seccomp_syscall_check("getpid2", err, sizeof err) < 0);
        CHECK(strstr(err, "did you mean getpid?") != NULL);
        CHECK(seccomp_syscall_check("qqqqqqqqqqqq", err, sizeof err) < 0);
        CHECK_STR(err, "unknown system call 'qqqqqqqqqqqq'");
}

int main(void)
{
        test_rules();
        test_names();
        CHECK_DONE();
}
