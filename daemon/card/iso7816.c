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

/* ISO/IEC 7816-4:2005 5.1.3, the status words kartd meets. A driver
 * overrides only those its cards give another meaning (check_sw). */
typedef struct Iso7816SwError {
        uint16_t sw, mask;
        int error;
        const char *name;
} Iso7816SwError;

static const Iso7816SwError iso7816_errors[] = {
        { 0x9000, 0xFFFF, 0,             "success" },
        { 0x6200, 0xFF00, 0,             "warning, state unchanged" },
        { 0x63C0, 0xFFF0, -EKEYREJECTED, "verification failed, tries left in SW2" },
        { 0x6700, 0xFFFF, -EDOM,         "wrong length" },
        { 0x6982, 0xFFFF, -EACCES,       "security status not satisfied" },
        { 0x6983, 0xFFFF, -EKEYEXPIRED,  "authentication method blocked" },
        { 0x6984, 0xFFFF, -EKEYEXPIRED,  "reference data not usable" },
        { 0x6985, 0xFFFF, -EACCES,       "conditions of use not satisfied" },
        { 0x6A80, 0xFFFF, -EDOM,         "incorrect data" },
        { 0x6A81, 0xFFFF, -KART_ENOTSUPPORTED,   "function not supported" },
        { 0x6A82, 0xFFFF, -ENOENT,       "file not found" },
        { 0x6A83, 0xFFFF, -ENOENT,       "record not found" },
        { 0x6A86, 0xFFFF, -EINVAL,       "incorrect P1-P2" },
        { 0x6A87, 0xFFFF, -EINVAL,       "Lc inconsistent with P1-P2" },
        { 0x6A88, 0xFFFF, -ENOENT,       "referenced data not found" },
        { 0x6B00, 0xFFFF, -EINVAL,       "wrong P1-P2" },
        { 0x6D00, 0xFFFF, -KART_ENOTSUPPORTED,   "instruction not supported" },
        { 0x6E00, 0xFFFF, -KART_ENOTSUPPORTED,   "class not supported" },
};

static const Iso7816SwError *sw_lookup(uint16_t sw) {
        for (size_t i = 0; i < ELEMENTSOF(iso7816_errors); i++)
                if ((sw & iso7816_errors[i].mask) == iso7816_errors[i].sw)
                        return &iso7816_errors[i];
        return NULL;
}

int iso7816_check_sw(uint16_t sw) {
        const Iso7816SwError *e = sw_lookup(sw);

        return e ? e->error : -EIO;
}

const char *iso7816_sw_name(uint16_t sw) {
        const Iso7816SwError *e = sw_lookup(sw);

        return e ? e->name : "unknown";
}

int iso7816_select(CardConn *c, uint8_t p1, uint8_t p2, const uint8_t *data, size_t len,
                   uint8_t *fci, size_t fci_size, size_t *ret_fci_len) {
        uint8_t resp[256];
        size_t rlen = 0;
        uint16_t sw;
        Apdu a = {
                .ins = 0xA4, .p1 = p1, .p2 = p2,
                .data = data, .lc = len,
                .le = (p2 & 0x0C) == 0x0C ? 0 : 256,
        };
        int r;

        r = apdu_transmit(c->t, &a, resp, sizeof resp, &rlen, &sw);
        if (r < 0)
                return r;
        r = card_conn_check_sw(c, sw);
        if (r < 0)
                return r;
        if (fci) {
                if (rlen > fci_size)
                        return -EMSGSIZE;
                memcpy(fci, resp, rlen);
                *ret_fci_len = rlen;
        }
        return 0;
}

static int select_no_fci(CardConn *c, uint8_t p1, const uint8_t *data, size_t len) {
        int r;

        r = iso7816_select(c, p1, 0x0C, data, len, NULL, 0, NULL);
        if (r == -EINVAL)
                /* 6A86/6B00: some cards insist on returning the FCI. */
                r = iso7816_select(c, p1, 0x00, data, len, NULL, 0, NULL);
        return r;
}

int iso7816_select_aid(CardConn *c, const uint8_t *aid, size_t aid_len) {
        if (aid_len == 0 || aid_len > 16)
                return -EINVAL;
        return select_no_fci(c, 0x04, aid, aid_len);
}

int iso7816_select_path(CardConn *c, const uint8_t *path, size_t path_len) {
        if (path_len < 2 || path_len % 2 != 0 || path_len > 16)
                return -EINVAL;
        if (path_len == 2)
                return select_no_fci(c, 0x00, path, 2);
        if (path[0] == 0x3F && path[1] == 0x00)
                return select_no_fci(c, 0x08, path + 2, path_len - 2);
        return select_no_fci(c, 0x09, path, path_len);
}

int iso7816_select_fid(CardConn *c, uint16_t fid) {
        uint8_t b[2] = { fid >> 8, fid & 0xFF };

        return select_no_fci(c, 0x00, b, 2);
}

int iso7816_read_binary_all(CardConn *c, size_t max, uint8_t **ret, size_t *ret_len) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t chunk = c->t->max_recv ? MIN(c->t->max_recv, (size_t) 256) : 256;
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
                r = apdu_transmit(c->t, &a, buf + len, max + 256 - len, &got, &sw);
                if (r == -EMSGSIZE)
                        return -EFBIG;
                if (r < 0)
                        return r;
                if (sw == 0x6B00 && len > 0)
                        break;          /* offset past the end: done */
                r = card_conn_check_sw(c, sw);
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

static int secret_command(CardConn *c, uint8_t ins, uint8_t p1, uint8_t ref, const uint8_t *data,
                          size_t len, uint16_t *sw) {
        uint8_t resp[256];
        size_t rlen;
        Apdu a = {
                .ins = ins, .p1 = p1, .p2 = ref,
                .data = data, .lc = len,
                .sensitive = true,
        };

        return apdu_transmit(c->t, &a, resp, sizeof resp, &rlen, sw);
}

int iso7816_verify(CardConn *c, uint8_t ref, const uint8_t *data, size_t len, uint16_t *sw) {
        return secret_command(c, 0x20, 0x00, ref, data, len, sw);
}

int iso7816_change_reference_data(CardConn *c, uint8_t p1, uint8_t ref, const uint8_t *data,
                                  size_t len, uint16_t *sw) {
        return secret_command(c, 0x24, p1, ref, data, len, sw);
}

int iso7816_get_challenge(CardConn *c, uint8_t *buf, size_t len, uint16_t *sw) {
        uint8_t resp[256];
        size_t rlen;
        Apdu a = { .ins = 0x84, .le = len };
        int r;

        if (len == 0 || len > 256)
                return -EINVAL;
        r = apdu_transmit(c->t, &a, resp, sizeof resp, &rlen, sw);
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

int iso7816_external_authenticate(CardConn *c, uint8_t key_ref, const uint8_t *data, size_t len,
                                  uint16_t *sw) {
        return secret_command(c, 0x82, 0x00, key_ref, data, len, sw);
}

int iso7816_reset_retry_counter(CardConn *c, uint8_t p1, uint8_t ref, const uint8_t *data,
                                size_t len, uint16_t *sw) {
        return secret_command(c, 0x2C, p1, ref, data, len, sw);
}
