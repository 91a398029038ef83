/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for a whole card job as a reader worker runs it, on a
 * fake card whose every answer comes from the input: the ATR (so every
 * driver and AKİS version is chosen), then identification (EF.DIR, the
 * application, TokenInfo, AODF, the tries), the certificates (ODF, CDF,
 * the files, 61xx/6Cxx chains and short reads), then one PIN operation
 * with the safety rules. What the card answers is anything; what kartd
 * sends is checked on the way out:
 *
 *   - reading (identification, certificates, tries) sends only reading
 *     commands: SELECT, READ BINARY/RECORD, GET RESPONSE, GET DATA, and
 *     an empty VERIFY to no AKİS card (on AKİS it costs a try);
 *   - a PIN operation sends its PIN at most once (a 6Cxx is not followed
 *     by a resend), never to the PUK's reference, never RESET RETRY
 *     COUNTER, and to an AKİS card only the user's own commands of
 *     doc/akis.md (never 00 24 01, the issuer's "set the PIN");
 *   - nothing is sent after the card said it is gone.
 *
 * Input: ATR length (1 byte, at most 33) and ATR; the operation (1 byte:
 * verify or change, and force); then each answer as a 16-bit length and
 * its bytes (data || SW1 SW2). An exhausted input is a card pulled out.
 * Built by ./configure CC=clang --enable-fuzzing (tests/fuzz/local.mk). */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card-certs.h"
#include "card-driver.h"
#include "card-identity.h"
#include "card-pin.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef enum Phase {
        PHASE_READ,
        PHASE_PIN,
} Phase;

typedef struct FuzzCard {
        Transport base;
        FuzzInput in;
        Phase phase;
        bool gone;
        unsigned pin_commands;          /* commands carrying a PIN */
        int puk_reference;
        bool akis;
} FuzzCard;

static bool reading_command(const uint8_t *cmd, size_t len, bool akis) {
        switch (cmd[1]) {
        case 0xA4: case 0xB0: case 0xB1: case 0xB2: case 0xC0: case 0xCA: case 0xCB:
                return true;
        case 0x20:      /* an empty VERIFY asks the tries: never on AKİS */
                return len == 4 && !akis;
        default:
                return false;
        }
}

static void check_pin_command(FuzzCard *f, const uint8_t *cmd, size_t len) {
        uint8_t ins = cmd[1], p1 = cmd[2], p2 = cmd[3];

        assert(ins != 0x2C);                    /* RESET RETRY COUNTER: only the online unlock */
        if (reading_command(cmd, len, f->akis))
                return;
        if (f->akis && cmd[0] == 0x80 && ins == 0x1A) /* AKİS 1.0's logout */
                return;
        assert(ins == 0x20 || ins == 0x24);
        assert(len > 5);                        /* it carries the PIN */
        assert(f->puk_reference < 0 || p2 != (f->puk_reference & 0xFF));
        if (f->akis && ins == 0x24)
                assert(p1 == 0x00 || p1 == 0x02);       /* never 01: the issuer's "set the PIN" */
        f->pin_commands++;
        assert(f->pin_commands == 1);           /* sent once, whatever the card answered */
}

static int fuzz_transmit(Transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t resp_size,
                         size_t *ret_len) {
        FuzzCard *f = (FuzzCard *) t;
        const uint8_t *answer;
        size_t n;

        assert(!f->gone);
        assert(cmd_len >= 4 && cmd_len <= 5 + 65535 + 3);
        if (f->phase == PHASE_READ)
                assert(reading_command(cmd, cmd_len, f->akis));
        else
                check_pin_command(f, cmd, cmd_len);

        if (f->in.left == 0) {
                f->gone = true;
                return -ENOMEDIUM;
        }
        answer = fuzz_chunk(&f->in, &n);
        if (n > resp_size)
                n = resp_size;
        memcpy(resp, answer, n);
        *ret_len = n;
        return 0;
}

static const TransportOps fuzz_ops = { .transmit = fuzz_transmit };

static void read_certificates(CardConn *c, const CardIdentity *id) {
        CardCertFile *certs = NULL;
        size_t n = 0, bytes = 0;
        int r;

        if (id->odf)
                r = card_read_certificates_with_odf(c, id->odf, id->odf_len, &certs, &n, &bytes);
        else
                r = card_read_certificates(c, &certs, &n, &bytes);
        if (r >= 0) {
                size_t sum = 0;

                for (size_t i = 0; i < n; i++) {
                        assert(certs[i].der && certs[i].der_len > 0);
                        sum += certs[i].der_len;
                }
                assert(sum <= bytes);
                card_cert_files_free(certs, n);
        } else
                assert(!certs && n == 0);
}

static void run_pin(CardConn *c, FuzzCard *f, const CardIdentity *id, uint8_t op) {
        PinRequest req = {
                .op = op & 1 ? PIN_OP_CHANGE : PIN_OP_VERIFY,
                .pin = "123456",
                .new_pin = "24681357",
                .force = op & 2,
                .serial = id->serial,
                .seen = &id->seen,
                .info = id->pin,
                .pin_max_length = c->model.pin_max_length,
                .pin_ascii = c->model.pin_ascii,
                .status = id->pin_status,
        };
        int r;

        f->phase = PHASE_PIN;
        f->puk_reference = id->pin.puk_reference;
        r = card_pin_run(c, &req);
        assert(req.sent == (f->pin_commands == 1));
        if (req.sent)
                assert(r != -KART_ELASTTRY);       /* the interlock comes before sending */
        if (r >= 0)
                assert(req.sent);
        assert(req.status.tries_left >= -1 && req.status.tries_left <= 255);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzCard f = { .base.ops = &fuzz_ops, .in = { data, size }, .puk_reference = -1 };
        CardIdentity id = {};
        CardConn c;
        uint8_t op;

        f.base.atr_len = fuzz_u8(&f.in) % (sizeof f.base.atr + 1);
        for (size_t i = 0; i < f.base.atr_len; i++)
                f.base.atr[i] = fuzz_u8(&f.in);
        op = fuzz_u8(&f.in);
        card_conn_init(&c, &f.base);
        f.akis = c.model.driver == &card_driver_akis;

        if (card_identity_read(&c, &id) >= 0) {
                assert(!id.serial || strlen(id.serial) > 0);
                assert(id.pin_status.tries_left >= -1 && id.pin_status.tries_left <= 255);
                if (!f.gone)
                        read_certificates(&c, &id);
                if (!f.gone && id.serial && id.pin.present)
                        run_pin(&c, &f, &id, op);
        }
        card_identity_done(&id);
        return 0;
}
