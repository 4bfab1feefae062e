/* The profile verb: sandbox profile list | show [NAME] [OPTIONS] | check FILE | keys.
 * Runs on the host as the invoking user; reads profiles, never starts a sandbox. */
#pragma once

struct cli;

/* Returns the exit status: 0, 1 (profile check found errors), 125 (usage or other failure). */
int profile_cmd(const struct cli *cli);
