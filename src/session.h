/* A launch as seen from outside while it runs: its state record and control socket (so that
 * ps, inspect, enter, stop and kill find it), its --status-json report, and the --stop-at-entry
 * handoff to a debugger. Runs on the host, in the launcher: sandbox.c calls it at fixed points
 * of its stage list. */
#pragma once

#include <stdbool.h>

#include "record.h"
#include "state.h"

struct sandbox;

struct session {
        struct state_dir dir;
        int record_fd;  /* our published record, flock'ed for as long as we live */
        int control_fd; /* the listening control socket */
        int status_fd;  /* --status-json, or -1 */
        int pid1_fd;    /* pidfd of pid 1 */
        int command_fd; /* pidfd of the command, from sync 2 */
        int ns_fd[NS_COUNT];
        unsigned long long ns_ino[NS_COUNT];
        long long started_us;     /* CLOCK_REALTIME when the launch began */
        unsigned long long t0_us; /* CLOCK_MONOTONIC then, for the wall time */
        long command_off;         /* where the record holds the command's pid, for pwrite */
        int tracing;              /* --stop-at-entry: see entrystop.c */
        bool failed;              /* a step here failed after clone: the launch fails (125) */
};

void session_init(struct session *s);
/* Before clone: the state directory, --name free, --status-json opened. Logs. */
int session_prepare(struct sandbox *sb);
/* Right after clone, while pid 1 waits for its id maps: a pidfd of pid 1 and its namespaces,
 * which nobody can open once pid 1 is undumpable. Logs. */
int session_capture(struct sandbox *sb);
/* At sync 1, while the child builds the sandbox (so that it costs the launch nothing): publishes
 * the record, the command not started yet, and binds the control socket. Logs. */
int session_publish(struct sandbox *sb);
/* At sync 2 (the command's host pid is known): writes it into the record, writes the start
 * line, and with --stop-at-entry attaches to the command. Logs. */
int session_started(struct sandbox *sb);
/* The control socket for supervise's poll, or -1 (none, or not answered before sync 2). */
int session_control_fd(const struct sandbox *sb);
void session_on_control(struct sandbox *sb);
/* On SIGCHLD, before pid 1 is waited for: the traced command's stops (--stop-at-entry). */
void session_on_sigchld(struct sandbox *sb);
/* Once pid 1 is reaped (or the launch failed): removes the record, writes the exit line,
 * sweeps the records of launchers that died. */
void session_finish(struct sandbox *sb, int code);
void session_close(struct session *s);

/* status.c: --status-json. */
int status_open(const char *spec, int *ret_fd);
void status_write_start(const struct sandbox *sb);
void status_write_exit(const struct sandbox *sb, int code);

/* entrystop.c: --stop-at-entry. */
int entrystop_attach(struct sandbox *sb);
void entrystop_on_sigchld(struct sandbox *sb);
