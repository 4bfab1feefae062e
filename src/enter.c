/* sandbox enter ID [COMMAND...]: runs a command inside a running sandbox (docker exec, nsenter):
 * its cgroup and all its namespaces, then exactly what its command got (uid and gid,
 * capabilities, no_new_privs, seccomp, environment, working directory), in its pid namespace.
 * Runs on the host as the invoking user; then this process joins the namespaces and forks the
 * command, which becomes the workload (workload.c) and execs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "cli.h"
#include "config.h"
#include "control.h"
#include "image.h"
#include "log.h"
#include "macro.h"
#include "procref.h"
#include "schema.h"
#include "seccomp_filter.h"
#include "sys.h"
#include "target.h"
#include "userns.h"
#include "util.h"
#include "verbs.h"
#include "workload.h"

static const char enter_usage[] =
    "sandbox enter [-u UID[:GID]] [-e NAME=VALUE]... [-w DIR] ID|NAME [COMMAND [ARG...]]";

/* The settings an entered command may change; everything else is the sandbox's. */
static const struct setting *setting_for(const char *option)
{
        for (size_t i = 0; i < settings_count; i++) {
                const char *name = settings[i].option ? settings[i].option : settings[i].key;
                if (streq(name, option))
                        return &settings[i];
        }
        return NULL;
}

/* The sandbox's own config, rebuilt from its launcher's command line (as `sandbox run` built it)
 * with the overrides given to enter applied last. */
static int rebuild_config(const struct state_record *rec, char **overrides, struct config **ret)
{
        struct cli cli;
        int r;

        if (!rec->argv || !rec->argv[0])
                return log_error("the state record of sandbox %s has no command line", rec->id);
        /* Relative paths on that command line (a profile, say) meant the launcher's cwd. */
        if (rec->cwd && rec->cwd[0] == '/')
                (void)!chdir(rec->cwd);
        r = cli_parse((int)strv_length(rec->argv), rec->argv, &cli);
        if (r == 0 && cli.verb != VERB_RUN)
                r = -EINVAL;
        if (r < 0) {
                cli_free(&cli);
                return log_error("cannot rebuild the configuration of sandbox %s from its command "
                                 "line (was it started by another version of sandbox?)",
                                 rec->id);
        }
        for (size_t i = 0; overrides && overrides[i]; i += 2) {
                struct cli_value *nv = realloc(cli.values, (cli.n_values + 1) * sizeof *nv);
                if (!nv)
                        abort();
                cli.values = nv;
                cli.values[cli.n_values++] =
                    (struct cli_value){setting_for(overrides[i]), xstrdup(overrides[i + 1])};
        }
        r = config_build(&cli, ret);
        cli_free(&cli);
        return r;
}

/* A layered image's own config (User, WorkingDir, Env), which the sandbox's command got: read
 * again from the cache, where the running sandbox holds the image. */
static int image_config_of(const struct config *c, const struct cache *cache, struct image *img)
{
        struct userns_plan ids = {0};
        int r = userns_plan_build(&ids);

        /* Each of these says what failed. */
        if (r >= 0)
                r = image_open(c->image, cache, ids.fingerprint, img);
        userns_plan_free(&ids);
        if (r >= 0)
                r = image_read_config(img, cache);
        if (r == -ENOENT)
                return log_error("the image %s changed since the sandbox started: its own config "
                                 "(User, WorkingDir, Env) cannot be read again to enter with",
                                 c->image);
        return r;
}

static unsigned long long ino_of(int fd)
{
        struct stat st;
        return fstat(fd, &st) < 0 ? 0 : (unsigned long long)st.st_ino;
}

/* What the launcher handed over must be the sandbox the record names, and ours: the recorded
 * inodes; a user namespace owned by us, a child of our own; every other namespace owned by it;
 * the pidfd that of the recorded pid 1. Then joining cannot reach anyone else's process. */
