/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "admin-key.h"

static int aes_cmac(const uint8_t key[ADMIN_KEY_LEN], const uint8_t *data, size_t len,
                    uint8_t ret[ADMIN_KEY_LEN]) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
        EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
        char cipher[] = "AES-128-CBC";
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                OSSL_PARAM_construct_end(),
        };
        size_t out = 0;
        int r = -EIO;

        if (ctx && EVP_MAC_init(ctx, key, ADMIN_KEY_LEN, params) && EVP_MAC_update(ctx, data, len) &&
            EVP_MAC_final(ctx, ret, &out, ADMIN_KEY_LEN) && out == ADMIN_KEY_LEN)
                r = 0;
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
        return r;
}

int admin_key_derive(const uint8_t master[ADMIN_KEY_LEN], const uint8_t *serial, size_t serial_len,
                     uint8_t key_version, uint8_t ret[ADMIN_KEY_LEN]) {
        /* label: 11 zero bytes || 4B; separator 00; L = 0080 (128 bits);
         * counter 01; context: serial || kv */
        uint8_t buf[11 + 1 + 1 + 2 + 1 + 64 + 1] = {};
        size_t n = 0;

        if (serial_len == 0 || serial_len > 64)
                return -EINVAL;
        n = 11;
        buf[n++] = 0x4B;
        buf[n++] = 0x00;
        buf[n++] = 0x00;
        buf[n++] = 0x80;
        buf[n++] = 0x01;
        memcpy(buf + n, serial, serial_len);
        n += serial_len;
        buf[n++] = key_version;
        return aes_cmac(master, buf, n, ret);
}

int admin_cryptogram(const uint8_t key[ADMIN_KEY_LEN], const uint8_t challenge[ADMIN_CHALLENGE_LEN],
                     uint8_t ret[ADMIN_KEY_LEN]) {
        uint8_t buf[4 + ADMIN_CHALLENGE_LEN] = { 'K', 'D', 'E', 'A' };

        memcpy(buf + 4, challenge, ADMIN_CHALLENGE_LEN);
        return aes_cmac(key, buf, sizeof buf, ret);
}
