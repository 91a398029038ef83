/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket: one command line in, one reply line out ("ok[ ...]"
 * or "error <why>"), and the `kart-cardsim ctl` client for it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cardsim.h"
#include "macro.h"

static int make_addr(const char *path, struct sockaddr_un *sa) {
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa->sun_path)
                return -ENAMETOOLONG;
        strcpy(sa->sun_path, path);
        return 0;
}

int control_listen(const char *path) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        int r;

        r = make_addr(path, &sa);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 8) < 0)
                return -errno;
        return TAKE_FD(fd);
}

static int parse_tries(const char *s, unsigned max, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || *s == '-' || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static void set_tries(Sim *s, char **argv, size_t argc, unsigned *counter, unsigned max, char *reply,
                      size_t size) {
        unsigned v;

        if (argc != 2 || parse_tries(argv[1], max, &v) < 0) {
                snprintf(reply, size, "error usage: %s 0..%u", argv[0], max);
                return;
        }
        *counter = v;
        if (card_save_state(&s->card) < 0)
                snprintf(reply, size, "error cannot write the state file");
        else
                snprintf(reply, size, "ok");
}

static void ins_count(Sim *s, char **argv, size_t argc, char *reply, size_t size) {
        uint8_t ins;
        size_t n;

        if (argc != 2 || parse_hex(argv[1], &ins, 1, &n) < 0 || n != 1) {
                snprintf(reply, size, "error usage: ins-count XX (the INS in hex)");
                return;
        }
        snprintf(reply, size, "ok %llu", (unsigned long long) s->ins_count[ins]);
}

static void set_pin(Sim *s, char **argv, size_t argc, char *reply, size_t size) {
        const Profile *p = s->card.profile;

        if (argc != 2 || strlen(argv[1]) < p->pin_min || strlen(argv[1]) > p->pin_max) {
                snprintf(reply, size, "error usage: set-pin VALUE (%u..%u characters)", p->pin_min, p->pin_max);
                return;
        }
        (void) pin_pad(argv[1], p->pin_stored, p->pad_char, s->card.st.pin);
        s->card.st.pin_tries = p->pin_tries;
        if (card_save_state(&s->card) < 0)
                snprintf(reply, size, "error cannot write the state file");
        else
                snprintf(reply, size, "ok");
}

static void get_pin(const uint8_t *v, unsigned stored, uint8_t pad, char *reply, size_t size) {
        size_t n = pin_unpadded_len(v, stored, pad);
        size_t off = snprintf(reply, size, "ok ");

        for (size_t i = 0; i < n && off + 3 < size; i++) {
                uint8_t ch = v[i];
                if (ch >= 0x21 && ch < 0x7f)
                        reply[off++] = ch;
                else
                        off += snprintf(reply + off, size - off, "\\x%02x", ch);
        }
        reply[off] = 0;
}

void control_execute(Sim *s, char *line, char *reply, size_t size) {
        char *argv[8];
        size_t argc = 0;

        for (char *tok = strtok(line, " \t\r\n"); tok && argc < ELEMENTSOF(argv); tok = strtok(NULL, " \t\r\n"))
                argv[argc++] = tok;
        if (argc == 0) {
                snprintf(reply, size, "error empty command");
                return;
        }

        const char *cmd = argv[0];
        if (streq(cmd, "insert") && argc == 1) {
                sim_insert(s);
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "remove") && argc == 1) {
                s->want_inserted = false;
                sim_remove(s, "control");
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "status") && argc == 1) {
                snprintf(reply, size, "ok %s", s->vpcd_fd >= 0 ? "inserted" : s->want_inserted ? "connecting" : "removed");
        } else if (streq(cmd, "count") && argc == 1) {
                snprintf(reply, size, "ok %llu", (unsigned long long) s->apdu_count);
        } else if (streq(cmd, "reset-count") && argc == 1) {
                s->apdu_count = 0;
                memset(s->ins_count, 0, sizeof s->ins_count);
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "reset") && argc == 1) {
                /* An unexpected card reset: the security state is lost. */
                card_reset(&s->card);
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "fault")) {
                const char *error;
                if (faults_command(&s->faults, argv + 1, argc - 1, &error) < 0) {
                        snprintf(reply, size, "error %s", error);
                        return;
                }
                if (s->faults.remove_after == 0) {
                        s->faults.remove_after = -1;
                        s->want_inserted = false;
                        sim_remove(s, "fault remove-after 0");
                }
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "pin-tries") && argc == 1) {
                snprintf(reply, size, "ok %u %u", s->card.st.pin_tries, s->card.st.puk_tries);
        } else if (streq(cmd, "set-pin-tries")) {
                set_tries(s, argv, argc, &s->card.st.pin_tries, s->profile->pin_tries, reply, size);
        } else if (streq(cmd, "set-puk-tries")) {
                set_tries(s, argv, argc, &s->card.st.puk_tries, s->profile->puk_tries, reply, size);
        } else if (streq(cmd, "admin-tries") && argc == 1) {
                snprintf(reply, size, "ok %u", s->card.st.admin_tries);
        } else if (streq(cmd, "set-admin-tries")) {
                set_tries(s, argv, argc, &s->card.st.admin_tries, s->profile->admin_tries, reply, size);
        } else if (streq(cmd, "ins-count")) {
                ins_count(s, argv, argc, reply, size);
        } else if (streq(cmd, "get-pin") && argc == 1) {
                get_pin(s->card.st.pin, s->profile->pin_stored, s->profile->pad_char, reply, size);
        } else if (streq(cmd, "get-puk") && argc == 1) {
                get_pin(s->card.st.puk, s->profile->puk_stored, s->profile->pad_char, reply, size);
        } else if (streq(cmd, "system-pin-tries") && argc == 1) {
                snprintf(reply, size, "ok %u", s->card.st.system_tries);
        } else if (streq(cmd, "set-system-pin-tries")) {
                set_tries(s, argv, argc, &s->card.st.system_tries, s->profile->system_tries, reply, size);
        } else if (streq(cmd, "verified") && argc == 1) {
                snprintf(reply, size, "ok %s", s->card.pin_verified ? "yes" : "no");
        } else if (streq(cmd, "profile") && argc == 1) {
                snprintf(reply, size, "ok %s", flavour_name(s->profile->flavour));
        } else if (streq(cmd, "forbidden") && argc == 1) {
                akis_record_format(&s->card, reply, size);
        } else if (streq(cmd, "forbidden-reset") && argc == 1) {
                s->card.n_forbidden = 0;
                s->card.forbidden_total = 0;
                snprintf(reply, size, "ok");
        } else if (streq(cmd, "puk-uses") && argc == 1) {
                snprintf(reply, size, "ok %lu", s->card.puk_uses);
        } else if (streq(cmd, "set-pin")) {
                set_pin(s, argv, argc, reply, size);
        } else if (streq(cmd, "quit") && argc == 1) {
                s->quit = true;
                snprintf(reply, size, "ok");
        } else
                snprintf(reply, size, "error unknown command or wrong arguments: %s", cmd);
}

