/* probe's network subcommands; documented in probe_net.c. */
#pragma once

int probe_tcp(int argc, char **argv);
int probe_udp(int argc, char **argv);
int probe_dns(int argc, char **argv);
int probe_serve(int argc, char **argv);
int probe_echo(int argc, char **argv);
int probe_unix(int argc, char **argv);
int probe_raw(int argc, char **argv);
int probe_ifaddrs(int argc, char **argv);
