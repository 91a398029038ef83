/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "transport-pcsc.h"

int pcsc_error_to_errno(LONG rv) {
        switch ((unsigned long) rv) {
        case SCARD_S_SUCCESS:
                return 0;
        case SCARD_W_REMOVED_CARD:
        case SCARD_E_NO_SMARTCARD:
                return -ENOMEDIUM;
        case SCARD_W_RESET_CARD:
                return -ECONNRESET;
        case SCARD_E_NO_SERVICE:
        case SCARD_E_SERVICE_STOPPED:
        case SCARD_E_READER_UNAVAILABLE:
        case SCARD_E_UNKNOWN_READER:
        case SCARD_E_INVALID_HANDLE:
        case SCARD_F_COMM_ERROR:
                return -ENODEV;
        case SCARD_E_SHARING_VIOLATION:
                return -EBUSY;
        case SCARD_E_TIMEOUT:
                return -ETIMEDOUT;
        case SCARD_E_NO_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

/* A card pulled mid-command shows up as a failed transaction before
 * pcscd's next presence poll (up to ~0.5 s) notices the removal. Wait for
 * that poll, on this worker thread only, to tell removal from a fault. */
static bool card_went_away(PcscTransport *t) {
        SCARD_READERSTATE st = {
                .szReader = t->reader,
                .dwCurrentState = SCARD_STATE_UNAWARE,
        };

        /* The first call returns the current state at once; later ones
         * wait for a change, 1 s at most in all. */
        for (int i = 0; i < 3; i++) {
                LONG rv = SCardGetStatusChange(t->context, i == 0 ? 0 : 500, &st, 1);

                if (rv == (LONG) SCARD_E_TIMEOUT)
                        continue;
                if (rv != SCARD_S_SUCCESS)
                        return true;    /* reader or pcscd gone: no card either */
                if (!(st.dwEventState & SCARD_STATE_PRESENT))
                        return true;
                st.dwCurrentState = st.dwEventState & ~SCARD_STATE_CHANGED;
        }
        return false;
}

static int pcsc_transmit(Transport *base, const uint8_t *cmd, size_t cmd_len,
                         uint8_t *resp, size_t resp_size, size_t *ret_len) {
        PcscTransport *t = (PcscTransport *) base;
        const SCARD_IO_REQUEST *pci = t->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
        DWORD len = (DWORD) resp_size;
        LONG rv;

        rv = SCardTransmit(t->card, pci, cmd, (DWORD) cmd_len, NULL, resp, &len);
        if (rv != SCARD_S_SUCCESS) {
                log_debug("SCardTransmit: %s", pcsc_stringify_error(rv));
                if (card_went_away(t))
                        return -ENOMEDIUM;
                return pcsc_error_to_errno(rv);
        }
        if (len < 2 && card_went_away(t))
                return -ENOMEDIUM;      /* vpcd, for one, answers nothing when the card goes */
        *ret_len = len;
        return 0;
}

static const TransportOps pcsc_ops = {
        .transmit = pcsc_transmit,
};

/* pcsc-lite counts a reader's insertions and removals in the high word
 * of dwEventState; a reset does not count. Read inside the transaction:
 * the count a later job compares to tells whether the card left the
 * reader in between. */
static void read_reader_events(PcscTransport *t) {
        SCARD_READERSTATE st = {
                .szReader = t->reader,
                .dwCurrentState = SCARD_STATE_UNAWARE,
        };

        if (SCardGetStatusChange(t->context, 0, &st, 1) != SCARD_S_SUCCESS ||
            !(st.dwEventState & SCARD_STATE_PRESENT))
                return;
        t->base.reader_events = (uint32_t) (st.dwEventState >> 16);
        t->base.reader_events_known = true;
}

int pcsc_transport_open(PcscTransport *t, SCARDCONTEXT ctx, const char *reader) {
        BYTE atr[MAX_ATR_SIZE];
        DWORD atr_len = sizeof atr, state, proto, name_len = 0;
        LONG rv;

        *t = (PcscTransport) { .base.ops = &pcsc_ops, .base.extended = true,
                               .context = ctx, .reader = reader };

        rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                          &t->card, &t->protocol);
        if (rv != SCARD_S_SUCCESS) {
                log_debug("SCardConnect(%s): %s", reader, pcsc_stringify_error(rv));
                return pcsc_error_to_errno(rv);
        }
        t->connected = true;

        rv = SCardBeginTransaction(t->card);
        if (rv == (LONG) SCARD_W_RESET_CARD) {
                rv = SCardReconnect(t->card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                                    SCARD_LEAVE_CARD, &t->protocol);
                if (rv == SCARD_S_SUCCESS)
                        rv = SCardBeginTransaction(t->card);
        }
        if (rv != SCARD_S_SUCCESS) {
                pcsc_transport_close(t);
                return pcsc_error_to_errno(rv);
        }
        t->in_transaction = true;

        rv = SCardStatus(t->card, NULL, &name_len, &state, &proto, atr, &atr_len);
        if (rv != SCARD_S_SUCCESS) {
                pcsc_transport_close(t);
                return pcsc_error_to_errno(rv);
        }
        t->base.atr_len = MIN((size_t) atr_len, sizeof t->base.atr);
        memcpy(t->base.atr, atr, t->base.atr_len);
        read_reader_events(t);
        return 0;
}

void pcsc_transport_close(PcscTransport *t) {
        /* A job that left security state it could not clear otherwise
         * (a verified PIN) resets the card: nothing stays behind for the
         * next program that talks to it. */
        DWORD disposition = t->base.reset_on_close ? SCARD_RESET_CARD : SCARD_LEAVE_CARD;

        if (t->in_transaction && SCardEndTransaction(t->card, disposition) == SCARD_S_SUCCESS)
                disposition = SCARD_LEAVE_CARD;         /* done */
        if (t->connected)
                (void) SCardDisconnect(t->card, disposition);
        t->in_transaction = t->connected = false;
}
