/* The workload's seccomp policy: the built-in deny table below, changed by the profile's
 * [seccomp] section, described here on the host and compiled by seccomp_bpf.c (libseccomp,
 * once per distinct policy: the program is cached). The workload only installs the finished
 * program, as its very last step before exec; every child of the workload inherits it.
 *
 * Two filters at most. The first always: default allow, the built-in table (minus what the
 * profile allows), the profile's deny list and argument rules. The second only for an allow
 * list (default = deny): everything fails but what is listed. The kernel runs both and the
 * stricter answer wins, so an allow-listed ioctl still cannot push input into the terminal
 * (libseccomp cannot mix an unconditional allow and a conditional deny of one call in one
 * filter). Both are binary trees (optimize level 2), and calls whose answer never depends on
 * their arguments are cached by the kernel, so getppid() costs the same with or without them. */
#include "seccomp_filter.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "seccomp_bpf.h"
#include "seccomp_rules.h"
#include "util.h"

/* Calls blocked entirely. ENOSYS where a program should fall back to an older call (the new
 * mount API to mount(2), clone3 to clone, whose flags the filter can see); EPERM otherwise.
 * What desktop (flatpak) and container (docker) sandboxes block: kernel keyrings, BPF, perf,
 * userfaultfd (heap exploits), kexec and modules, reboot, the kernel log, accounting, swap,
 * tracing other processes (the devel profile allows it), io_uring (its own syscall-free path
 * around this filter), and a few obsolete or handle-based ones. */
static const struct {
        const char *name;
        int err;
} blocked[] = {
    {"open_tree", ENOSYS},
    {"move_mount", ENOSYS},
    {"fsopen", ENOSYS},
    {"fsconfig", ENOSYS},
    {"fsmount", ENOSYS},
    {"fspick", ENOSYS},
    {"mount_setattr", ENOSYS},
    {"clone3", ENOSYS},
    {"keyctl", EPERM},
    {"add_key", EPERM},
    {"request_key", EPERM},
    {"userfaultfd", EPERM},
    {"perf_event_open", EPERM},
    {"bpf", EPERM},
    {"kexec_load", EPERM},
    {"kexec_file_load", EPERM},
    {"init_module", EPERM},
    {"finit_module", EPERM},
    {"delete_module", EPERM},
    {"reboot", EPERM},
    {"syslog", EPERM},
    {"acct", EPERM},
    {"swapon", EPERM},
    {"swapoff", EPERM},
    {"ptrace", EPERM},
    {"process_vm_readv", EPERM},
    {"process_vm_writev", EPERM},
    {"io_uring_setup", EPERM},
    {"io_uring_enter", EPERM},
    {"io_uring_register", EPERM},
    {"uselib", EPERM},
    {"open_by_handle_at", EPERM},
    {"lookup_dcookie", EPERM},
    {"quotactl", EPERM},
    {"nfsservctl", EPERM},
    {"vm86", EPERM},
    {"vm86old", EPERM},
};

/* ioctl requests that push input into, or reprogram, the terminal the sandbox shares with the
 * invoking shell. The kernel compares only the low 32 bits of the request, so the rule must
 * too, or a request with high bits set slips past. */
static const unsigned long terminal_ioctls[] = {TIOCSTI, TIOCLINUX};

/* Socket families a sandbox has no use for: AX25 IPX APPLETALK NETROM BRIDGE ATMPVC X25, ROSE
 * DECNET NETBEUI SECURITY KEY; and everything from AF_PACKET + 1 up (VSOCK, ALG, BLUETOOTH,
 * ...). Allowed: UNIX, INET, INET6, NETLINK, and PACKET with NET_RAW. */
static const int denied_families[] = {3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15};
#define FIRST_DENIED_FAMILY (AF_PACKET + 1)

/* One filter being described: its rules are recorded here, compiled (or found compiled) by
 * seccomp_bpf.c. */
struct builder {
        struct seccomp_filter_desc *f;
        const struct config *c;
        int rules;
};

static uint32_t deny_action(const struct builder *b, int err)
{
        return b->c->seccomp.log ? SCMP_ACT_LOG : SCMP_ACT_ERRNO((uint32_t)err);
}

static int add_rule(struct builder *b, uint32_t action, const char *name, unsigned n,
                    const struct scmp_arg_cmp *cmp)
{
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR) {
                /* Newer than this libseccomp: it cannot filter it, the kernel may not have it. */
                TRACE(0, "seccomp", "%s: unknown to libseccomp, not filtered", name);
                return 0;
        }
        seccomp_desc_add(b->f, action, nr, n, cmp);
        b->rules++;
        return 0;
}

