/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Between the engine's files; not for the bus layer. */

#include "card/reader-worker.h"
#include "engine.h"

Reader *engine_reader_find(Engine *e, const char *name);
void engine_notify_pin_changed(Engine *e, Card *c);
/* Frees the card's certificates and answers waiting calls (card gone). */
void engine_card_certs_drop(Card *c);
/* Runs job on the reader's worker thread. */
int engine_submit(Engine *e, Reader *r, ReaderJobFunc job, ReaderDoneFunc done,
                  ReaderJobFlags flags, void *userdata, void (*free_func)(void *));
