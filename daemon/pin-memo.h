/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "card/pin.h"

/* The last PIN state kartd's jobs saw, per card serial: written and read
 * by the jobs on the worker and module threads (engine-pin.c), so that a
 * PIN job queued behind another sees that one's outcome, not the state
 * from the time it was queued, and a card that cannot be asked (AKİS 1.2)
 * keeps its last try across removal, another reader, and other cards in
 * between. Bounded: the least recently used serials are forgotten. All
 * functions are thread-safe. */

#define PIN_MEMO_MAX 64

typedef struct PinMemo PinMemo;

/* path: the file the memory is kept in across restarts (no secret in
 * it: serials and states), read now; NULL: kept in memory only. A line
 * that does not parse is logged and left out. */
PinMemo *pin_memo_new(const char *path);
PinMemo *pin_memo_free(PinMemo *m);
/* Nothing is stored for serial NULL (such a card cannot be told from the
 * next one); on OOM the serial is forgotten. A change is written to the
 * file at once (on the caller's thread: a worker's). */
void pin_memo_store(PinMemo *m, const char *serial, const PinStatus *status);
/* false when nothing is known about the card with that serial. */
bool pin_memo_load(PinMemo *m, const char *serial, PinStatus *ret);
