/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kartctl doctor: why e-signature does not work on this machine, one
 * check after another, each a line with OK, WARN, FAIL or SKIP and what
 * to do: kartd on the bus, pcscd, readers, cards and their drivers, the
 * vendor module an AKİS card needs, the trust store, the clock, OCSP, the
 * CA service, polkit, and kart-notify's autostart. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kart-names.h"
#include "kartctl.h"
#include "macro.h"

#define AKIS_MODULE "/usr/lib/libakisp11.so"
#define DOCTOR_CALL_USEC (30ULL * 1000000ULL)

typedef enum { DOC_OK, DOC_WARN, DOC_FAIL, DOC_SKIP } DocResult;

typedef struct Doctor {
        sd_bus *bus;
        json_t *checks;
        unsigned fails;
} Doctor;

_printf_(5, 6) static void report(Doctor *d, DocResult res, const char *check, const char *advice,
                                   const char *format, ...) {
        static const char *const labels[] = { "OK", "WARN", "FAIL", "SKIP" };
        static const char *const names[] = { "ok", "warn", "fail", "skip" };
        _cleanup_free_ char *detail = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&detail, format, ap) < 0)
                detail = NULL;
        va_end(ap);
        if (res == DOC_FAIL)
                d->fails++;
        if (arg.json) {
                json_array_append_new(d->checks, json_pack("{s:s, s:s, s:s, s:s?}", "check", check,
                                                           "result", names[res], "detail", strempty(detail),
                                                           "advice", advice));
                return;
        }
        printf("%-4s  %s\n", labels[res], strempty(detail));
        if (advice)
                printf("      %s\n", advice);
}

static int get_string(Doctor *d, const char *path, const char *iface, const char *name, char **ret) {
        return sd_bus_get_property_string(d->bus, KART_BUS_NAME, path, iface, name, NULL, ret);
}

static int get_object(Doctor *d, const char *path, const char *iface, const char *name, char **ret) {
        sd_bus_message *reply = NULL;
        const char *o;
        int r;

        *ret = NULL;
        r = sd_bus_get_property(d->bus, KART_BUS_NAME, path, iface, name, NULL, &reply, "o");
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &o);
        if (r >= 0 && !(*ret = strdup(o)))
                r = -ENOMEM;
        sd_bus_message_unref(reply);
        return r;
}

static int get_bool(Doctor *d, const char *path, const char *iface, const char *name, bool *ret) {
        int b = 0, r;

        r = sd_bus_get_property_trivial(d->bus, KART_BUS_NAME, path, iface, name, NULL, 'b', &b);
        *ret = b;
        return r;
}

static bool check_kartd(Doctor *d) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *version = NULL;
        int r;

        r = sd_bus_get_property_string(d->bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                       "Version", &error, &version);
        if (r < 0) {
                report(d, DOC_FAIL, "kartd", _("Start it: sudo systemctl start kartd (its log: journalctl -u kartd)."),
                       _("kartd does not answer on the system bus (%s)."), error.message ?: strerror(-r));
                return false;
        }
        report(d, DOC_OK, "kartd", NULL, _("kartd %s answers on the system bus."), version);
        return true;
}

static void check_pcscd(Doctor *d) {
        bool up = false;

        if (get_bool(d, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, "PcscdReachable", &up) >= 0 && up)
                report(d, DOC_OK, "pcscd", NULL, _("kartd reaches pcscd, the smart-card service."));
        else
                report(d, DOC_FAIL, "pcscd", _("Install and start it: sudo apt install pcscd; "
                                               "sudo systemctl start pcscd.socket"),
                       _("kartd cannot reach pcscd, the smart-card service."));
}

/* The properties of one reader and its card (NULL when none). */
typedef struct ReaderFacts {
        char *name, *card, *serial, *model, *driver;
        bool present, pin_supported;
} ReaderFacts;

static void reader_facts_done(ReaderFacts *f) {
        free(f->name);
        free(f->card);
        free(f->serial);
        free(f->model);
        free(f->driver);
}

static void read_reader(Doctor *d, const char *path, ReaderFacts *f) {
        (void) get_string(d, path, KART_READER_INTERFACE, "Name", &f->name);
        (void) get_bool(d, path, KART_READER_INTERFACE, "CardPresent", &f->present);
        if (get_object(d, path, KART_READER_INTERFACE, "Card", &f->card) < 0 || streq(f->card, "/")) {
                free(f->card);
                f->card = NULL;
                return;
        }
        (void) get_string(d, f->card, KART_CARD_INTERFACE, "Serial", &f->serial);
        (void) get_string(d, f->card, KART_CARD_INTERFACE, "Model", &f->model);
        (void) get_string(d, f->card, KART_CARD_INTERFACE, "Driver", &f->driver);
        (void) get_bool(d, f->card, KART_CARD_INTERFACE, "PinOperationsSupported", &f->pin_supported);
}

