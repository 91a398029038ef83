/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A scripted fake card for unit tests: a Transport that expects exactly
 * the commands of a script, in order, and answers as the script says.
 * Any other command, or one after the end of the script, fails the
 * running cmocka test with the expected and the received bytes.
 *
 * Script format (tests/data/apdu/NAME.script), one item per line:
 *
 *   # comment                 blank lines and everything after '#' are ignored
 *   > 00 A4 04 0C 0C A0 ...   the next command, exact bytes in hex (spaces
 *                             and ':' between bytes are allowed)
 *   < 90 00                   the card's reply to it: data || SW1 SW2; the
 *                             reply may go on over several '<' lines, which
 *                             are joined
 *   ! removed                 the transport fails here: transmit returns
 *   ! reset                   -ENOMEDIUM (card removed), -ECONNRESET (card
 *   ! io                      reset by someone else) or -EIO. After a '>'
 *                             line it replaces the reply (the command is
 *                             still checked); on its own it fails whatever
 *                             command comes next
 *   @include other.script     the steps of another script, inline (path
 *                             relative to the including script's directory)
 *
 * A '>' line must be followed by '<' or '!'. An empty script (or one of
 * comments only) expects no exchange at all.
 *
 * Scripts are found under $KART_TOP_SRCDIR/tests/data (set by the test
 * harness), else under tests/data (or ../data, from tests/unit) relative
 * to the working directory. */

#include <stddef.h>

#include "card-driver.h"
#include "transport.h"

typedef struct FakeStep FakeStep;

typedef struct FakeTransport {
        Transport base;         /* first: pass &f->base to code under test */
        char *name;             /* for messages */
        FakeStep *steps;
        size_t n_steps;
        size_t pos;             /* steps consumed */
} FakeTransport;

/* Loads path (relative to tests/data, e.g. "apdu/pin-verify.script");
 * a missing or malformed script fails the test. */
FakeTransport *fake_transport_new(const char *path);
/* The same from a string: name is used in messages only. */
FakeTransport *fake_transport_new_from_string(const char *name, const char *text);

/* Sets the ATR the transport reports (hex, as in a script). */
void fake_transport_set_atr(FakeTransport *f, const char *hex);
/* A fake card with this ATR and script, and the connection a reader
 * worker would hand a job: the driver chosen by the ATR. */
FakeTransport *fake_card_new(const char *script, const char *atr_hex, CardConn *ret);

/* Steps not consumed yet. */
size_t fake_transport_remaining(const FakeTransport *f);

/* Asserts the whole script was played, and frees f. */
void fake_transport_done(FakeTransport *f);
/* Frees f without checking (f may be NULL). */
void fake_transport_free(FakeTransport *f);

/* The directory the scripts are read from; for tests that need more. */
const char *fake_transport_data_dir(void);
