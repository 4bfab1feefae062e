/* The sandbox's pid 1: reaps orphans, forwards signals to the command, and when the command
 * ends, kills whatever is left and reports the status to the launcher.
 * Runs inside the sandbox as root of the user namespace, holding only CAP_KILL. */
#pragma once

#include <sys/types.h>

_Noreturn void init_run(pid_t command, int sync_fd);
