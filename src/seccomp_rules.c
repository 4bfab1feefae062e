/* The words of a profile's [seccomp] section: system call names, errno names, and argument
 * rules. Pure (libseccomp's name tables only); runs on the host while the config is built. */
#include "seccomp_rules.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "schema.h"
#include "util.h"

#define ERR(...) setting_error(err, errsize, __VA_ARGS__)

int errno_parse(const char *s, int *ret)
{
        uint32_t n;

        if (parse_u32(s, &n) == 0) {
                if (n < 1 || n > 4095)
                        return -ERANGE;
                *ret = (int)n;
                return 0;
        }
        for (int e = 1; e < 4096; e++) {
                const char *name = strerrorname_np(e);
                if (name && strcasecmp(name, s) == 0) {
                        *ret = e;
                        return 0;
                }
        }
        return -EINVAL;
}

const char *errno_to_name(int e, char buf[16])
{
        const char *name = strerrorname_np(e);
        if (name)
                return name;
        snprintf(buf, 16, "%d", e);
        return buf;
}

int seccomp_syscall_check(const char *name, char *err, size_t errsize)
{
        const char *best = NULL;
        char *best_buf = NULL;
        unsigned best_d = 3;

        if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
                return 0;
        for (int nr = 0; nr < 1024; nr++) {
                char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                unsigned d;
                if (!n)
                        continue;
                d = str_distance(name, n);
                if (d < best_d) {
                        free(best_buf);
                        best_buf = n;
                        best = n;
                        best_d = d;
                } else {
                        free(n);
                }
        }
        if (best)
                ERR("unknown system call '%s' (did you mean %s?)", name, best);
        else
                ERR("unknown system call '%s'", name);
        free(best_buf);
        return -EINVAL;
}

/* --- argument rules ------------------------------------------------------------------------ */

struct lexer {
        const char *p;
        char tok[64];
};

static const char *const operators[] = {"->", "==", "!=", "<=", ">=", "<", ">", "&", ","};

/* The next token in l->tok: an operator, or a run of [A-Za-z0-9_-] (a name or a number).
 * Returns 0, 1 at the end, or -EINVAL for a character that starts nothing. */
static int next_token(struct lexer *l)
{
        size_t n = 0;

        while (isspace((unsigned char)*l->p))
                l->p++;
        if (!*l->p)
                return 1;
        for (size_t i = 0; i < ARRAY_SIZE(operators); i++)
                if (startswith(l->p, operators[i])) {
                        /* "-" followed by a digit is a negative number, not "->". */
                        snprintf(l->tok, sizeof l->tok, "%s", operators[i]);
                        l->p += strlen(operators[i]);
                        return 0;
                }
        while (isalnum((unsigned char)l->p[n]) || l->p[n] == '_' || (n == 0 && l->p[n] == '-')) {
                if (n + 1 >= sizeof l->tok)
                        return -E2BIG;
                l->tok[n] = l->p[n];
                n++;
        }
        if (n == 0)
                return -EINVAL;
        l->tok[n] = 0;
        l->p += n;
        return 0;
}

static int parse_number(const char *s, uint64_t *ret)
{
        const char *digits = s[0] == '-' ? s + 1 : s;
        char *end;
        unsigned long long v;

        if (!isdigit((unsigned char)digits[0]))
                return -EINVAL;
        errno = 0;
        v = strtoull(digits, &end, 0);
        if (errno || *end)
                return -EINVAL;
        *ret = s[0] == '-' ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        return 0;
}

