/* The workload's seccomp filter (libseccomp), loaded as the very last step before exec.
 * Runs in the workload process only, after capabilities are dropped and no_new_privs is set;
 * every child of the workload inherits it. */
#include "seccomp_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include "config.h"
#include "log.h"

/* ioctl requests that push input into, or reprogram, the terminal the sandbox shares with the
 * invoking shell. The kernel compares only the low 32 bits of the request, so the rule must
 * too, or a request with high bits set slips past. */
static const unsigned long terminal_ioctls[] = {TIOCSTI, TIOCLINUX};

/* Foreign system call ABIs the CPU can also enter (int 0x80, x32): the same rules apply
 * there, or they would be a way around them. */
static int add_foreign_arches(scmp_filter_ctx ctx)
{
        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                return 0;
        int r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
        if (r < 0 && r != -EEXIST)
                return r;
        r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
        return r == -EEXIST ? 0 : r;
}

int seccomp_apply(const struct config *c)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r, rules = 0;
        TRACE_BEGIN(t);

        if (!ctx)
                return log_error("seccomp_init failed");
        r = add_foreign_arches(ctx);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < sizeof terminal_ioctls / sizeof terminal_ioctls[0]; i++) {
                r = seccomp_rule_add(
                    ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (scmp_datum_t)terminal_ioctls[i]));
                if (r < 0)
                        goto out;
                rules++;
        }
        r = seccomp_load(ctx);
out:
        seccomp_release(ctx);
        if (r < 0)
                return log_errno(r, "loading the seccomp filter");
        TRACE(t, "seccomp", "filter loaded: %d rules, default allow", rules);
        (void)c;
        return 0;
}
