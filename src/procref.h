/* A process named without races: a pidfd, checked against what a state record says about the
 * pid (start time, parent, owner) while the pidfd pins it, so that a recycled pid or an edited
 * record never leads to signalling or joining a foreign process. Host side. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

int pidfd_open_pid(pid_t pid);
int pidfd_signal(int pidfd, int sig);
/* Whether the process is still there (a zombie counts: its pid is not free yet). */
bool pidfd_alive(int pidfd);

/* From /proc/PID/stat: the parent and the start time (clock ticks after boot). */
int proc_identity(pid_t pid, pid_t *ret_ppid, unsigned long long *ret_start);

/* A pidfd of pid, checked while it pins the process: started at `start`, parent `ppid` (0:
 * any), real uid `uid` ((uid_t)-1: any). -ESRCH when it is gone, -ESTALE when the pid is now
 * another process (or the record lies). */
int procref_open(pid_t pid, unsigned long long start, pid_t ppid, uid_t uid);