static int parse_op(const char *t, enum seccomp_op *ret)
{
        static const char *const names[] = {
            [SC_OP_EQ] = "==", [SC_OP_NE] = "!=", [SC_OP_LT] = "<",
            [SC_OP_LE] = "<=", [SC_OP_GT] = ">",  [SC_OP_GE] = ">=",
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (names[i] && streq(t, names[i])) {
                        *ret = (enum seccomp_op)i;
                        return 0;
                }
        return -EINVAL;
}

static int parse_action(const char *t, struct seccomp_rule *r)
{
        if (streq(t, "allow"))
                r->action = SC_ACTION_ALLOW;
        else if (streq(t, "log"))
                r->action = SC_ACTION_LOG;
        else if (streq(t, "kill"))
                r->action = SC_ACTION_KILL;
        else if (errno_parse(t, &r->errno_value) == 0)
                r->action = SC_ACTION_ERRNO;
        else
                return -EINVAL;
        return 0;
}

/* COND := argN OP VALUE | argN & MASK == VALUE; the lexer stands on argN. */
static int parse_cond(struct lexer *l, struct seccomp_rule *r, char *err, size_t errsize)
{
        struct seccomp_cond *c = &r->conds[r->n_conds];
        unsigned used = 0;

        if (!startswith(l->tok, "arg") || strlen(l->tok) != 4 || l->tok[3] < '0' || l->tok[3] > '5')
                return ERR("expected arg0 to arg5, got '%s'", l->tok);
        c->arg = (unsigned)(l->tok[3] - '0');
        for (unsigned i = 0; i < r->n_conds; i++)
                used |= 1U << r->conds[i].arg;
        if (used & (1U << c->arg))
                return ERR("arg%u is tested twice; a rule tests each argument once (write a "
                           "second rule)",
                           c->arg);
        if (next_token(l) != 0)
                return ERR("arg%u: expected an operator (== != < <= > >= &)", c->arg);
        if (streq(l->tok, "&")) {
                if (next_token(l) != 0 || parse_number(l->tok, &c->mask) < 0)
                        return ERR("arg%u &: expected a mask (a number)", c->arg);
                if (next_token(l) != 0 || !streq(l->tok, "=="))
                        return ERR("arg%u & MASK: expected ==", c->arg);
                c->op = SC_OP_MASKED_EQ;
        } else if (parse_op(l->tok, &c->op) < 0) {
                return ERR("arg%u: '%s' is not an operator (== != < <= > >= &)", c->arg, l->tok);
        }
        if (next_token(l) != 0 || parse_number(l->tok, &c->value) < 0)
                return ERR("arg%u: expected a number (decimal, 0x hex or 0 octal)", c->arg);
        r->n_conds++;
        return 0;
}

int seccomp_rule_parse(const char *text, struct seccomp_rule *ret, char *err, size_t errsize)
{
        struct lexer l = {.p = text};
        struct seccomp_rule r = {.action = SC_ACTION_DEFAULT};
        int t;

        if (next_token(&l) != 0)
                return ERR("expected 'SYSCALL [argN OP VALUE, ...] [-> ACTION]'");
        if (seccomp_syscall_check(l.tok, err, errsize) < 0)
                return -EINVAL;
        r.syscall = xstrdup(l.tok);
        t = next_token(&l);
        while (t == 0 && !streq(l.tok, "->")) {
                if (r.n_conds > 0) {
                        if (!streq(l.tok, ",")) {
                                ERR("expected ',' or '->' after a condition, got '%s'", l.tok);
                                goto fail;
                        }
                        if (next_token(&l) != 0) {
                                ERR("expected a condition after ','");
                                goto fail;
                        }
                }
                if (r.n_conds == SECCOMP_RULE_MAX_ARGS) {
                        ERR("too many conditions (one per argument, six at most)");
                        goto fail;
                }
                if (parse_cond(&l, &r, err, errsize) < 0)
                        goto fail;
                t = next_token(&l);
        }
        if (t < 0) {
                ERR("unexpected character '%c'", *l.p);
                goto fail;
        }
        if (t == 0) { /* "->" */
                if (next_token(&l) != 0 || parse_action(l.tok, &r) < 0) {
                        ERR("-> expects allow, log, kill, or an errno (EPERM, or a number)");
                        goto fail;
                }
                if (next_token(&l) != 1) {
                        ERR("unexpected '%s' after the action", l.tok);
                        goto fail;
                }
        }
        *ret = r;
        return 0;
fail:
        seccomp_rule_done(&r);
        return -EINVAL;
}

static void format_number(uint64_t v, FILE *f)
{
        if (v < 10)
                fprintf(f, "%" PRIu64, v);
        else
                fprintf(f, "0x%" PRIx64, v);
}

void seccomp_rule_format(const struct seccomp_rule *r, FILE *f)
{
        static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "=="};
        char buf[16];

        fputs(r->syscall, f);
        for (unsigned i = 0; i < r->n_conds; i++) {
                const struct seccomp_cond *c = &r->conds[i];
                fprintf(f, "%s arg%u ", i ? "," : "", c->arg);
                if (c->op == SC_OP_MASKED_EQ) {
                        fputs("& ", f);
                        format_number(c->mask, f);
                        fputc(' ', f);
                }
                fprintf(f, "%s ", ops[c->op]);
                format_number(c->value, f);
        }
        switch (r->action) {
        case SC_ACTION_DEFAULT:
                break;
        case SC_ACTION_ERRNO:
                fprintf(f, " -> %s", errno_to_name(r->errno_value, buf));
                break;
        case SC_ACTION_ALLOW:
                fputs(" -> allow", f);
                break;
        case SC_ACTION_LOG:
                fputs(" -> log", f);
                break;
        case SC_ACTION_KILL:
                fputs(" -> kill", f);
                break;
        }
}

void seccomp_rule_done(struct seccomp_rule *r)
{
        free(r->syscall);
        r->syscall = NULL;
}
