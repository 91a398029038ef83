/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kartctl forget: deletes the web password that kartctl unlock --remember
 * (or a certificate command with --remember) stored in the user's keyring. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kartctl-keyring.h"
#include "kartctl-session.h"
#include "kartctl.h"
#include "macro.h"

int verb_forget(sd_bus *bus, int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "all",  no_argument, NULL, 'a' },
                {}
        };
        _cleanup_free_ char *card = NULL, *serial = NULL;
        bool all = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf(_("Usage: kartctl forget [SERIAL] [--all]\n\n"
                                 "Delete the web password that --remember stored in your keyring for the card\n"
                                 "SERIAL (as 'kartctl status' shows it), else for the card present; with --all,\n"
                                 "for every card.\n"));
                        return EXIT_OK;
                case 'a':
                        all = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind > 1 || (all && argc - optind > 0)) {
                fprintf(stderr, _("'forget' takes one card serial, or --all.\n"));
                return EXIT_USAGE;
        }
        if (!keyring_built(true))
                return EXIT_FAILED;
        if (optind < argc) {
                serial = strdup(argv[optind]);
                if (!serial)
                        return EXIT_FAILED;
        } else if (!all) {
                r = kartctl_select_card(bus, NULL, &card);
                if (r == 0)
                        r = kartctl_card_serial(bus, card, &serial);
                if (r != 0)
                        return r;
        }

        r = keyring_forget(serial);
        if (r < 0)
                return EXIT_FAILED;
        if (r == 0 && serial)
                printf(_("No web password was stored for card %s.\n"), serial);
        else if (r == 0)
                printf(_("No web password was stored.\n"));
        else if (serial)
                printf(_("The web password for card %s is deleted from your keyring.\n"), serial);
        else
                printf(_("The stored web passwords are deleted from your keyring.\n"));
        return EXIT_OK;
}
