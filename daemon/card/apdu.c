/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "apdu.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"

#define MAX_CHAINED_RESPONSES 64
#define RETRY_USEC (50 * 1000)

int apdu_encode(const Apdu *a, bool extended_ok, uint8_t *buf, size_t size, size_t *ret_len) {
        bool extended = a->lc > 255 || a->le > 256;
        size_t n = 0, need;

        if (a->lc > 65535 || a->le > 65536 || (a->lc > 0 && !a->data))
                return -EINVAL;
        if (extended && !extended_ok)
                return -EINVAL;

        need = 4 + (a->lc ? (extended ? 3 : 1) + a->lc : 0) + (a->le ? (extended ? (a->lc ? 2 : 3) : 1) : 0);
        if (need > size)
                return -ENOBUFS;

        buf[n++] = a->cla;
        buf[n++] = a->ins;
        buf[n++] = a->p1;
        buf[n++] = a->p2;
        if (a->lc > 0) {
                if (extended) {
                        buf[n++] = 0;
                        buf[n++] = (uint8_t) (a->lc >> 8);
                }
                buf[n++] = (uint8_t) a->lc;
                memcpy(buf + n, a->data, a->lc);
                n += a->lc;
        }
        if (a->le > 0) {
                if (extended) {
                        if (a->lc == 0)
                                buf[n++] = 0;
                        buf[n++] = (uint8_t) (a->le >> 8); /* 65536 encodes as 00 00 */
                }
                buf[n++] = (uint8_t) a->le;        /* 256 encodes as 00 */
        }
        *ret_len = n;
        return 0;
}

static void trace(const Apdu *a, uint16_t sw, size_t len) {
        /* Only the header and SW: the data may carry a PIN. */
        if (log_get_max_level() >= LOG_DEBUG)
                log_debug("APDU %02X %02X %02X %02X Lc=%zu Le=%zu -> %04X (%zu bytes)",
                          a->cla, a->ins, a->p1, a->p2, a->lc, a->le, sw, len);
}

int apdu_transmit(Transport *t, const Apdu *a, uint8_t *resp, size_t resp_size,
                  size_t *ret_len, uint16_t *sw) {
        uint8_t cmd[4 + 3 + 65535 + 3];
        uint8_t rbuf[APDU_MAX_RESPONSE];
        Apdu cur = *a;
        size_t total = 0, cmd_len, rlen;
        int r;

        r = apdu_encode(&cur, t->extended, cmd, sizeof cmd, &cmd_len);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < MAX_CHAINED_RESPONSES; i++) {
                uint16_t s;

                r = transport_transmit(t, cmd, cmd_len, rbuf, sizeof rbuf, &rlen);
                explicit_bzero(cmd, cmd_len);
                if (r == -EIO && i == 0 && !a->sensitive) {
                        /* Lost on its way, the card still there (a reader
                         * not quite ready right after an insertion, as
                         * vpcd): once more, a little later. Never a
                         * command carrying a secret, which may have
                         * reached the card, nor a GET RESPONSE. */
                        log_debug("Transmitting INS %02X failed; trying once more.", a->ins);
                        (void) usleep(RETRY_USEC);
                        r = apdu_encode(&cur, t->extended, cmd, sizeof cmd, &cmd_len);
                        if (r >= 0)
                                r = transport_transmit(t, cmd, cmd_len, rbuf, sizeof rbuf, &rlen);
                        explicit_bzero(cmd, cmd_len);
                }
                if (r < 0)
                        return r;
                if (rlen < 2 || rlen > sizeof rbuf) {
                        log_debug("Card sent a %zu byte response to INS %02X.", rlen, a->ins);
                        return -EBADMSG;
                }
                s = (uint16_t) (rbuf[rlen - 2] << 8 | rbuf[rlen - 1]);
                rlen -= 2;
                trace(&cur, s, rlen);

                if (rlen > 0) {
                        if (total + rlen > resp_size)
                                return -EMSGSIZE;
                        memcpy(resp + total, rbuf, rlen);
                        total += rlen;
                }

                if ((s & 0xFF00) == 0x6100) {
                        /* More data waits: GET RESPONSE. */
                        cur = (Apdu) { .cla = a->cla, .ins = 0xC0, .le = (s & 0xFF) ? (s & 0xFF) : 256 };
                } else if ((s & 0xFF00) == 0x6C00 && i == 0 && !a->sensitive) {
                        /* Wrong Le: repeat with the exact length, only once,
                         * and never a command carrying a PIN: that would
                         * spend a second try. */
                        cur = *a;
                        cur.le = (s & 0xFF) ? (s & 0xFF) : 256;
                } else {
                        *sw = s;
                        *ret_len = total;
                        return 0;
                }
                r = apdu_encode(&cur, t->extended, cmd, sizeof cmd, &cmd_len);
                if (r < 0)
                        return r;
        }
        return -EBADMSG;
}