/* The AKİS module: installed, and registered for kartd (a card it
 * carries names it in Driver). */
static void check_pin_commands(Doctor *d, const ReaderFacts *f) {
        bool akis = f->model && strstr(f->model, "AK\xc4\xb0S");

        if (f->pin_supported) {
                report(d, DOC_OK, "pin", NULL, _("Card %s: kartd can verify and change its PIN (driver %s)."),
                       strna(f->serial), strna(f->driver));
                return;
        }
        if (!akis) {
                report(d, DOC_FAIL, "pin", _("Register the card maker's PKCS#11 module for kartd (kartd.conf(5), "
                                             "[PKCS11])."),
                       _("Card %s (%s): kartd has no PIN commands for it."), strna(f->serial), strna(f->model));
                return;
        }
        report(d, DOC_FAIL, "pin",
               access(AKIS_MODULE, F_OK) == 0
               ? _("libakisp11.so is installed but not registered for kartd: copy "
                   "/usr/share/doc/kartd/examples/libakisp11.module to /etc/pkcs11/modules/ and restart kartd.")
               : _("Install TÜBİTAK's PKCS#11 module (libakisp11.so, from KamuSM's e-signature software), then "
                   "register it: /usr/share/doc/kartd/examples/libakisp11.module."),
               _("Card %s (%s): its PIN commands are not published; kartd needs the AKİS PKCS#11 module."),
               strna(f->serial), f->model);
}

static void check_readers(Doctor *d, char ***ret_cards) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(kartctl_strv_freep) char **readers = NULL;
        char **cards = calloc(1, sizeof *cards);
        size_t n = 0, n_cards = 0;
        ReaderFacts *facts;
        bool any_card = false;

        *ret_cards = cards;
        if (!cards || sd_bus_get_property_strv(d->bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                               "Readers", &error, &readers) < 0)
                readers = NULL;
        for (char **p = readers; p && *p; p++)
                n++;
        if (n == 0) {
                report(d, DOC_WARN, "readers", _("Plug in a card reader; a USB reader needs its driver "
                                                 "(most: libccid)."),
                       _("No card reader is connected."));
                return;
        }
        report(d, DOC_OK, "readers", NULL, ngettext("%zu card reader is connected.",
                                                    "%zu card readers are connected.", n), n);
        facts = calloc(n, sizeof *facts);
        for (size_t i = 0; facts && i < n; i++) {
                read_reader(d, readers[i], &facts[i]);
                any_card = any_card || facts[i].card || facts[i].present;
        }
        for (size_t i = 0; facts && i < n; i++) {
                ReaderFacts f = facts[i];

                if (f.card) {
                        report(d, DOC_OK, "card", NULL, _("Reader '%s': card %s (%s), driver %s."), strna(f.name),
                               strna(f.serial), strna(f.model), strna(f.driver));
                        check_pin_commands(d, &f);
                        char **more = reallocarray(cards, n_cards + 2, sizeof *cards);
                        if (more) {
                                cards = *ret_cards = more;
                                cards[n_cards++] = TAKE_PTR(f.card);
                                cards[n_cards] = NULL;
                        }
                } else if (f.present)
                        report(d, DOC_WARN, "card", _("See kartctl status and journalctl -u kartd."),
                               _("Reader '%s': kartd could not read the card in it."), strna(f.name));
                else if (!any_card)
                        report(d, DOC_WARN, "card", _("Insert your card."), _("Reader '%s': no card."),
                               strna(f.name));
                reader_facts_done(&f);
        }
        free(facts);
}

/* One GetCertificateInfo's status_detail. */
static char *cert_detail(Doctor *d, const char *card, const char *id) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        json_t *info = NULL;
        char *detail = NULL;

        if (sd_bus_call_method(d->bus, KART_BUS_NAME, card, KART_CARD_INTERFACE, "GetCertificateInfo", &error,
                               &reply, "s", id) >= 0 && kartctl_message_to_json(reply, &info) >= 0) {
                json_t *v = json_object_get(info, "status_detail");

                if (json_is_string(v))
                        detail = strdup(json_string_value(v));
        }
        json_decref(info);
        sd_bus_message_unref(reply);
        return detail;
}

/* The trust store, the clock and OCSP, from the certificates of every
 * card (asked anew first). */