int control_client(const char *path, int argc, char **argv) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        char line[CTL_LINE_MAX], reply[CTL_REPLY_MAX];
        size_t off = 0, got = 0;
        int r;

        for (int i = 0; i < argc; i++) {
                r = snprintf(line + off, sizeof line - off, "%s%s", i ? " " : "", argv[i]);
                if (r < 0 || (size_t) r >= sizeof line - off - 1) {
                        fprintf(stderr, "kart-cardsim ctl: command too long\n");
                        return 1;
                }
                off += r;
        }
        line[off++] = '\n';

        if (make_addr(path, &sa) < 0) {
                fprintf(stderr, "kart-cardsim ctl: socket path too long\n");
                return 1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                fprintf(stderr, "kart-cardsim ctl: cannot connect to %s: %m\n", path);
                return 1;
        }
        if (send(fd, line, off, MSG_NOSIGNAL) != (ssize_t) off) {
                fprintf(stderr, "kart-cardsim ctl: cannot send: %m\n");
                return 1;
        }
        while (got < sizeof reply - 1) {
                ssize_t k = recv(fd, reply + got, sizeof reply - 1 - got, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += k;
                if (memchr(reply, '\n', got))
                        break;
        }
        reply[got] = 0;
        char *nl = strchr(reply, '\n');
        if (nl)
                *nl = 0;
        if (got == 0) {
                fprintf(stderr, "kart-cardsim ctl: no reply\n");
                return 1;
        }
        printf("%s\n", reply);
        return strncmp(reply, "ok", 2) == 0 && (reply[2] == 0 || reply[2] == ' ') ? 0 : 1;
}
