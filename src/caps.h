/* Capabilities of the processes inside: what the workload keeps, what pid 1 keeps.
 * Runs as root in the user namespace, in the workload and in pid 1 (on the host only to name
 * them, for inspect). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Drop every capability not in keep from the bounding set (needs CAP_SETPCAP: call it before
 * the identity changes). */
int caps_bound(uint64_t keep);
/* Set permitted and effective to exactly keep (0 drops everything), inheritable to keep or to
 * nothing, and clear the ambient set. */
int caps_set(uint64_t keep, bool inheritable);
/* Raise caps in the ambient set, so that they survive the exec of a non-root command (each
 * must be permitted and inheritable already). */
int caps_raise_ambient(uint64_t caps);
/* Name of capability number n ("cap_kill"), for messages. */
const char *caps_name(unsigned n);
/* The name as the README and ps spell it: "CHOWN", "NET_BIND_SERVICE". */
void caps_upper_name(unsigned n, char buf[32]);
