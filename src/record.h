/* The state record of a running sandbox: what `sandbox ps`, `inspect`, `enter`, `stop` and
 * `kill` know about it, as "key=value" lines; and the /proc parsing that checks it. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RECORD_VERSION 1

/* The namespaces of a sandbox, in the order they are joined by `sandbox enter` (user first: it
 * gives the capabilities to join the others). */
enum {
        NS_USER,
        NS_MNT,
        NS_PID,
        NS_IPC,
        NS_UTS,
        NS_NET,
        NS_CGROUP,
        NS_COUNT,
};
/* "user", "mnt", ... as in /proc/PID/ns/. */
extern const char *const ns_names[NS_COUNT];
/* CLONE_NEWUSER, ... */
extern const int ns_clone_flags[NS_COUNT];

struct state_record {
        char id[17];
        char *name; /* NULL: none */
        uid_t uid;  /* the invoking user, owner of the sandbox */
        pid_t launcher_pid, pid1;
        pid_t command_pid; /* 0 while the sandbox is starting: its command does not exist yet */
        /* Start times (field 22 of /proc/PID/stat, clock ticks after boot): with the pid, they
         * name one process for the machine's uptime, so a recycled pid is told apart. */
        unsigned long long launcher_start, pid1_start, command_start;
        long long started_us; /* CLOCK_REALTIME of the start, in microseconds */
        char *image;          /* absolute path */
        char *cwd;            /* the launcher's working directory */
        char **argv;          /* the launcher's command line, argv[0] included */
        unsigned long long ns_ino[NS_COUNT];
        char *uid_map, *gid_map; /* "inside outside count" extents, separated by ',' */
        char *run_dir;
        bool stop_at_entry;
        /* What ps shows, as the launcher saw it in its config. */
        char *profile; /* "default" when none was named */
        char *network; /* the network mode */
        char **ports;  /* published ports, as given */
        char **limits; /* "memory=512M", "pids=100", ... */
        char *hostname;
        char *workdir;               /* NULL: the user's home inside */
        uint32_t user_uid, user_gid; /* the command's identity inside */
};

void record_free(struct state_record *r);
/* The record as text (allocated). Values escape '\\' and newlines; argv repeats its key. */
char *record_format(const struct state_record *r);
/* Parses record text; unknown keys are ignored (a newer launcher may add some). -EBADMSG when
 * the version, id or a pid is missing or malformed. */
int record_parse(const char *text, struct state_record *ret);

/* The command's lines of a record, fixed-width so that the launcher can publish its record
 * while the sandbox is still being built and fill them in place (pwrite) once the command runs:
 * "command_pid=0000012345\ncommand_start=00000000000000451230\n". Returns the length. */
#define RECORD_COMMAND_SIZE 64
size_t record_format_command(pid_t pid, unsigned long long start, char buf[RECORD_COMMAND_SIZE]);
/* The offset of those lines in record text, or -1. */
long record_command_offset(const char *text);

/* A sandbox id: 16 lowercase hex characters. */
bool record_id_valid(const char *s);
/* A --name: 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit, and not something
 * that could be taken for an id (16 hex characters). */
bool record_name_valid(const char *s);

/* From the text of /proc/PID/stat: the parent pid and the start time (field 22). The command
 * name may hold spaces and parentheses: fields are counted after its last ')'. */
int proc_stat_parse(const char *text, pid_t *ret_ppid, unsigned long long *ret_start);
/* From the text of /proc/PID/status: the value of field "Name:" (e.g. "Uid"), first column. */
int proc_status_field(const char *text, const char *name, unsigned long long *ret);
/* The same, as the text after the colon, trimmed (allocated); NULL when absent. */
char *proc_status_string(const char *text, const char *name);
/* From the text of /proc/PID/cgroup: the cgroup v2 path (the "0::" line), allocated. */
char *proc_cgroup_v2(const char *text);
