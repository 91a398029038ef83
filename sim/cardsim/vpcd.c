/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vsmartcard vpcd wire protocol: the card is a TCP client of the
 * reader driver; every frame is a 2-byte big-endian length and a payload. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cardsim.h"
#include "macro.h"

int vpcd_connect(const char *host, unsigned port) {
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
        struct addrinfo *ai = NULL;
        char service[16];
        int r, fd = -1;

        snprintf(service, sizeof service, "%u", port);
        r = getaddrinfo(host, service, &hints, &ai);
        if (r != 0)
                return r == EAI_SYSTEM ? negative_errno() : -EHOSTUNREACH;
        r = -ECONNREFUSED;
        for (struct addrinfo *a = ai; a; a = a->ai_next) {
                fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
                if (fd < 0) {
                        r = -errno;
                        continue;
                }
                if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
                        break;
                r = -errno;
                close(fd);
                fd = -1;
        }
        freeaddrinfo(ai);
        if (fd < 0)
                return r;
        int one = 1;
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd;
}

static int recv_all(int fd, uint8_t *buf, size_t n) {
        size_t got = 0;
        while (got < n) {
                int one = 1;
                /* Delayed ACKs would cost ~40 ms per APDU; the flag does not
                 * stick, so it is set before every read. */
                (void) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
                ssize_t k = recv(fd, buf + got, n - got, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return got == 0 ? 0 : -EPROTO;
                got += k;
        }
        return 1;
}

int vpcd_recv(int fd, uint8_t *buf, size_t size) {
        uint8_t hdr[2];
        int r;

        r = recv_all(fd, hdr, 2);
        if (r <= 0)
                return r;
        size_t n = (size_t) hdr[0] << 8 | hdr[1];
        if (n == 0 || n > size)
                return -EPROTO;
        r = recv_all(fd, buf, n);
        if (r == 0)
                return -EPROTO;
        return r < 0 ? r : (int) n;
}

int vpcd_send(int fd, const uint8_t *payload, size_t len) {
        uint8_t frame[2 + CARD_RESPONSE_MAX];

        /* An empty frame means "card removed" to vpcd. */
        if (len == 0 || len > 0xffff)
                return -EINVAL;
        frame[0] = len >> 8;
        frame[1] = len & 0xff;
        memcpy(frame + 2, payload, len);
        size_t sent = 0;
        while (sent < len + 2) {
                ssize_t k = send(fd, frame + sent, len + 2 - sent, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                sent += k;
        }
        return 0;
}
