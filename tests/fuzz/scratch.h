/* The scratch directory of the unpacker's fuzz targets (fuzz_unpack, fuzz_layered): where each
 * run unpacks, on a small tmpfs of its own where it can be. Runs in the fuzz targets. */
#pragma once

/* Makes $TMPDIR/NAME.XXXXXX and returns its path; where user namespaces allow it, the process
 * enters one (only its own ids, mapped to 0) and mounts a 32 MiB tmpfs there, so that
 * decompression bombs end in ENOSPC within milliseconds instead of filling the disk. Removed at
 * exit. Aborts when it cannot be made. */
const char *fuzz_scratch(const char *name);
