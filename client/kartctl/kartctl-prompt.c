/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "kartctl-prompt.h"
#include "kartctl.h"
#include "macro.h"

void pin_buffers_init(PinBuffers *p) {
        explicit_bzero(p, sizeof *p);
        /* Best effort: an unprivileged user may have no mlock budget. */
        (void) mlock(p, sizeof *p);
}

void pin_buffers_done(PinBuffers *p) {
        explicit_bzero(p, sizeof *p);
        (void) munlock(p, sizeof *p);
}

bool prompt_have_tty(void) {
        _cleanup_close_ int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

        return fd >= 0;
}

/* Reads up to a newline byte by byte, so that nothing after it is consumed
 * (the next PIN on stdin stays for the next call). */
static int read_line_fd(int fd, char *buf, size_t size) {
        size_t n = 0;
        bool too_long = false, got_any = false;

        for (;;) {
                char c;
                ssize_t k = read(fd, &c, 1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        explicit_bzero(buf, size);
                        return negative_errno();
                }
                if (k == 0) {
                        if (!got_any) {
                                explicit_bzero(buf, size);
                                return -ENODATA;
                        }
                        break;
                }
                got_any = true;
                if (c == '\n')
                        break;
                if (n + 1 < size)
                        buf[n++] = c;
                else
                        too_long = true;
                explicit_bzero(&c, sizeof c);
        }
        if (n > 0 && buf[n - 1] == '\r')
                n--;
        buf[n] = 0;
        if (too_long) {
                explicit_bzero(buf, size);
                return -E2BIG;
        }
        return (int) n;
}

/* What a fatal signal needs to put the terminal back. */
static volatile sig_atomic_t echo_off_fd = -1;
static struct termios echo_saved;

static void restore_tty_and_die(int sig) {
        int fd = echo_off_fd;

        if (fd >= 0) {
                (void) tcsetattr(fd, TCSANOW, &echo_saved);
                (void) !write(fd, "\n", 1);
        }
        /* SA_RESETHAND put the default action back: die of the signal. */
        (void) raise(sig);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int prompt_tty(const char *prompt, char *buf, size_t size, bool echo) {
        struct sigaction old[ELEMENTSOF(fatal_signals)];
        struct sigaction sa = {
                .sa_handler = restore_tty_and_die,
                .sa_flags = SA_RESETHAND,
        };
        _cleanup_close_ int fd = -1;
        bool restore = false;
        int r;

        fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -ENOTTY;

        if (!echo) {
                struct termios t;

                /* No way to turn echo off: refuse rather than show the PIN. */
                if (tcgetattr(fd, &echo_saved) < 0)
                        return -ENOTTY;
                t = echo_saved;
                sigemptyset(&sa.sa_mask);
                for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                        (void) sigaction(fatal_signals[i], &sa, &old[i]);
                echo_off_fd = fd;
                restore = true;
                t.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK);
                t.c_lflag |= ICANON;
                if (tcsetattr(fd, TCSAFLUSH, &t) < 0) {
                        r = negative_errno();
                        goto finish;
                }
        }

        (void) !write(fd, prompt, strlen(prompt));
        r = read_line_fd(fd, buf, size);

finish:
        if (restore) {
                (void) tcsetattr(fd, TCSANOW, &echo_saved);
                echo_off_fd = -1;
                for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                        (void) sigaction(fatal_signals[i], &old[i], NULL);
                /* The newline the user typed was not echoed. */
                (void) !write(fd, "\n", 1);
        }
        return r;
}

int prompt_secret(const char *prompt, char *buf, size_t size) {
        return prompt_tty(prompt, buf, size, false);
}

int prompt_line(const char *prompt, char *buf, size_t size) {
        return prompt_tty(prompt, buf, size, true);
}

int read_secret_stdin(char *buf, size_t size) {
        return read_line_fd(STDIN_FILENO, buf, size);
}

int prompt_read_pin(bool use_stdin, const char *prompt, char *buf) {
        int r;

        r = use_stdin ? read_secret_stdin(buf, KART_PIN_BUF) : prompt_secret(prompt, buf, KART_PIN_BUF);
        if (r >= 0)
                return 0;
        if (r == -ENODATA && use_stdin)
                fprintf(stderr, _("Standard input ended before all PINs were read. "
                                  "Nothing was sent to the card.\n"));
        else if (r == -ENODATA)
                fprintf(stderr, _("Cancelled. Nothing was sent to the card.\n"));
        else if (r == -E2BIG)
                fprintf(stderr, _("The PIN is too long. Nothing was sent to the card.\n"));
        else
                fprintf(stderr, _("Failed to read the PIN: %s\n"), strerror(-r));
        return EXIT_FAILED;
}

static bool new_pin_length_ok(unsigned min_length, unsigned max_length, const char *pin) {
        size_t n = strlen(pin);

        if ((min_length == 0 || n >= min_length) && (max_length == 0 || n <= max_length))
                return true;
        if (min_length > 0 && max_length > 0)
                fprintf(stderr, ngettext("The new PIN must have %u to %u character.\n",
                                         "The new PIN must have %u to %u characters.\n", max_length),
                        min_length, max_length);
        else if (min_length > 0)
                fprintf(stderr, ngettext("The new PIN must have at least %u character.\n",
                                         "The new PIN must have at least %u characters.\n", min_length), min_length);
        else
                fprintf(stderr, ngettext("The new PIN must have at most %u character.\n",
                                         "The new PIN must have at most %u characters.\n", max_length), max_length);
        return false;
}

int prompt_read_new_pin(bool use_stdin, unsigned min_length, unsigned max_length, PinBuffers *p) {
        int r;

        for (int round = 0; round < (use_stdin ? 1 : NEW_PIN_ROUNDS); round++) {
                r = prompt_read_pin(use_stdin, _("New PIN: "), p->new_pin);
                if (r != 0)
                        return r;
                if (new_pin_length_ok(min_length, max_length, p->new_pin)) {
                        r = prompt_read_pin(use_stdin, _("New PIN again: "), p->again);
                        if (r != 0)
                                return r;
                        if (streq(p->new_pin, p->again))
                                return 0;
                        fprintf(stderr, _("The new PINs do not match.\n"));
                }
                explicit_bzero(p->new_pin, sizeof p->new_pin);
                explicit_bzero(p->again, sizeof p->again);
        }
        fprintf(stderr, _("Giving up. Nothing was sent to the card.\n"));
        return EXIT_FAILED;
}