static bool allowed(const struct builder *b, const char *name)
{
        return strv_contains(b->c->seccomp.allow, name);
}

/* Argument checks are lifted by `allow` only with default = allow: in an allow list, naming
 * clone or ioctl says the program needs them, not that it may create user namespaces. */
static bool lift_checks(const struct builder *b, const char *name)
{
        return !b->c->seccomp.default_deny && allowed(b, name);
}

static int add_terminal(struct builder *b)
{
        int r = 0;
        if (lift_checks(b, "ioctl"))
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(terminal_ioctls) && r == 0; i++) {
                struct scmp_arg_cmp cmp =
                    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (scmp_datum_t)terminal_ioctls[i]);
                r = add_rule(b, deny_action(b, EPERM), "ioctl", 1, &cmp);
        }
        return r;
}

/* No user namespace from inside: the kernel's largest attack surface for an unprivileged
 * process. clone3 is gone (ENOSYS) so that every clone's flags are visible here. */
static int add_newuser(struct builder *b)
{
        static const char *const calls[] = {"clone", "unshare"};
        struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
        int r = 0;
        for (size_t i = 0; i < ARRAY_SIZE(calls) && r == 0; i++)
                if (!lift_checks(b, calls[i]))
                        r = add_rule(b, deny_action(b, EPERM), calls[i], 1, &cmp);
        return r;
}

/* personality(2): PER_LINUX, PER_LINUX32, their UNAME26 forms and the query 0xffffffff are
 * harmless; anything else (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, foreign personas) weakens
 * the process. libseccomp tests an argument once per rule and refuses an allow rule in a
 * default-allow filter, so "none of these" is a union of masked compares: bit 31 clear and a
 * bit outside PER_LINUX32|UNAME26 set, or bit 31 set and another bit clear (the query has them
 * all), or anything above 32 bits. */
static int add_personality(struct builder *b)
{
        const uint32_t harmless = PER_LINUX32 | UNAME26, top = 1U << 31;
        struct scmp_arg_cmp cmp;
        int r;

        if (lift_checks(b, "personality"))
                return 0;
        cmp = SCMP_A0(SCMP_CMP_GT, 0xffffffffULL);
        if ((r = add_rule(b, deny_action(b, EPERM), "personality", 1, &cmp)) < 0)
                return r;
        for (unsigned bit = 0; bit < 31; bit++) {
                uint32_t m = 1U << bit;
                if (!(harmless & m)) {
                        cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, top | m, m);
                        if ((r = add_rule(b, deny_action(b, EPERM), "personality", 1, &cmp)) < 0)
                                return r;
                }
                cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, top | m, top);
                if ((r = add_rule(b, deny_action(b, EPERM), "personality", 1, &cmp)) < 0)
                        return r;
        }
        return 0;
}

/* On i386, socket(2) can also go through socketcall(2), whose arguments are in memory where a
 * filter cannot read them: libseccomp then denies socketcall's SYS_SOCKET whole. */
static int add_sockets(struct builder *b)
{
        const bool net_raw = b->c->caps_keep & (1ULL << 13 /* CAP_NET_RAW */);
        struct scmp_arg_cmp cmp[2];
        int r;

        if (lift_checks(b, "socket"))
                return 0;
        cmp[0] = SCMP_A0(SCMP_CMP_GE, FIRST_DENIED_FAMILY);
        if ((r = add_rule(b, deny_action(b, EAFNOSUPPORT), "socket", 1, cmp)) < 0)
                return r;
        for (size_t i = 0; i < ARRAY_SIZE(denied_families); i++) {
                cmp[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)denied_families[i]);
                if ((r = add_rule(b, deny_action(b, EAFNOSUPPORT), "socket", 1, cmp)) < 0)
                        return r;
        }
        if (net_raw)
                return 0;
        /* Raw and packet sockets only where the profile keeps NET_RAW. */
        cmp[0] = SCMP_A0(SCMP_CMP_EQ, AF_PACKET);
        if ((r = add_rule(b, deny_action(b, EPERM), "socket", 1, cmp)) < 0)
                return r;
        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                static const int types[] = {SOCK_RAW, SOCK_PACKET};
                for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
                        cmp[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family);
                        cmp[1] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)types[i]);
                        if ((r = add_rule(b, deny_action(b, EPERM), "socket", 2, cmp)) < 0)
                                return r;
                }
        }
        return 0;
}

static uint32_t rule_action(const struct builder *b, const struct seccomp_rule *rule)
{
        switch (rule->action) {
        case SC_ACTION_ALLOW:
                return SCMP_ACT_ALLOW;
        case SC_ACTION_LOG:
                return SCMP_ACT_LOG;
        case SC_ACTION_KILL:
                return b->c->seccomp.log ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
        case SC_ACTION_ERRNO:
                return deny_action(b, rule->errno_value);
        case SC_ACTION_DEFAULT:
        default:
                return deny_action(b, b->c->seccomp.errno_value);
        }
}

