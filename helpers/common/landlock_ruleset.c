/* Landlock rulesets for the helpers that confine themselves (see landlock_ruleset.h): the ABI
 * detection and the versioned ruleset layout, in one place. Runs in the helpers. */
#include "landlock_ruleset.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_FS_V1       ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER    (1ULL << 13)       /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)       /* ABI 3 */
#define LL_SCOPE_ALL   (3ULL)             /* ABI 6: abstract unix sockets and signals */

/* The kernel's structures as of ABI 6; an older kernel is given the prefix it knows. */
struct ll_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
};

struct ll_path_beneath {
        uint64_t allowed_access;
        int32_t parent_fd;
} __attribute__((packed));

int landlock_abi(void)
{
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        return abi < 0 ? 0 : (int)abi;
}

int landlock_ruleset_new(int abi, uint64_t handled_net, uint64_t *ret_handled_fs)
{
        struct ll_ruleset_attr attr = {.handled_access_fs = LL_FS_V1};
        size_t size = sizeof attr.handled_access_fs;
        int fd;

        attr.handled_access_fs |= abi >= 2 ? LL_FS_REFER : 0;
        attr.handled_access_fs |= abi >= 3 ? LL_FS_TRUNCATE : 0;
        attr.handled_access_fs |= abi >= 5 ? LL_FS_IOCTL_DEV : 0;
        if (abi >= 4) {
                attr.handled_access_net = handled_net;
                size = offsetof(struct ll_ruleset_attr, scoped);
        }
        if (abi >= 6) {
                attr.scoped = LL_SCOPE_ALL;
                size = sizeof attr;
        }
        fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
        if (fd < 0)
                return -errno;
        if (ret_handled_fs)
                *ret_handled_fs = attr.handled_access_fs;
        return fd;
}

int landlock_allow(int ruleset, int fd, uint64_t access)
{
        struct ll_path_beneath pb = {.allowed_access = access, .parent_fd = fd};

        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                return -errno;
        return 0;
}

int landlock_enforce(int ruleset)
{
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                return -errno;
        return 0;
}
