/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kart-cardsim: a PKCS#15 smart card for pcscd's vpcd reader driver.
 *
 *   kart-cardsim --port PORT [--host HOST] --profile FILE --state FILE
 *                [--control PATH] [--no-insert] [--verbose]
 *   kart-cardsim ctl PATH COMMAND [ARGS...]
 *
 * One poll() loop: the vpcd connection (connected = inserted), the control
 * socket and its clients, and two timers (reconnect, delayed reply). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cardsim.h"
#include "macro.h"

#define RECONNECT_USEC 100000

bool arg_verbose = false;
static volatile sig_atomic_t got_signal = 0;

void log_trace(const char *fmt, ...) {
        va_list ap;
        if (!arg_verbose)
                return;
        va_start(ap, fmt);
        fputs("kart-cardsim: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void trace_bytes(const char *dir, const uint8_t *p, size_t n, bool secret) {
        char line[160];
        size_t off = 0, shown = secret ? (n > 5 ? 5 : n) : n;

        if (!arg_verbose)
                return;
        for (size_t i = 0; i < shown && off + 4 < 100; i++)
                off += snprintf(line + off, sizeof line - off, "%02X", p[i]);
        if (secret && n > shown)
                snprintf(line + off, sizeof line - off, " <%zu bytes hidden>", n - shown);
        else if (shown > 0 && off + 4 >= 100)
                snprintf(line + off, sizeof line - off, "... (%zu bytes)", n);
        log_trace("%s %s", dir, line);
}

void sim_insert(Sim *s) {
        s->want_inserted = true;
        s->next_connect = 0;
}

void sim_remove(Sim *s, const char *why) {
        if (s->vpcd_fd >= 0) {
                close(s->vpcd_fd);
                s->vpcd_fd = -1;
                log_trace("card removed (%s)", why);
        }
        s->delayed = false;
        card_reset(&s->card);
        s->next_connect = now_usec() + RECONNECT_USEC;
}

static void try_connect(Sim *s) {
        int fd = vpcd_connect(s->host, s->port);
        if (fd < 0) {
                s->next_connect = now_usec() + RECONNECT_USEC;
                return;
        }
        s->vpcd_fd = fd;
        card_reset(&s->card);
        log_trace("card inserted (connected to %s:%u)", s->host, s->port);
}

static void send_reply(Sim *s, FaultAction action) {
        if (action == FAULT_ACT_TEAR) {
                s->want_inserted = false;
                sim_remove(s, "fault: torn");
                return;
        }
        trace_bytes("<", s->reply, s->reply_len, false);
        if (vpcd_send(s->vpcd_fd, s->reply, s->reply_len) < 0) {
                sim_remove(s, "send failed");
                return;
        }
        if (action == FAULT_ACT_REPLY_REMOVE) {
                s->want_inserted = false;
                sim_remove(s, "fault: remove-after");
        }
}

static void handle_apdu(Sim *s, const uint8_t *cmd, size_t len) {
        static Response resp;
        FaultAction action;

        s->apdu_count++;
        if (len >= 2)
                s->ins_count[cmd[1]]++;
        trace_bytes(">", cmd, len, len >= 2 && apdu_is_secret(cmd[1]));
        action = faults_before(&s->faults, len >= 2 ? cmd[1] : 0);
        if (action == FAULT_ACT_REMOVE) {
                s->want_inserted = false;
                sim_remove(s, "fault: remove-on-ins");
                return;
        }
        s->card.admin_key_swapped = s->faults.swap_admin_key;
        card_process(&s->card, cmd, len, &resp);
        memcpy(s->reply, resp.data, resp.len);
        s->reply[resp.len] = resp.sw >> 8;
        s->reply[resp.len + 1] = resp.sw & 0xff;
        s->reply_len = resp.len + 2;
        if (action != FAULT_ACT_TEAR)
                action = faults_after(&s->faults, s->reply, &s->reply_len);
        if (s->faults.delay_ms > 0) {
                s->delayed = true;
                s->delayed_at = now_usec() + (uint64_t) s->faults.delay_ms * 1000;
                s->delayed_action = action;
                return;
        }
        send_reply(s, action);
}

static void handle_vpcd(Sim *s) {
        static uint8_t buf[0x10000];
        int n = vpcd_recv(s->vpcd_fd, buf, sizeof buf);

        if (n <= 0) {
                sim_remove(s, n == 0 ? "vpcd closed the connection" : "vpcd read error");
                return;
        }
        if (n > 1) {
                handle_apdu(s, buf, n);
                explicit_bzero(buf, n);         /* VERIFY & co. carry PINs */
                return;
        }
        switch (buf[0]) {
        case 0x00:      /* power off */
        case 0x01:      /* power on */
        case 0x02:      /* reset */
                card_reset(&s->card);
                break;
        case 0x04: {    /* get ATR */
                const uint8_t *atr = s->profile->atr;
                if (vpcd_send(s->vpcd_fd, atr, s->profile->atr_len) < 0)
                        sim_remove(s, "send failed");
                break;
        }
        default:
                log_trace("unknown vpcd control byte %02X", buf[0]);
        }
}

static void handle_ctl_accept(Sim *s) {
        int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
                return;
        for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
                if (s->clients[i].fd < 0) {
                        s->clients[i] = (CtlClient) { .fd = fd };
                        return;
                }
        (void) send(fd, "error busy\n", 11, MSG_NOSIGNAL);
        close(fd);
}

static void handle_ctl_client(Sim *s, CtlClient *cl) {
        char reply[CTL_REPLY_MAX];
        ssize_t k = recv(cl->fd, cl->buf + cl->len, sizeof cl->buf - 1 - cl->len, 0);

        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (k > 0) {
                cl->len += k;
                cl->buf[cl->len] = 0;
                char *nl = strchr(cl->buf, '\n');
                if (!nl && cl->len < sizeof cl->buf - 1)
                        return;
                if (nl)
                        *nl = 0;
                control_execute(s, cl->buf, reply, sizeof reply - 1);
                strcat(reply, "\n");
                (void) send(cl->fd, reply, strlen(reply), MSG_NOSIGNAL);
        }
        close(cl->fd);
        cl->fd = -1;
}

static int run(Sim *s) {
        while (!s->quit && !got_signal) {
                struct pollfd pfd[2 + CTL_MAX_CLIENTS];
                CtlClient *owner[2 + CTL_MAX_CLIENTS];
                size_t n = 0;
                uint64_t now = now_usec(), wake = UINT64_MAX;

                if (s->want_inserted && s->vpcd_fd < 0) {
                        if (now >= s->next_connect)
                                try_connect(s);
                        if (s->vpcd_fd < 0)
                                wake = s->next_connect;
                }
                if (s->delayed) {
                        if (now >= s->delayed_at) {
                                s->delayed = false;
                                send_reply(s, s->delayed_action);
                        } else if (s->delayed_at < wake)
                                wake = s->delayed_at;
                }

                int vpcd_idx = -1, ctl_idx = -1;
                if (s->vpcd_fd >= 0 && !s->delayed) {
                        vpcd_idx = n;
                        owner[n] = NULL;
                        pfd[n++] = (struct pollfd) { .fd = s->vpcd_fd, .events = POLLIN };
                }
                if (s->ctl_fd >= 0) {
                        ctl_idx = n;
                        owner[n] = NULL;
                        pfd[n++] = (struct pollfd) { .fd = s->ctl_fd, .events = POLLIN };
                }
                for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
                        if (s->clients[i].fd >= 0) {
                                owner[n] = &s->clients[i];
                                pfd[n++] = (struct pollfd) { .fd = s->clients[i].fd, .events = POLLIN };
                        }

                int timeout = -1;
                if (wake != UINT64_MAX)
                        timeout = wake > now ? (int) ((wake - now + 999) / 1000) : 0;
                int r = poll(pfd, n, timeout);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "kart-cardsim: poll: %m\n");
                        return -errno;
                }
                for (size_t i = 0; i < n; i++) {
                        if (!pfd[i].revents)
                                continue;
                        if ((int) i == vpcd_idx)
                                handle_vpcd(s);
                        else if ((int) i == ctl_idx)
                                handle_ctl_accept(s);
                        else if (owner[i] && owner[i]->fd == pfd[i].fd)
                                handle_ctl_client(s, owner[i]);
                }
        }
        return 0;
}

