/* `sandbox image ls|rm|prune`: what the image cache holds, and removing what no sandbox uses.
 * Runs on the host as the invoking user; removal runs as root of a user namespace with the
 * user's id map, since unpacked files belong to the subordinate ids. */
#pragma once

struct cli;

/* Runs the verb with its arguments (cli->args); returns the exit status: 0, or 125 when
 * something could not be done (the message says what and why). */
int imagecmd_main(const struct cli *cli);