static void check_certificates(Doctor *d, char **cards) {
        unsigned n = 0, untrusted = 0, early = 0, unanswered = 0;
        _cleanup_free_ char *first_untrusted = NULL, *first_early = NULL, *first_unanswered = NULL;

        for (char **c = cards; c && *c; c++) {
                void *list = NULL;
                size_t i;
                json_t *k;

                (void) sd_bus_call_method(d->bus, KART_BUS_NAME, *c, KART_CARD_INTERFACE, "RefreshStatus", NULL,
                                          NULL, "");
                if (kartctl_certs_json(d->bus, *c, &list) != 0)
                        continue;
                json_array_foreach((json_t *) list, i, k) {
                        const char *id = json_string_value(json_object_get(k, "id"));
                        const char *status = json_string_value(json_object_get(k, "status"));
                        _cleanup_free_ char *detail = NULL;

                        if (!id || !status)
                                continue;
                        n++;
                        if (streq(status, "not-yet-valid") && early++ == 0)
                                first_early = strdup(id);
                        if (!streq(status, "unknown"))
                                continue;
                        detail = cert_detail(d, *c, id);
                        if (detail && strstr(detail, "neither on the card nor in")) {
                                if (untrusted++ == 0)
                                        first_untrusted = strdup(id);
                        } else if (detail && (strstr(detail, "could not be reached") ||
                                              strstr(detail, "answered HTTP") || strstr(detail, "no answer"))) {
                                if (unanswered++ == 0)
                                        first_unanswered = TAKE_PTR(detail);
                        }
                }
                json_decref(list);
        }
        if (n == 0) {
                report(d, DOC_SKIP, "trust", NULL, _("No certificates to check the trust store, the clock and "
                                                     "OCSP with."));
                return;
        }
        if (untrusted)
                report(d, DOC_FAIL, "trust", _("Put the CA's root certificate (PEM or DER) in /etc/kartd/trust.d "
                                               "([OCSP] TrustDirectory= in kartd.conf) and restart kartd."),
                       _("The CA that issued certificate %s is not in kartd's trust store."),
                       strna(first_untrusted));
        else
                report(d, DOC_OK, "trust", NULL, _("The issuers of the cards' certificates are trusted."));
        if (early)
                report(d, DOC_FAIL, "clock", _("Check the date and time: timedatectl (turn on NTP: "
                                               "timedatectl set-ntp true)."),
                       _("Certificate %s is not valid yet: is this machine's clock right?"), strna(first_early));
        else
                report(d, DOC_OK, "clock", NULL, _("The clock agrees with the certificates."));
        if (unanswered)
                report(d, DOC_WARN, "ocsp", _("Check the network, or [OCSP] Proxy= in kartd.conf."),
                       _("The revocation status could not be asked: %s."), strna(first_unanswered));
        else
                report(d, DOC_OK, "ocsp", NULL, _("The OCSP responders answer."));
}

static void check_backend(Doctor *d) {
        _cleanup_free_ char *state = NULL, *portal = NULL;

        (void) get_string(d, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, "BackendState", &state);
        (void) get_string(d, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, "UnlockPortal", &portal);
        if (streq_ptr(state, "ok") && portal && *portal)
                report(d, DOC_OK, "backend", NULL, _("The CA service answers; verification codes come from %s."),
                       portal);
        else if (streq_ptr(state, "ok"))
                report(d, DOC_OK, "backend", NULL, _("The CA service answers."));
        else if (streq_ptr(state, "unreachable"))
                report(d, DOC_FAIL, "backend", _("Check the network and [Backend] URL= and CAFile= in "
                                                 "kartd.conf (journalctl -u kartd says why)."),
                       _("The CA service does not answer: no online unlock or certificate operations."));
        else if (streq_ptr(state, "unknown"))
                report(d, DOC_WARN, "backend", NULL, _("kartd has not heard from the CA service yet."));
        else
                report(d, DOC_WARN, "backend", _("Set [Backend] URL= in /etc/kartd/kartd.conf if your CA offers "
                                                 "the service."),
                       _("No CA service is configured: no online unlock or certificate operations."));
}

