/* Confines the unpacker before it parses a byte of the image: no new privileges, and Landlock.
 * Runs as root in the sandbox's user namespace, before any mount. */
#include "landlock.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

/* Why bother: libarchive's parsers and decompressors have a long CVE history, and this process
 * is root in the user namespace with the user's whole file system in view. Once confined, a
 * compromised parser can touch nothing but the cache and cannot exec anything. */

/* The kernel headers of older distributions stop at ABI 1 or 2; the values are ABI. */
#define LL_FS_V1        ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER     (1ULL << 13)       /* ABI 2 */
#define LL_FS_TRUNCATE  (1ULL << 14)       /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)       /* ABI 5 */
#define LL_NET_TCP      (3ULL)             /* ABI 4: bind and connect */
#define LL_SCOPE_ALL    (3ULL)             /* ABI 6: abstract unix sockets and signals */

#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR  (1ULL << 3)
/* Beneath the cache: everything but exec, block devices and sockets. Character devices stay
 * allowed for the overlayfs whiteouts of layers (0/0, which any user may make); a real device
 * needs CAP_MKNOD in the initial namespace, which the unpacker never has. */
#define LL_CACHE_DENY ((1ULL << 0) | (1ULL << 9) | (1ULL << 11) | LL_FS_IOCTL_DEV)

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

static int add_rule(int ruleset, int fd, uint64_t access)
{
        struct ll_path_beneath pb = {.allowed_access = access, .parent_fd = fd};

        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                return -errno;
        return 0;
}

int confine_self(int cache_fd, int image_fd)
{
        struct ll_ruleset_attr attr = {.handled_access_fs = LL_FS_V1};
        size_t size = sizeof attr.handled_access_fs;
        _cleanup_close_ int ruleset = -1;
        struct stat st;
        int abi, r;

        /* Needed for landlock_restrict_self() without CAP_SYS_ADMIN, and right anyway: nothing
         * this process runs may gain privileges. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_errno(-errno, "cannot set no_new_privs");
        abi = landlock_abi();
        if (abi < 1)
                return 0; /* no Landlock in this kernel: no_new_privs is all we get */
        attr.handled_access_fs |= abi >= 2 ? LL_FS_REFER : 0;
        attr.handled_access_fs |= abi >= 3 ? LL_FS_TRUNCATE : 0;
        attr.handled_access_fs |= abi >= 5 ? LL_FS_IOCTL_DEV : 0;
        if (abi >= 4) {
                attr.handled_access_net = LL_NET_TCP;
                size = offsetof(struct ll_ruleset_attr, scoped);
        }
        if (abi >= 6) {
                attr.scoped = LL_SCOPE_ALL;
                size = sizeof attr;
        }
        ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
        if (ruleset < 0)
                return log_errno(-errno, "cannot confine the unpacker (landlock ABI %d)", abi);
        r = add_rule(ruleset, cache_fd, attr.handled_access_fs & ~LL_CACHE_DENY);
        /* An image directory (an OCI layout) is read beneath; a file just read. */
        if (r >= 0 && fstat(image_fd, &st) < 0)
                r = -errno;
        if (r >= 0)
                r = add_rule(ruleset, image_fd,
                             S_ISDIR(st.st_mode) ? LL_READ_FILE | LL_READ_DIR : LL_READ_FILE);
        if (r >= 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                r = -errno;
        if (r < 0)
                return log_errno(r, "cannot confine the unpacker (landlock ABI %d)", abi);
        return 0;
}