static int add_user_rules(struct builder *b, bool allow_rules)
{
        static const enum scmp_compare ops[] = {
            [SC_OP_EQ] = SCMP_CMP_EQ,
            [SC_OP_NE] = SCMP_CMP_NE,
            [SC_OP_LT] = SCMP_CMP_LT,
            [SC_OP_LE] = SCMP_CMP_LE,
            [SC_OP_GT] = SCMP_CMP_GT,
            [SC_OP_GE] = SCMP_CMP_GE,
            [SC_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
        };
        const struct seccomp_settings *sc = &b->c->seccomp;
        int r;

        for (size_t i = 0; i < sc->n_rules; i++) {
                const struct seccomp_rule *rule = &sc->rules[i];
                struct scmp_arg_cmp cmp[SECCOMP_RULE_MAX_ARGS];
                if ((rule->action == SC_ACTION_ALLOW) != allow_rules)
                        continue;
                for (unsigned k = 0; k < rule->n_conds; k++) {
                        const struct seccomp_cond *cd = &rule->conds[k];
                        cmp[k] = (struct scmp_arg_cmp){
                            cd->arg, ops[cd->op], cd->op == SC_OP_MASKED_EQ ? cd->mask : cd->value,
                            cd->value};
                }
                r = add_rule(b, rule_action(b, rule), rule->syscall, rule->n_conds, cmp);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The deny filter: default allow, the built-in table, the profile's deny list and rules. */
static int deny_filter(const struct config *c, struct seccomp_filter_desc *f)
{
        struct builder b = {.f = f, .c = c};
        int r = 0;

        f->default_action = SCMP_ACT_ALLOW;
        for (size_t i = 0; r == 0 && i < ARRAY_SIZE(blocked); i++)
                if (!allowed(&b, blocked[i].name))
                        r = add_rule(&b, deny_action(&b, blocked[i].err), blocked[i].name, 0, NULL);
        if (r == 0)
                r = add_terminal(&b);
        if (r == 0)
                r = add_newuser(&b);
        if (r == 0)
                r = add_personality(&b);
        if (r == 0)
                r = add_sockets(&b);
        for (size_t i = 0; r == 0 && c->seccomp.deny && c->seccomp.deny[i]; i++)
                r = add_rule(&b, deny_action(&b, c->seccomp.errno_value), c->seccomp.deny[i], 0,
                             NULL);
        if (r == 0)
                r = add_user_rules(&b, false);
        TRACE(0, "seccomp", "deny filter: %d rules%s", b.rules,
              c->seccomp.log ? " (log mode)" : "");
        return r;
}

/* The allow filter of default = deny: only what is listed. execve is always in it, or the
 * command itself could not start. */
static int allow_filter(const struct config *c, struct seccomp_filter_desc *f)
{
        struct builder b = {.f = f, .c = c};
        int r;

        f->default_action = deny_action(&b, c->seccomp.errno_value);
        r = add_rule(&b, SCMP_ACT_ALLOW, "execve", 0, NULL);
        for (size_t i = 0; r == 0 && c->seccomp.allow && c->seccomp.allow[i]; i++)
                r = add_rule(&b, SCMP_ACT_ALLOW, c->seccomp.allow[i], 0, NULL);
        if (r == 0)
                r = add_user_rules(&b, true);
        TRACE(0, "seccomp", "allow filter: %d calls and rules", b.rules);
        return r;
}

int seccomp_prepare(const struct config *c, int cache_fd, struct seccomp_programs *ret)
{
        struct seccomp_filter_desc f[SECCOMP_MAX_PROGRAMS] = {0};
        size_t n = 0;
        int r;
        TRACE_BEGIN(t);

        memset(ret, 0, sizeof *ret);
        if (!c->seccomp.enabled) {
                TRACE(0, "seccomp", "disabled by the profile");
                return 0;
        }
        r = deny_filter(c, &f[n++]);
        if (r == 0 && c->seccomp.default_deny)
                r = allow_filter(c, &f[n++]);
        if (r == 0)
                r = seccomp_bpf_build(f, n, cache_fd, ret);
        for (size_t i = 0; i < n; i++)
                seccomp_desc_free(&f[i]);
        if (r == 0)
                TRACE(t, "seccomp", "%zu filter(s) ready: %s", n,
                      ret->from_cache ? "compiled before, from the cache" : "compiled now");
        return r;
}
