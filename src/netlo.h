/* The loopback interface of the sandbox's own network namespace.
 * Runs in the child (root in the user namespace, which owns the network namespace). */
#pragma once

int net_loopback_up(void);
