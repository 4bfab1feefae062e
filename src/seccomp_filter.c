/* The workload's seccomp filter (libseccomp), loaded as the very last step before exec: the
 * built-in deny table below, changed by the profile's [seccomp] section. Runs in the workload
 * process only, after capabilities are dropped and no_new_privs is set; every child of the
 * workload inherits it.
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

/* One filter, as one libseccomp context per ABI, merged at load: libseccomp adds a rule to
 * all the ABIs of a context or to none, and a rule that is redundant on one ABI (i386's
 * socketcall is denied whole) would then be missing on the others. */
struct builder {
        scmp_filter_ctx ctx[3];
        size_t n_ctx;
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
        int nr = seccomp_syscall_resolve_name(name), r;

        if (nr == __NR_SCMP_ERROR) {
                /* Newer than this libseccomp: it cannot filter it, the kernel may not have it. */
                TRACE(0, "seccomp", "%s: unknown to libseccomp, not filtered", name);
                return 0;
        }
        for (size_t i = 0; i < b->n_ctx; i++) {
                r = seccomp_rule_add_array(b->ctx[i], action, nr, n, cmp);
                /* EEXIST: already covered on this ABI; EDOM: the call does not exist there. */
                if (r < 0 && r != -EEXIST && r != -EDOM)
                        return log_errno(r, "seccomp: adding a rule for %s", name);
        }
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

static void release(struct builder *b)
{
        for (size_t i = 0; i < b->n_ctx; i++)
                seccomp_release(b->ctx[i]);
        b->n_ctx = 0;
}

/* Foreign system call ABIs the CPU can also enter (int 0x80, x32): the same rules apply
 * there, or they would be a way around them. */
static int new_filter(struct builder *b, uint32_t default_action)
{
        const uint32_t foreign[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
        int r = 0;

        b->ctx[b->n_ctx] = seccomp_init(default_action);
        if (!b->ctx[b->n_ctx])
                return log_error("seccomp_init failed");
        b->n_ctx++;
        for (size_t i = 0; i < ARRAY_SIZE(foreign) && seccomp_arch_native() == SCMP_ARCH_X86_64;
             i++) {
                scmp_filter_ctx ctx = seccomp_init(default_action);
                if (!ctx)
                        return log_error("seccomp_init failed");
                b->ctx[b->n_ctx++] = ctx;
                r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
                if (r == 0)
                        r = seccomp_arch_add(ctx, foreign[i]);
                if (r < 0)
                        return log_errno(r, "seccomp: adding a foreign ABI");
        }
        for (size_t i = 0; i < b->n_ctx && r == 0; i++)
                r = seccomp_attr_set(b->ctx[i], SCMP_FLTATR_CTL_OPTIMIZE, 2);
        return r < 0 ? log_errno(r, "setting up the seccomp filter") : 0;
}

static int load(struct builder *b, const char *what)
{
        int r = 0;

        /* seccomp_merge releases the context it merges in, on success. */
        while (b->n_ctx > 1 && r == 0) {
                r = seccomp_merge(b->ctx[0], b->ctx[b->n_ctx - 1]);
                if (r == 0)
                        b->n_ctx--;
        }
        if (r == 0)
                r = seccomp_load(b->ctx[0]);
        release(b);
        if (r < 0)
                return log_errno(r, "loading the seccomp filter (%s)", what);
        return 0;
}

/* The deny filter: default allow, the built-in table, the profile's deny list and rules. */
static int deny_filter(const struct config *c)
{
        struct builder b = {.c = c};
        int r = new_filter(&b, SCMP_ACT_ALLOW);

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
        if (r < 0) {
                release(&b);
                return r;
        }
        TRACE(0, "seccomp", "deny filter: %d rules%s", b.rules,
              c->seccomp.log ? " (log mode)" : "");
        return load(&b, "deny list");
}

/* The allow filter of default = deny: only what is listed. execve is always in it, or the
 * command itself could not start. */
static int allow_filter(const struct config *c)
{
        struct builder b = {.c = c};
        int r = new_filter(&b, deny_action(&b, c->seccomp.errno_value));

        if (r == 0)
                r = add_rule(&b, SCMP_ACT_ALLOW, "execve", 0, NULL);
        for (size_t i = 0; r == 0 && c->seccomp.allow && c->seccomp.allow[i]; i++)
                r = add_rule(&b, SCMP_ACT_ALLOW, c->seccomp.allow[i], 0, NULL);
        if (r == 0)
                r = add_user_rules(&b, true);
        if (r < 0) {
                release(&b);
                return r;
        }
        TRACE(0, "seccomp", "allow filter: %d calls and rules", b.rules);
        return load(&b, "allow list");
}

int seccomp_apply(const struct config *c)
{
        TRACE_BEGIN(t);
        int r;

        if (!c->seccomp.enabled) {
                TRACE(0, "seccomp", "disabled by the profile");
                return 0;
        }
        r = deny_filter(c);
        if (r == 0 && c->seccomp.default_deny)
                r = allow_filter(c);
        if (r == 0)
                TRACE(t, "seccomp", "loaded");
        return r;
}
