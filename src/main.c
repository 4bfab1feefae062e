/* sandbox: command line → config → one launch → exit status.
 * Runs on the host as the invoking user; nothing here is privileged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "imagecmd.h"
#include "log.h"
#include "macro.h"
#include "profile_cmd.h"
#include "sandbox.h"
#include "selfexe.h"
#include "sys.h"
#include "verbs.h"

static int open_trace(const struct config *c)
{
        int fd;
        if (!c->trace_path)
                return 0;
        if (c->trace_path[0] == '-' && !c->trace_path[1])
                fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(c->trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return log_errno(-errno, "opening the trace file %s", c->trace_path);
#ifdef SANDBOX_NO_TRACE
        log_warn("this build has no setup trace (built with -DSANDBOX_TRACE=OFF)");
#endif
        trace_init(fd, c->trace_json);
        return 0;
}

static int run(const struct cli *cli)
{
        struct config *c = NULL;
        unsigned long long t = trace_now_us();
        int code;

        if (config_build(cli, &c) < 0)
                return EXIT_LAUNCHER;
        log_quiet = c->quiet;
        if (open_trace(c) < 0) {
                config_free(c);
                return EXIT_LAUNCHER;
        }
        /* The trace starts after the config that asks for it: this step began before. */
        TRACE(t, "config", "defaults < profile %s < command line", c->profile);
        code = sandbox_run(c);
        config_free(c);
        return code;
}

int main(int argc, char **argv)
{
        struct cli cli;
        int code;

        /* Nothing the launcher inherited may reach a sandbox. */
        fds_cloexec_from(3);

        if (cli_parse(argc, argv, &cli) < 0) {
                cli_free(&cli);
                return EXIT_LAUNCHER;
        }
        switch (cli.verb) {
        case VERB_HELP:
                cli_usage(stdout);
                code = 0;
                break;
        case VERB_VERSION:
                printf("sandbox %s\n", SANDBOX_VERSION);
                code = 0;
                break;
        case VERB_RUN:
                code = run(&cli);
                break;
        case VERB_PROFILE:
                code = profile_cmd(&cli);
                break;
        case VERB_PS:
                code = verb_ps(cli.args);
                break;
        case VERB_INSPECT:
                code = verb_inspect(cli.args);
                break;
        case VERB_ENTER:
                /* Before anything else: a process that will join a sandbox runs a sealed copy
                 * of the launcher, never its file (selfexe.c). */
                if ((code = selfexe_reexec_sealed(argv)) < 0) {
                        log_errno(code, "making a sealed copy of the launcher to enter with");
                        code = EXIT_LAUNCHER;
                        break;
                }
                code = verb_enter(cli.args);
                break;
        case VERB_STOP:
                code = verb_stop(cli.args);
                break;
        case VERB_KILL:
                code = verb_kill(cli.args);
                break;
        case VERB_IMAGE:
                code = imagecmd_main(&cli);
                break;
        default:
                log_error("this verb is reserved but not available in this version yet");
                code = EXIT_LAUNCHER;
                break;
        }
        cli_free(&cli);
        return code;
}