static int verify_reply(const struct state_record *rec, const struct control_reply *rep)
{
        _cleanup_close_ int parent = -1;
        _cleanup_close_ int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *fdinfo = NULL;
        unsigned long long pid = 0;
        char path[64];
        uid_t owner;

        if (rep->pid1 != rec->pid1 || rep->command != rec->command_pid)
                return -ESTALE;
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", rep->pid1_fd);
        if (read_file_at(AT_FDCWD, path, 4096, &fdinfo, NULL) < 0 ||
            proc_status_field(fdinfo, "Pid", &pid) < 0 || pid != (unsigned long long)rec->pid1)
                return -ESTALE;
        if (ino_of(rep->ns_fd[NS_USER]) != rec->ns_ino[NS_USER] ||
            ioctl(rep->ns_fd[NS_USER], NS_GET_OWNER_UID, &owner) < 0 || owner != getuid())
                return -ESTALE;
        parent = ioctl(rep->ns_fd[NS_USER], NS_GET_PARENT);
        if (parent < 0 || self < 0 || ino_of(parent) != ino_of(self))
                return -ESTALE;
        for (int i = 1; i < NS_COUNT; i++) {
                _cleanup_close_ int userns = ioctl(rep->ns_fd[i], NS_GET_USERNS);
                if (ioctl(rep->ns_fd[i], NS_GET_NSTYPE) != ns_clone_flags[i] ||
                    ino_of(rep->ns_fd[i]) != rec->ns_ino[i] || userns < 0 ||
                    ino_of(userns) != rec->ns_ino[NS_USER])
                        return -ESTALE;
        }
        return 0;
}

/* The cgroup v2 mount of the host (where /proc/self/cgroup paths start). */
static char *cgroup2_mount(void)
{
        _cleanup_free_ char *mi = NULL;
        if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 22, &mi, NULL) < 0)
                return NULL;
        for (char *line = mi, *end; *line; line = *end ? end + 1 : end) {
                end = strchrnul(line, '\n');
                char *dash = strstr(line, " - cgroup2 ");
                if (!dash || dash > end)
                        continue;
                char root[256], point[1024];
                if (sscanf(line, "%*s %*s %*s %255s %1023s", root, point) == 2 && streq(root, "/"))
                        return xstrdup(point);
        }
        return NULL;
}

/* Into pid 1's cgroup, while this process still sees the host's cgroup file system. A sandbox
 * with limits must not gain a process outside them: then failing to join is an error. */
static int join_cgroup(const struct state_record *rec, const struct config *c)
{
        _cleanup_free_ char *theirs_text = NULL, *mine_text = NULL, *theirs = NULL, *mine = NULL;
        _cleanup_free_ char *mnt = NULL, *procs = NULL;
        char path[64], pid[32];
        int r;

        snprintf(path, sizeof path, "/proc/%d/cgroup", rec->pid1);
        if (read_file_at(AT_FDCWD, path, 1 << 16, &theirs_text, NULL) < 0 ||
            read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &mine_text, NULL) < 0)
                return log_errno(-errno, "reading the cgroup of sandbox %s", rec->id);
        theirs = proc_cgroup_v2(theirs_text);
        mine = proc_cgroup_v2(mine_text);
        if (!theirs || (mine && streq(theirs, mine)))
                return 0;
        mnt = cgroup2_mount();
        procs = xasprintf("%s%s/cgroup.procs", mnt ? mnt : "/sys/fs/cgroup", theirs);
        snprintf(pid, sizeof pid, "%d\n", getpid());
        r = mnt ? write_file_at(AT_FDCWD, procs, pid, 0, 0) : -ENOENT;
        if (r < 0 && limits_any(&c->limits))
                return log_errno(r,
                                 "joining the cgroup %s of sandbox %s (its limits must hold "
                                 "for the entered command too)",
                                 theirs, rec->id);
        if (r < 0)
                log_warn("could not join the cgroup %s of sandbox %s (%s); the command runs in "
                         "yours",
                         theirs, rec->id, strerror(-r));
        return 0;
}

