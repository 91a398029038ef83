/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How drivers reach a card: one exchange of a raw command APDU for a raw
 * response (data || SW1 SW2). PC/SC implements it; unit tests and fuzzers
 * use a scripted fake. Errors: -ENOMEDIUM card removed, -ECONNRESET card
 * reset by someone else (no security state survived), -EIO anything else. */

typedef struct Transport Transport;

typedef struct TransportOps {
        int (*transmit)(Transport *t, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *resp, size_t resp_size, size_t *ret_len);
} TransportOps;

struct Transport {
        const TransportOps *ops;
        uint8_t atr[33];
        size_t atr_len;
        size_t max_recv;        /* largest response data the card sends; 0 = 256 */
        bool extended;          /* card accepts extended-length APDUs */
        unsigned apdu_count;    /* exchanges so far, for tests and benchmarks */
        /* The reader's count of insertions and removals when this job
         * began (pcsc-lite's event counter): equal counts mean the card
         * stayed in the reader in between. */
        uint32_t reader_events;
        bool reader_events_known;
        uint32_t reader_epoch;  /* the reader's instance (reader-worker.c): the count holds within one */
        /* Set by a job that leaves security state behind and has no
         * command to clear it: the transaction ends with a card reset. */
        bool reset_on_close;
};

static inline int transport_transmit(Transport *t, const uint8_t *cmd, size_t cmd_len,
                                     uint8_t *resp, size_t resp_size, size_t *ret_len) {
        t->apdu_count++;
        return t->ops->transmit(t, cmd, cmd_len, resp, resp_size, ret_len);
}
