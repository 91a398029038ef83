/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <winscard.h>

#include "transport.h"

/* The transport over PC/SC-Lite: one connection to a card in shared mode,
 * holding a transaction for the whole logical operation. */
typedef struct PcscTransport {
        Transport base;
        SCARDCONTEXT context;
        const char *reader;
        SCARDHANDLE card;
        DWORD protocol;
        bool connected, in_transaction;
} PcscTransport;

int pcsc_error_to_errno(LONG rv);

/* Connects, begins a transaction and reads the ATR into base. */
int pcsc_transport_open(PcscTransport *t, SCARDCONTEXT ctx, const char *reader);
/* Ends the transaction and disconnects, leaving the card as it is, or
 * resetting it when the job asked (base.reset_on_close). */
void pcsc_transport_close(PcscTransport *t);
