/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"

#define READ_OFFSET_MAX 0x7FFF

static int select_file(Transport *t, uint8_t p1, const uint8_t *data, size_t len) {
        uint8_t resp[256];
        size_t rlen;
        uint16_t sw;
        Apdu a = {
                .ins = 0xA4, .p1 = p1, .p2 = 0x0C,      /* no FCI wanted */
                .data = data, .lc = len,
        };
        int r;

        r = apdu_transmit(t, &a, resp, sizeof resp, &rlen, &sw);
        if (r < 0)
                return r;
        if (sw == 0x6A86 || sw == 0x6A87 || sw == 0x6B00) {
                /* Some cards insist on returning FCP/FCI. */
                a.p2 = 0x00;
                a.le = 256;
                r = apdu_transmit(t, &a, resp, sizeof resp, &rlen, &sw);
                if (r < 0)
                        return r;
        }
        return apdu_sw_to_errno(sw);
}

int iso7816_select_aid(Transport *t, const uint8_t *aid, size_t aid_len) {
        if (aid_len == 0 || aid_len > 16)
                return -EINVAL;
        return select_file(t, 0x04, aid, aid_len);
}

int iso7816_select_path(Transport *t, const uint8_t *path, size_t path_len) {
        if (path_len < 2 || path_len % 2 != 0 || path_len > 16)
                return -EINVAL;
        if (path_len == 2)
                return select_file(t, 0x00, path, 2);
        if (path[0] == 0x3F && path[1] == 0x00)
                return select_file(t, 0x08, path + 2, path_len - 2);
        return select_file(t, 0x09, path, path_len);
}

int iso7816_select_fid(Transport *t, uint16_t fid) {
        uint8_t b[2] = { fid >> 8, fid & 0xFF };

        return select_file(t, 0x00, b, 2);
}

int iso7816_read_binary_all(Transport *t, size_t max, uint8_t **ret, size_t *ret_len) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t chunk = t->max_recv ? MIN(t->max_recv, (size_t) 256) : 256;
        size_t len = 0;
        int r;

        buf = malloc(max + 256);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                size_t got;
                uint16_t sw;
                Apdu a = {
                        .ins = 0xB0, .p1 = (uint8_t) (len >> 8), .p2 = (uint8_t) len,
                        .le = chunk,
                };

                if (len > READ_OFFSET_MAX)
                        return -EFBIG;
                r = apdu_transmit(t, &a, buf + len, max + 256 - len, &got, &sw);
                if (r == -EMSGSIZE)
                        return -EFBIG;
                if (r < 0)
                        return r;
                if (sw == 0x6B00 && len > 0)
                        break;          /* offset past the end: done */
                r = apdu_sw_to_errno(sw);
                if (r < 0)
                        return r;
                if (got > chunk) {
                        log_debug("Card returned %zu bytes for READ BINARY of %zu.", got, chunk);
                        return -EBADMSG;
                }
                len += got;
                if (len > max)
                        return -EFBIG;
                if (got < chunk || sw == 0x6282)
                        break;          /* short read: end of file */
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int pin_command(Transport *t, uint8_t ins, uint8_t p1, uint8_t ref, const uint8_t *data,
                       size_t len, uint16_t *sw) {
        uint8_t resp[256];
        size_t rlen;
        Apdu a = {
                .ins = ins, .p1 = p1, .p2 = ref,
                .data = data, .lc = len,
                .sensitive = true,
        };

        return apdu_transmit(t, &a, resp, sizeof resp, &rlen, sw);
}

int iso7816_verify(Transport *t, uint8_t ref, const uint8_t *data, size_t len, uint16_t *sw) {
        return pin_command(t, 0x20, 0x00, ref, data, len, sw);
}

int iso7816_change_reference_data(Transport *t, uint8_t p1, uint8_t ref, const uint8_t *data,
                                  size_t len, uint16_t *sw) {
        return pin_command(t, 0x24, p1, ref, data, len, sw);
}

int iso7816_get_challenge(Transport *t, uint8_t *buf, size_t len, uint16_t *sw) {
        uint8_t resp[256];
        size_t rlen;
        Apdu a = { .ins = 0x84, .le = len };
        int r;

        if (len == 0 || len > 256)
                return -EINVAL;
        r = apdu_transmit(t, &a, resp, sizeof resp, &rlen, sw);
        if (r < 0)
                return r;
        if (*sw == SW_OK) {
                if (rlen != len) {
                        log_debug("Card returned a %zu byte challenge, not %zu.", rlen, len);
                        return -EBADMSG;
                }
                memcpy(buf, resp, len);
        }
        return 0;
}

int iso7816_external_authenticate(Transport *t, uint8_t key_ref, const uint8_t *data, size_t len,
                                  uint16_t *sw) {
        return pin_command(t, 0x82, 0x00, key_ref, data, len, sw);
}

int iso7816_reset_retry_counter(Transport *t, uint8_t p1, uint8_t ref, const uint8_t *data,
                                size_t len, uint16_t *sw) {
        return pin_command(t, 0x2C, p1, ref, data, len, sw);
}