static void on_signal(int sig) {
        got_signal = sig;
}

static void usage(FILE *f) {
        fprintf(f,
                "Usage: kart-cardsim --port PORT [--host HOST] [--profile FILE] --state FILE\n"
                "                    [--control PATH] [--no-insert] [--verbose]\n"
                "       kart-cardsim ctl PATH COMMAND [ARGS...]\n"
                "\n"
                "Plays a smart card to pcscd through vsmartcard's vpcd driver: the project's\n"
                "PKCS#15 reference card (profile = pkcs15) or an AKIS card as the public record\n"
                "describes it (akis-1.0, akis-1.2, akis-2, akis-3; see default.profile).\n"
                "\n"
                "Control commands (one line each; the reply is \"ok[ ...]\" or \"error WHY\"):\n"
                "  insert, remove                  put the card in the reader, take it out\n"
                "  status                          ok inserted|connecting|removed\n"
                "  count, reset-count              ok N: APDUs since the last reset-count\n"
                "  ins-count XX                    ok N: APDUs with this INS (hex)\n"
                "  reset                           an unexpected card reset (security state lost)\n"
                "  fault none|garbage|truncated|short|6f00 [COUNT], fault remove-after N,\n"
                "  fault remove-on-ins XX, fault remove-after-ins XX, fault tear-on-ins XX,\n"
                "  fault tear-rrc, fault swap-admin-key, fault delay MS\n"
                "  pin-tries                       ok PIN PUK: tries left\n"
                "  puk-uses                        ok N: commands that presented or changed the PUK\n"
                "  set-pin-tries N, set-puk-tries N\n"
                "  system-pin-tries                ok N: the AKIS system PIN's tries left\n"
                "  set-system-pin-tries N\n"
                "  admin-tries, set-admin-tries N  the admin key's counter (pkcs15)\n"
                "  get-pin, get-puk                ok VALUE: the stored user PIN, PUK\n"
                "  set-pin PIN                     stores a new user PIN, counter at its maximum\n"
                "  verified                        ok yes|no: the user PIN verified in this session\n"
                "  profile                         ok pkcs15|akis-1.0|akis-1.2|akis-2|akis-3\n"
                "  forbidden                       ok N, or ok N: HDR REASON; HDR REASON...: the\n"
                "                                  AKIS commands the version forbids or does not\n"
                "                                  establish (HDR: CLA INS P1 P2 in hex; no data)\n"
                "  forbidden-reset                 clears that record\n"
                "  quit\n");
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "port", required_argument, NULL, 'p' },
                { "host", required_argument, NULL, 'H' },
                { "profile", required_argument, NULL, 'f' },
                { "state", required_argument, NULL, 's' },
                { "control", required_argument, NULL, 'c' },
                { "no-insert", no_argument, NULL, 'n' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        static Sim sim;
        const char *profile_file = "sim/cardsim/default.profile", *state_file = NULL;
        bool insert = true;
        long port = -1;
        int c, r;

        if (argc >= 2 && streq(argv[1], "ctl")) {
                if (argc < 4) {
                        usage(stderr);
                        return 2;
                }
                return control_client(argv[2], argc - 3, argv + 3);
        }

        sim.host = "127.0.0.1";
        while ((c = getopt_long(argc, argv, "p:H:f:s:c:nvh", opts, NULL)) >= 0)
                switch (c) {
                case 'p': {
                        char *end;
                        port = strtol(optarg, &end, 10);
                        if (*end || end == optarg || port < 1 || port > 65535) {
                                fprintf(stderr, "kart-cardsim: bad port '%s'\n", optarg);
                                return 2;
                        }
                        break;
                }
                case 'H': sim.host = optarg; break;
                case 'f': profile_file = optarg; break;
                case 's': state_file = optarg; break;
                case 'c': sim.control_path = optarg; break;
                case 'n': insert = false; break;
                case 'v': arg_verbose = true; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        if (optind < argc || port < 0 || !state_file) {
                usage(stderr);
                return 2;
        }
        sim.port = port;
        sim.vpcd_fd = -1;
        sim.ctl_fd = -1;
        for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
                sim.clients[i].fd = -1;
        faults_clear(&sim.faults);

        r = profile_load(profile_file, &sim.profile);
        if (r < 0)
                return 1;
        r = card_init(&sim.card, sim.profile, state_file);
        if (r < 0) {
                fprintf(stderr, "kart-cardsim: cannot set up the card: %s\n", strerror(-r));
                profile_free(sim.profile);
                return 1;
        }
        if (sim.control_path) {
                sim.ctl_fd = control_listen(sim.control_path);
                if (sim.ctl_fd < 0) {
                        fprintf(stderr, "kart-cardsim: cannot listen on %s: %s\n", sim.control_path, strerror(-sim.ctl_fd));
                        card_done(&sim.card);
                        profile_free(sim.profile);
                        return 1;
                }
        }

        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        if (insert)
                sim_insert(&sim);
        r = run(&sim);

        if (sim.vpcd_fd >= 0)
                close(sim.vpcd_fd);
        for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
                if (sim.clients[i].fd >= 0)
                        close(sim.clients[i].fd);
        if (sim.ctl_fd >= 0) {
                close(sim.ctl_fd);
                unlink(sim.control_path);
        }
        card_done(&sim.card);
        profile_free(sim.profile);
        return r < 0 ? 1 : 0;
}
