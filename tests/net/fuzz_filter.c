/* libFuzzer target for the network helper's frame filter (helpers/slirp/filter.c): every frame
 * the sandbox writes on tap0 goes through it before libslirp. Besides memory errors (ASan), it
 * checks the promises of filter.h on every input: nothing aimed at the host's loopback passes,
 * nothing but DNS reaches the DNS alias, and an answer is a well-formed ICMP that fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

static void check(int ok)
{
        if (!ok)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t out[FILTER_REJECT_MAX];
        const uint8_t *ip = data + 14;

        for (int mode = 0; mode < 4; mode++) {
                struct filter f = {
                    .allow_host_loopback = mode & 1, .dns4 = mode & 2, .dns6 = mode & 2};
                enum filter_verdict v = filter_frame(&f, data, size);
                size_t n = filter_reject(data, size, out);

                check(v <= FILTER_DROP_MALFORMED);
                check(n == 0 || (n >= 14 + 28 && n <= FILTER_REJECT_MAX));
                if (size >= 14 + 20 && data[12] == 0x08 && data[13] == 0x00) {
                        /* 127/8 and 0/8 never pass, open loopback or not. */
                        if (ip[16] == 127 || ip[16] == 0)
                                check(v != FILTER_PASS);
                        /* Closed: a UDP datagram to the gateway never passes. */
                        if (!f.allow_host_loopback && (ip[0] >> 4) == 4 && ip[9] == 17 &&
                            ip[16] == 10 && ip[17] == 0 && ip[18] == 2 && ip[19] == 2)
                                check(v != FILTER_PASS);
                }
                if (size >= 14 + 40 && data[12] == 0x86 && data[13] == 0xdd) {
                        static const uint8_t zero[10];
                        if (memcmp(ip + 24, zero, 10) == 0 &&
                            ((ip[34] == 0 && ip[35] == 0) || (ip[34] == 0xff && ip[35] == 0xff)))
                                check(v != FILTER_PASS);
                }
                if (n > 0)
                        check(out[12] == data[12] && out[13] == data[13]);
        }
        return 0;
}