static int join_namespaces(const struct state_record *rec, const struct control_reply *rep)
{
        /* The user namespace first: it gives this process the capabilities to join the others,
         * which it owns. The pid namespace applies to the children forked after. */
        for (int i = 0; i < NS_COUNT; i++)
                if (setns(rep->ns_fd[i], ns_clone_flags[i]) < 0)
                        return log_errno(-errno, "joining the %s namespace of sandbox %s",
                                         ns_names[i], rec->id);
        return 0;
}

/* The entered command's process, in the sandbox's pid namespace: the workload's steps, in the
 * workload's order, then exec. */
static _Noreturn void run_entered(const struct config *c, const struct image_config *ic,
                                  const struct seccomp_programs *filters, char **cmd,
                                  int parent_alive)
{
        struct pollfd p = {parent_alive, POLLIN, 0};
        /* No id map to check the image's User against: the sandbox's own start did. */
        char **env = workload_become(c, ic, NULL);
        if (!env)
                _exit(EXIT_LAUNCHER);
        /* After the identity changed (that clears the parent-death signal): should `sandbox
         * enter` die, the command dies with it, as with `sandbox run`. The pipe tells whether
         * it died before (a pidfd of a process outside our pid namespace is no use here). */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (poll(&p, 1, 0) != 0)
                _exit(EXIT_LAUNCHER);
        /* Nothing of the host's goes in: only 0, 1 and 2, like the sandbox's own command. */
        close_all_except(NULL, 0);
        if (workload_confine(c, filters) < 0)
                _exit(EXIT_LAUNCHER);
        workload_exec_argv(cmd, env);
}

