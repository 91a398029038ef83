/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Room for one PIN and its newline; longer lines are refused (-E2BIG). */
#define KART_PIN_BUF 128
/* How often the new PIN is asked for on a terminal until both entries match. */
#define NEW_PIN_ROUNDS 3

/* Every PIN kartctl holds lives in one of these: locked in memory where
 * possible and wiped by pin_buffers_done() on every path out. */
typedef struct PinBuffers {
        char old_pin[KART_PIN_BUF];
        char new_pin[KART_PIN_BUF];
        char again[KART_PIN_BUF];
} PinBuffers;

void pin_buffers_init(PinBuffers *p);
void pin_buffers_done(PinBuffers *p);

/* True when the controlling terminal can be opened. */
bool prompt_have_tty(void);

/* Writes PROMPT to /dev/tty and reads one line from it with echo off;
 * the terminal is restored on every path, also on SIGINT, SIGTERM, SIGHUP
 * and SIGQUIT. Returns the length, -ENOTTY without a terminal, -ENODATA
 * on end of file, -E2BIG when the line does not fit. */
int prompt_secret(const char *prompt, char *buf, size_t size);

/* Like prompt_secret() with echo on, for answers that are no secret. */
int prompt_line(const char *prompt, char *buf, size_t size);

/* Reads one line from standard input, unbuffered (no copy of a PIN is left
 * in a stdio buffer). Same returns as prompt_secret(). */
int read_secret_stdin(char *buf, size_t size);

/* Reads one PIN from standard input or, with PROMPT, from the terminal;
 * says what went wrong and returns an exit code, or 0. */
int prompt_read_pin(bool use_stdin, const char *prompt, char *buf);

/* Reads the new PIN and its repetition into p->new_pin and p->again until
 * both match and the length is within MIN..MAX (0: unknown): up to
 * NEW_PIN_ROUNDS times on a terminal, once from standard input. Returns 0
 * or an exit code. */
int prompt_read_new_pin(bool use_stdin, unsigned min_length, unsigned max_length, PinBuffers *p);