/* Asked of polkit directly, for this process, without interaction. */
static void check_polkit(Doctor *d) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        unsigned long long start = 0;
        int authorized = 0, challenge = 0, r;
        char buf[1024];
        FILE *f;

        if (arg.host) {
                report(d, DOC_SKIP, "polkit", NULL, _("Not asked on another host (-H)."));
                return;
        }
        /* the process's start time, field 22 of /proc/self/stat */
        f = fopen("/proc/self/stat", "re");
        if (f && fgets(buf, sizeof buf, f)) {
                char *p = strrchr(buf, ')');

                if (p)
                        (void) sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                                      "%*d %*d %llu", &start);
        }
        if (f)
                fclose(f);
        r = sd_bus_message_new_method_call(d->bus, &m, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sa{sv})sa{ss}us", "unix-process", 3, "pid", "u", (uint32_t) getpid(),
                                          "start-time", "t", (uint64_t) start, "uid", "i", (int32_t) getuid(),
                                          "org.kartd.pin.change", 0, 0, "");
        if (r >= 0)
                r = sd_bus_call(d->bus, m, DOCTOR_CALL_USEC, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        if (r < 0)
                report(d, DOC_WARN, "polkit", _("Is polkitd installed and running?"),
                       _("polkit could not be asked (%s)."), error.message ?: strerror(-r));
        else if (authorized)
                report(d, DOC_OK, "polkit", NULL, _("You may change a card's PIN without a password."));
        else if (challenge)
                report(d, DOC_WARN, "polkit", _("Work at the machine's own screen, or ask an administrator to add "
                                                "you to the group kartd-admin."),
                       _("Changing a card's PIN will ask for an administrator's password (you are not the "
                         "active user at the machine's screen)."));
        else
                report(d, DOC_FAIL, "polkit", _("Ask an administrator (see the polkit rules in "
                                                "/usr/share/polkit-1/rules.d)."),
                       _("You may not change a card's PIN."));
}

/* The first autostart entry the desktop reads: $XDG_CONFIG_HOME's, then
 * each of $XDG_CONFIG_DIRS'. */
static void check_autostart(Doctor *d) {
        const char *home = getenv("XDG_CONFIG_HOME"), *dirs = getenv("XDG_CONFIG_DIRS");
        const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
        _cleanup_free_ char *user = NULL, *list = NULL;
        char path[4096], line[512];
        FILE *f = NULL;

        if ((!x11 || !*x11) && (!wayland || !*wayland)) {
                report(d, DOC_SKIP, "autostart", NULL, _("No desktop session: kart-notify is not needed."));
                return;
        }
        if ((!home || !*home) && getenv("HOME") && asprintf(&user, "%s/.config", getenv("HOME")) < 0)
                user = NULL;
        list = strdup(dirs && *dirs ? dirs : SYSCONFDIR "/xdg:/etc/xdg");
        snprintf(path, sizeof path, "%s/autostart/kart-notify.desktop", home && *home ? home : strempty(user));
        f = fopen(path, "re");
        for (char *save = NULL, *dir = list ? strtok_r(list, ":", &save) : NULL; !f && dir;
             dir = strtok_r(NULL, ":", &save)) {
                snprintf(path, sizeof path, "%s/autostart/kart-notify.desktop", dir);
                f = fopen(path, "re");
        }
        if (!f) {
                report(d, DOC_WARN, "autostart", _("Install the package kartd-desktop."),
                       _("kart-notify does not start with your desktop session: no warnings of a PIN at its last "
                         "try or of expiring certificates."));
                return;
        }
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "Hidden=true", 11) == 0 || strncmp(line, "X-GNOME-Autostart-enabled=false", 31) == 0) {
                        fclose(f);
                        report(d, DOC_WARN, "autostart", _("Turn it on in your desktop's startup applications."),
                               _("kart-notify's autostart is turned off (%s)."), path);
                        return;
                }
        fclose(f);
        report(d, DOC_OK, "autostart", NULL, _("kart-notify starts with your desktop session."));
}

int verb_doctor(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(kartctl_strv_freep) char **cards = NULL;
        Doctor d = { .bus = bus };

        if (argc > 1 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf(_("Usage: kartctl doctor [--json]\n\n"
                         "Check, one after another, what e-signature needs on this machine and say what to do:\n"
                         "kartd, pcscd, readers, cards and their drivers, the vendor module an AKİS card\n"
                         "may need, the trust store, the clock, OCSP, the CA service, polkit and\n"
                         "kart-notify. Exit status 1 when a check fails.\n"));
                return EXIT_OK;
        }
        if (argc > 1) {
                fprintf(stderr, _("'doctor' takes no arguments.\n"));
                return EXIT_USAGE;
        }
        d.checks = json_array();
        if (check_kartd(&d)) {
                check_pcscd(&d);
                check_readers(&d, &cards);
                check_certificates(&d, cards);
                check_backend(&d);
        } else
                report(&d, DOC_SKIP, "readers", NULL, _("The other checks of kartd need kartd."));
        check_polkit(&d);
        check_autostart(&d);
        if (arg.json)
                kartctl_print_json(json_pack("{s:o}", "checks", d.checks));
        else
                json_decref(d.checks);
        return d.fails > 0 ? EXIT_FAILED : EXIT_OK;
}
