/* Capabilities of the processes inside: what the workload keeps, what pid 1 keeps.
 * Runs as root in the user namespace, in the workload and in pid 1 (on the host only to name
 * them, for inspect). */
#include "caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "log.h"

int caps_bound(uint64_t keep)
{
        unsigned last = (unsigned)cap_max_bits();
        for (unsigned c = 0; c < last && c < 64; c++) {
                if (keep & (1ULL << c))
                        continue;
                if (cap_drop_bound((cap_value_t)c) < 0 && errno != EINVAL)
                        return log_errno(-errno, "dropping %s from the bounding set", caps_name(c));
        }
        return 0;
}

int caps_set(uint64_t keep, bool inheritable)
{
        cap_value_t list[64];
        int n = 0, r = 0;
        unsigned last = (unsigned)cap_max_bits();
        cap_t caps = cap_init();

        if (!caps)
                return log_errno(-errno, "cap_init");
        for (unsigned c = 0; c < last && c < 64; c++)
                if (keep & (1ULL << c))
                        list[n++] = (cap_value_t)c;
        if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
                      cap_set_flag(caps, CAP_EFFECTIVE, n, list, CAP_SET) < 0 ||
                      (inheritable && cap_set_flag(caps, CAP_INHERITABLE, n, list, CAP_SET) < 0)))
                r = log_errno(-errno, "building the capability sets");
        else if (cap_set_proc(caps) < 0)
                r = log_errno(-errno, "setting the capability sets");
        else if (cap_reset_ambient() < 0 && errno != EINVAL)
                r = log_errno(-errno, "clearing the ambient capability set");
        cap_free(caps);
        return r;
}

int caps_raise_ambient(uint64_t caps)
{
        unsigned last = (unsigned)cap_max_bits();
        for (unsigned c = 0; c < last && c < 64; c++)
                if ((caps & (1ULL << c)) && cap_set_ambient((cap_value_t)c, CAP_SET) < 0)
                        return log_errno(-errno, "raising %s in the ambient set", caps_name(c));
        return 0;
}

const char *caps_name(unsigned n)
{
        static char buf[64];
        char *s = cap_to_name((cap_value_t)n);
        snprintf(buf, sizeof buf, "%s", s ? s : "?");
        cap_free(s);
        return buf;
}

void caps_upper_name(unsigned n, char buf[32])
{
        const char *name = caps_name(n);
        size_t o = 0;
        if (strncmp(name, "cap_", 4) == 0)
                name += 4;
        for (; *name && o < 31; name++)
                buf[o++] = (char)(*name >= 'a' && *name <= 'z' ? *name - 'a' + 'A' : *name);
        buf[o] = 0;
}
