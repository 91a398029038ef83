/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "kart-error.h"
#include "kartctl.h"
#include "macro.h"

Options arg;

typedef struct Verb {
        const char *name;
        int (*run)(sd_bus *bus, int argc, char *argv[]);
        const char *help;
} Verb;

static const Verb verbs[] = {
        { "status",  verb_status,  N_("Show readers and cards") },
        { "monitor", verb_monitor, N_("Print card and reader events until interrupted") },
        { "pin-status", verb_pin_status, N_("Show the PIN state of the cards, or of the card SERIAL") },
        { "change-pin", verb_change_pin, N_("Change a card's PIN ([SERIAL] [--stdin] [--force])") },
        { "verify-pin", verb_verify_pin, N_("Check a card's PIN ([SERIAL] [--stdin] [--force])") },
        { "unlock",  verb_unlock,  N_("Unlock a card's PIN online with the CA ([SERIAL] [--stdin] [--remember])") },
        { "forget",  verb_forget,  N_("Delete the web password stored in your keyring ([SERIAL] [--all])") },
        { "account", verb_account, N_("The certificates the CA has for the card's holder (certs [SERIAL])") },
        { "certs",   verb_certs,   N_("List a card's certificates and warn of expiry ([SERIAL])") },
        { "cert",    verb_cert,    N_("Show or export a certificate (show|export ID [SERIAL]; see cert --help)") },
        { "doctor",  verb_doctor,  N_("Check what e-signature needs on this machine, and say what to do") },
};

static void help(void) {
        printf(_("Usage: kartctl [OPTIONS] COMMAND\n\n"
                 "Manage smart cards through the kartd daemon.\n\n"
                 "Commands:\n"));
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i].name, _(verbs[i].help));
        printf(_("\nOptions:\n"
                 "  -h --help             Show this help\n"
                 "     --version          Show the version\n"
                 "     --json             Print JSON instead of text\n"
                 "  -H --host=[USER@]HOST Talk to kartd on another machine over ssh\n"
                 "\nExit status: 0 success, 1 failure, 2 usage error, 3 kartd not running.\n"));
}

static bool wants_help(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "-h") || streq(argv[i], "--help"))
                        return true;
        }
        return false;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument,       NULL, 'h' },
                { "version", no_argument,       NULL, 'V' },
                { "json",    no_argument,       NULL, 'j' },
                { "host",    required_argument, NULL, 'H' },
                {}
        };
        const char *localedir = getenv("KART_LOCALEDIR");
        sd_bus *bus = NULL;
        int c, r;

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);

        /* kartctl reads PINs: no core dumps of it, and no ptrace or
         * /proc/PID/mem by the user's other processes. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                fprintf(stderr, _("Failed to protect kartctl's memory: %s\n"), strerror(errno));
                return EXIT_FAILED;
        }

        while ((c = getopt_long(argc, argv, "+hH:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case 'V':
                        printf("kartctl %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                case 'j':
                        arg.json = true;
                        break;
                case 'H':
                        arg.host = optarg;
                        break;
                default:
                        return EXIT_USAGE;
                }

        const char *name = optind < argc ? argv[optind] : "status";
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, name))
                        continue;
                /* A verb's --help needs no kartd: the verbs parse their
                 * options before they touch the bus. */
                if (wants_help(argc - optind, argv + optind))
                        return verbs[i].run(NULL, argc - optind, argv + optind);
                r = kartctl_connect(&bus);
                if (r == 0)
                        r = verbs[i].run(bus, argc - optind, argv + optind);
                sd_bus_flush_close_unref(bus);
                return r;
        }
        fprintf(stderr, _("Unknown command '%s'. See 'kartctl --help'.\n"), name);
        return EXIT_USAGE;
}