/* Waits for the entered command; relays the signals sent to `sandbox enter` alone. */
static int supervise(pid_t child, const sigset_t *mask)
{
        siginfo_t si;
        int status;

        for (;;) {
                if (sigwaitinfo(mask, &si) < 0)
                        continue;
                if (si.si_signo == SIGCHLD) {
                        if (waitpid(child, &status, WNOHANG) == child)
                                break;
                        continue;
                }
                /* The terminal signalled the whole job already (the command is in it). */
                if (si.si_code != SI_KERNEL)
                        (void)kill(child, si.si_signo); /* our child: its pid is ours to use */
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int enter(const char *ref, char **overrides, char **cmd)
{
        static const int relayed[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD};
        struct target t;
        struct control_reply rep = {.pid1_fd = -1};
        struct config *c = NULL;
        struct seccomp_programs filters = {0};
        struct cache cache = {.fd = -1};
        struct image img = {.hold_fd = -1};
        int alive[2] = {-1, -1}; /* [1] held by this process: EOF on [0] when it is gone */
        sigset_t mask;
        pid_t child;
        int r, code = EXIT_LAUNCHER;

        for (int i = 0; i < NS_COUNT; i++)
                rep.ns_fd[i] = -1;
        r = target_open(ref, TARGET_LAUNCHER | TARGET_PID1, &t);
        if (r < 0)
                goto out;
        if (t.rec.command_pid <= 0) {
                log_error("sandbox %s is still starting; try again in a moment", t.rec.id);
                goto out;
        }
        r = control_ask(t.dir.fd, t.rec.id, t.rec.launcher_pid, &rep);
        if (r == -ETIMEDOUT) {
                log_error("the launcher of sandbox %s (host pid %d) does not answer: is it "
                          "stopped (Ctrl-Z)?",
                          t.rec.id, t.rec.launcher_pid);
                goto out;
        }
        if (r == -ENOENT || r == -ECONNREFUSED) {
                log_error(
                    "sandbox %s does not answer on %s/%s.sock (its launcher is just starting, "
                    "or the record is not a sandbox's)",
                    t.rec.id, t.dir.path, t.rec.id);
                goto out;
        }
        if (r == -EPERM) {
                log_error("the control socket of sandbox %s is not its launcher's; refusing",
                          t.rec.id);
                goto out;
        }
        if (r < 0) {
                log_errno(r, "asking the launcher of sandbox %s for its namespaces", t.rec.id);
                goto out;
        }
        if (verify_reply(&t.rec, &rep) < 0) {
                log_error("what the launcher of sandbox %s handed over is not the sandbox its "
                          "record names (an edited record?); refusing",
                          t.rec.id);
                goto out;
        }
        if (rebuild_config(&t.rec, overrides, &c) < 0)
                goto out;
        /* The sandbox's own filter, compiled (or found compiled) here on the host, as for its
         * command: the entered process only installs it. */
        if (cache_open(&cache) < 0 || seccomp_prepare(c, cache.fd, &filters) < 0 ||
            image_config_of(c, &cache, &img) < 0 || join_cgroup(&t.rec, c) < 0)
                goto out;
        if (pipe2(alive, O_CLOEXEC) < 0) {
                log_errno(-errno, "pipe");
                goto out;
        }
        if (join_namespaces(&t.rec, &rep) < 0)
                goto out;
        control_reply_close(&rep);
        sigemptyset(&mask);
        for (size_t i = 0; i < ARRAY_SIZE(relayed); i++)
                sigaddset(&mask, relayed[i]);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        child = fork();
        if (child < 0) {
                log_errno(-errno, "fork");
                goto out;
        }
        if (child == 0) {
                close(alive[1]);
                run_entered(c, &img.config, &filters, cmd, alive[0]);
        }
        code = supervise(child, &mask);
out:
        seccomp_programs_free(&filters);
        image_close(&img);
        cache_close(&cache);
        closep(&alive[0]);
        closep(&alive[1]);
        control_reply_close(&rep);
        config_free(c);
        target_close(&t);
        return code;
}

int verb_enter(char **args)
{
        static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
                                             {"env", required_argument, NULL, 'e'},
                                             {"workdir", required_argument, NULL, 'w'},
                                             {"help", no_argument, NULL, 'h'},
                                             {0}};
        _cleanup_strv_free_ char **overrides = NULL;
        _cleanup_strv_free_ char **cmd = NULL;
        int argc, opt;
        _cleanup_free_ char **argv = verb_argv("enter", args, &argc);

        /* Nothing of this process may be read or ptraced from inside once it joins: not its
         * memory, not its fds, not /proc/PID/exe. Undumpable, with memory that belongs to the
         * host's user namespace, it is out of reach of every process in the sandbox (none has
         * CAP_SYS_PTRACE there); it stays so until the command's exec, and by then it runs a
         * sealed copy of the launcher (selfexe.c), has closed every fd but 0, 1, 2, and the
         * exec replaces all of it. */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

        while ((opt = getopt_long(argc, argv, "+u:e:w:h", opts, NULL)) != -1) {
                const char *name = opt == 'u' ? "user" : opt == 'e' ? "env" : "workdir";
                if (opt == 'h') {
                        printf("Usage: %s\nRuns COMMAND (default /bin/sh) inside a running "
                               "sandbox: its cgroup and namespaces, and its command's user, "
                               "capabilities, seccomp filter, environment and working "
                               "directory; -u, -e and -w change those three.\n",
                               enter_usage);
                        return 0;
                }
                if (opt != 'u' && opt != 'e' && opt != 'w')
                        return verb_usage_error("enter", enter_usage);
                if (!setting_for(name))
                        return verb_usage_error("enter", enter_usage);
                strv_push_dup(&overrides, name);
                strv_push_dup(&overrides, optarg);
        }
        if (optind >= argc)
                return verb_usage_error("enter", enter_usage);
        for (int i = optind + 1; i < argc; i++)
                strv_push_dup(&cmd, argv[i]);
        if (!cmd)
                strv_push_dup(&cmd, "/bin/sh");
        return enter(argv[optind], overrides, cmd);
}
