/* A delegated transient scope from the user's systemd manager, through the sandbox-scope helper
 * (so the launcher never loads libsystemd). Runs on the host, as the invoking user. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sys.h"
#include "util.h"

static bool is_socket(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

bool cg_scope_available(void)
{
        _cleanup_free_ char *helper = helper_path("sandbox-scope");
        const char *rt = getenv("XDG_RUNTIME_DIR");
        _cleanup_free_ char *private = NULL, *bus = NULL;

        if (access(helper, X_OK) < 0)
                return false; /* built without libsystemd */
        if (getenv("DBUS_SESSION_BUS_ADDRESS"))
                return true;
        if (!rt || rt[0] != '/')
                return false;
        private = xasprintf("%s/systemd/private", rt);
        bus = xasprintf("%s/bus", rt);
        return is_socket(private) || is_socket(bus);
}

int cg_scope_request(char *why, size_t whysize)
{
        _cleanup_free_ char *helper = helper_path("sandbox-scope");
        char unit[64], pid[24], hex[17];
        char *argv[] = {helper, unit, pid, NULL};
        size_t len = 0;
        int pipefd[2], status;
        ssize_t n;
        pid_t child;

        why[0] = 0;
        if (random_hex16(hex) < 0)
                return -EIO;
        snprintf(unit, sizeof unit, "sandbox-%s.scope", hex);
        snprintf(pid, sizeof pid, "%d", getpid());
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        child = fork();
        if (child < 0) {
                int r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (child == 0) {
                /* Its one line of error comes back to us, to go into ours. */
                if (dup2(pipefd[1], STDERR_FILENO) < 0)
                        _exit(127);
                execv(helper, argv);
                dprintf(STDERR_FILENO, "cannot run %s: %s", helper, strerror(errno));
                _exit(127);
        }
        close(pipefd[1]);
        while (len + 1 < whysize && (n = read(pipefd[0], why + len, whysize - 1 - len)) > 0)
                len += (size_t)n;
        close(pipefd[0]);
        why[len] = 0;
        why[strcspn(why, "\n")] = 0;
        status = wait_exit_status(child);
        if (status == 0)
                return 0;
        if (!why[0])
                snprintf(why, whysize, "sandbox-scope exited with status %d", status);
        else if (startswith(why, "sandbox-scope: "))
                memmove(why, why + 15, strlen(why + 15) + 1);
        return -EIO;
}
