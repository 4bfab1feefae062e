/* How a client of a published port looks inside the sandbox (see source.h).
 * Pure; runs in the helper. */
#include "source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>

#include "net.h"

void sandbox_source(const struct sockaddr_storage *peer, struct sockaddr_storage *ret)
{
        *ret = *peer;
        if (peer->ss_family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *)ret;
                uint8_t first = (uint8_t)(ntohl(a->sin_addr.s_addr) >> 24);
                if (first == 127 || first == 0) {
                        inet_pton(AF_INET, NET_GATEWAY4, &a->sin_addr);
                        a->sin_port = 0;
                }
        } else if (peer->ss_family == AF_INET6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)ret;
                if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) ||
                    IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr)) {
                        inet_pton(AF_INET6, NET_GATEWAY6, &a->sin6_addr);
                        a->sin6_port = 0;
                }
                a->sin6_scope_id = 0;
                a->sin6_flowinfo = 0;
        }
}
