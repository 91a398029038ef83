/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbox.h"

/* The PC/SC monitor: one thread with its own SCARDCONTEXT that blocks in
 * SCardGetStatusChange(INFINITE) on every reader plus the PnP pseudo
 * reader, and posts a full snapshot to the loop whenever anything changes.
 * When pcscd is absent or goes away it posts an empty snapshot and waits
 * for pcscd's socket to reappear (inotify, with a slow backoff), without
 * polling pcscd. */

#define PCSC_MAX_ATR 33

typedef struct PcscReaderState {
        char *name;
        bool present;           /* a card is in the reader */
        bool mute;              /* present but unresponsive (no ATR) */
        uint8_t atr[PCSC_MAX_ATR];
        size_t atr_len;
        unsigned event_count;   /* pcsc-lite's insertion/removal counter */
} PcscReaderState;

typedef struct PcscSnapshot {
        bool service;           /* pcscd reachable */
        size_t n_readers;
        PcscReaderState *readers;
} PcscSnapshot;

typedef void (*PcscMonitorCallback)(const PcscSnapshot *snapshot, void *userdata);
typedef struct PcscMonitor PcscMonitor;

int pcsc_monitor_start(Mailbox *mailbox, PcscMonitorCallback callback, void *userdata,
                       PcscMonitor **ret);
/* Cancels the blocking call and joins the thread. */
PcscMonitor *pcsc_monitor_stop(PcscMonitor *m);

const char *pcsc_socket_path(void);
const char *pcsc_strerror(long rv);
