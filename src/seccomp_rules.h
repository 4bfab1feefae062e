/* The words of a profile's [seccomp] section: system call names, errno names, and argument
 * rules ("clone arg0 & 0x10000000 == 0x10000000 -> EPERM"). Pure (libseccomp's name tables
 * only); the filter itself is built by seccomp_filter.c in the workload. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SECCOMP_RULE_MAX_ARGS 6

enum seccomp_op {
        SC_OP_EQ,
        SC_OP_NE,
        SC_OP_LT,
        SC_OP_LE,
        SC_OP_GT,
        SC_OP_GE,
        SC_OP_MASKED_EQ, /* (arg & mask) == value */
};

enum seccomp_action {
        SC_ACTION_DEFAULT, /* the section's errno */
        SC_ACTION_ERRNO,
        SC_ACTION_ALLOW, /* only with default = deny */
        SC_ACTION_LOG,
        SC_ACTION_KILL,
};

struct seccomp_cond {
        unsigned arg; /* 0..5 */
        enum seccomp_op op;
        uint64_t mask; /* SC_OP_MASKED_EQ */
        uint64_t value;
};

struct seccomp_rule {
        char *syscall;
        struct seccomp_cond conds[SECCOMP_RULE_MAX_ARGS];
        unsigned n_conds;
        enum seccomp_action action;
        int errno_value; /* SC_ACTION_ERRNO */
};

/* "NAME [argN OP VALUE | argN & MASK == VALUE] {, ...} [-> ACTION]"; ACTION is allow, log,
 * kill, an errno name (EPERM) or number. Each argument may be tested once per rule (a
 * libseccomp rule ANDs its conditions, one per argument). */
int seccomp_rule_parse(const char *text, struct seccomp_rule *ret, char *err, size_t errsize);
/* The canonical text of a rule, which seccomp_rule_parse reads back. */
void seccomp_rule_format(const struct seccomp_rule *r, FILE *f);
void seccomp_rule_done(struct seccomp_rule *r);

/* 0 when libseccomp knows the system call; else an error naming the nearest known one. */
int seccomp_syscall_check(const char *name, char *err, size_t errsize);

/* "EPERM" or a number from 1 to 4095. */
int errno_parse(const char *s, int *ret);
/* "EPERM", or the number as text for an errno without a name. */
const char *errno_to_name(int e, char buf[16]);
