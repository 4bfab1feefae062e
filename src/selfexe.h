/* Re-executes the launcher from a sealed in-memory copy of itself, so that a process joining a
 * sandbox never runs (and never exposes) the launcher's own file. Runs on the host. */
#pragma once

/* 1 when this process runs from a sealed copy, 0 when not, -errno. */
int selfexe_sealed(void);
/* Returns 0 at once when already running from a sealed copy; else copies /proc/self/exe into
 * a sealed memfd and execs it with argv (does not return), or returns -errno. */
int selfexe_reexec_sealed(char **argv);
