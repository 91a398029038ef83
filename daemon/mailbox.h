/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

/* Hands work from other threads (the PC/SC monitor, reader workers) to the
 * event loop: a locked queue of closures and an eventfd that wakes the loop.
 * Posting never blocks; the closures run on the loop thread, in order. */

typedef struct Mailbox Mailbox;
typedef void (*MailboxFunc)(void *userdata);

int mailbox_new(sd_event *event, Mailbox **ret);
Mailbox *mailbox_free(Mailbox *m);

/* Thread-safe. On success the mailbox owns userdata: it calls func on the
 * loop and then free_func (if any); on shutdown it only calls free_func. */
int mailbox_post(Mailbox *m, MailboxFunc func, void *userdata, MailboxFunc free_func);
