/* sandbox-scope UNIT PID: asks the user's systemd manager over D-Bus (sd-bus) for a transient
 * scope UNIT with Delegate=yes holding PID. Helper, exec'd by the launcher on the host, as the
 * user. It does what `systemd-run --user --scope -p Delegate=yes` does, and exits once the manager
 * has moved PID there; its one line of error, if any, goes into the launcher's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define TIMEOUT_US (10ULL * 1000000ULL)

struct wait_state {
        const char *unit;
        bool done;
        char result[32];
};

static int fail(int r, const char *what, const sd_bus_error *e)
{
        fprintf(stderr, "sandbox-scope: %s: %s\n", what,
                e && sd_bus_error_is_set(e) ? e->message : strerror(r < 0 ? -r : r));
        return 1;
}

static unsigned long long now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

/* JobRemoved(u id, o job, s unit, s result): ours is the one for our (unique) unit name, so
 * a signal that arrives before the call's reply is not missed. */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        struct wait_state *w = userdata;
        const char *job, *unit, *result;
        uint32_t id;

        (void)error;
        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        if (strcmp(unit, w->unit) == 0) {
                w->done = true;
                snprintf(w->result, sizeof w->result, "%s", result);
        }
        return 0;
}

/* The manager's own socket first (no bus daemon needed, as systemctl --user does), else the
 * user bus. */
static int connect_manager(sd_bus **ret)
{
        const char *rt = getenv("XDG_RUNTIME_DIR");
        struct stat st;

        if (rt && rt[0] == '/') {
                char path[4096], addr[4200];
                snprintf(path, sizeof path, "%s/systemd/private", rt);
                if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
                        sd_bus *bus = NULL;
                        int r = sd_bus_new(&bus);
                        if (r < 0)
                                return r;
                        snprintf(addr, sizeof addr, "unix:path=%s", path);
                        if ((r = sd_bus_set_address(bus, addr)) >= 0 &&
                            (r = sd_bus_start(bus)) >= 0) {
                                *ret = bus;
                                return 0;
                        }
                        sd_bus_unref(bus);
                }
        }
        return sd_bus_open_user(ret);
}

int main(int argc, char **argv)
{
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        struct wait_state w = {0};
        unsigned long long deadline;
        const char *job;
        char *end;
        long pid;
        int r;

        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (argc != 3 || (pid = strtol(argv[2], &end, 10)) <= 0 || *end) {
                fprintf(stderr, "usage: sandbox-scope UNIT PID\n");
                return 2;
        }
        w.unit = argv[1];
        if ((r = connect_manager(&bus)) < 0)
                return fail(r, "connecting to the systemd user manager", NULL);
        r = sd_bus_match_signal(bus, NULL,
                                sd_bus_is_bus_client(bus) ? "org.freedesktop.systemd1" : NULL,
                                "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return fail(r, "watching for JobRemoved", NULL);

        r = sd_bus_message_new_method_call(
            bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
            "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", w.unit, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "Description", "s",
                                          "sandbox launch", "Delegate", "b", 1, "CollectMode", "s",
                                          "inactive-or-failed", "PIDs", "au", 1, (uint32_t)pid);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return fail(r, "building the StartTransientUnit call", NULL);
        r = sd_bus_call(bus, m, TIMEOUT_US, &error, &reply);
        if (r < 0)
                return fail(r, "StartTransientUnit", &error);
        if ((r = sd_bus_message_read(reply, "o", &job)) < 0)
                return fail(r, "reading the job of StartTransientUnit", NULL);

        deadline = now_us() + TIMEOUT_US;
        while (!w.done) {
                unsigned long long now = now_us();
                if (now >= deadline) {
                        fprintf(stderr, "sandbox-scope: the job %s did not finish in 10 s\n", job);
                        return 1;
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fail(r, "waiting for the job", NULL);
                if (r == 0 && (r = sd_bus_wait(bus, deadline - now)) < 0)
                        return fail(r, "waiting for the job", NULL);
        }
        if (strcmp(w.result, "done") != 0) {
                fprintf(stderr, "sandbox-scope: the job for %s ended '%s'\n", w.unit, w.result);
                return 1;
        }
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
        return 0;
}
