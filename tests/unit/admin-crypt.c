/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* admin-crypt MASTERHEX SERIALHEX KV CHALLENGEHEX: prints the cryptogram
 * of backend protocol v1 for that card and challenge (lowercase hex), as
 * the backend would compute it; the integration tests answer the
 * simulated card's GET CHALLENGE with it. KV is the key version in hex.
 * With MASTERHEX "key:HEX" the card key is given directly. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "admin-key.h"
#include "hexutil.h"

static int decode(const char *what, const char *hex, uint8_t *buf, size_t size, size_t want) {
        int n = hex_decode(hex, buf, size);

        if (n < 0 || (want > 0 && (size_t) n != want) || n == 0) {
                fprintf(stderr, "admin-crypt: bad %s '%s'\n", what, hex);
                return -1;
        }
        return n;
}

int main(int argc, char **argv) {
        uint8_t master[ADMIN_KEY_LEN], key[ADMIN_KEY_LEN], serial[64], kv, challenge[ADMIN_CHALLENGE_LEN];
        uint8_t c[ADMIN_KEY_LEN];
        int serial_len;

        if (argc != 5) {
                fprintf(stderr, "Usage: admin-crypt MASTERHEX|key:KEYHEX SERIALHEX KV CHALLENGEHEX\n");
                return 2;
        }
        bool direct = strncmp(argv[1], "key:", 4) == 0;
        if (decode(direct ? "key" : "master key", argv[1] + (direct ? 4 : 0), direct ? key : master,
                   ADMIN_KEY_LEN, ADMIN_KEY_LEN) < 0 ||
            (serial_len = decode("serial", argv[2], serial, sizeof serial, 0)) < 0 ||
            decode("key version", argv[3], &kv, 1, 1) < 0 ||
            decode("challenge", argv[4], challenge, sizeof challenge, ADMIN_CHALLENGE_LEN) < 0)
                return 2;
        if ((!direct && admin_key_derive(master, serial, (size_t) serial_len, kv, key) < 0) ||
            admin_cryptogram(key, challenge, c) < 0) {
                fprintf(stderr, "admin-crypt: the computation failed\n");
                return 1;
        }
        for (size_t i = 0; i < sizeof c; i++)
                printf("%02x", c[i]);
        printf("\n");
        return 0;
}
