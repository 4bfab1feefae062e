/* Why an exec failed, in words: the kernel says ENOENT both for a missing command and for a
 * missing ELF interpreter, and ENOEXEC for a binary of another architecture.
 * Runs in the workload after execve failed (privileges already dropped). */
#pragma once

/* Prints one line naming the cause and returns the exit status: 127 when the command does not
 * exist, 126 when it exists but cannot be run. */
int execdiag_report(const char *cmd, const char *path, int err);

/* Machine name of an ELF e_machine value ("aarch64"), or NULL when unknown. Pure. */
const char *execdiag_machine_name(unsigned machine);
