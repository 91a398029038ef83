/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kartctl unlock: the CA's online unlock (also: a first PIN on a new card).
 * Verification code from the portal -> second factor (SMS code or web
 * password) -> new PIN twice -> kartd sets it with the CA's authorization.
 * On a terminal every answer is asked for; with --stdin they are read one
 * per line: code, method ("sms" or "password"), SMS code or password, new
 * PIN, new PIN again (with --use-stored: no method and no password line).
 * --remember keeps the web password in the user's keyring (kartctl-keyring.c). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kart-error.h"
#include "kart-names.h"
#include "kartctl-prompt.h"
#include "kartctl-session.h"
#include "kartctl.h"
#include "macro.h"

static int set_pin(sd_bus *bus, const SessionArgs *a, const char *path, const SessionInfo *i) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        PinBuffers p;
        int r;

        pin_buffers_init(&p);
        r = prompt_read_new_pin(a->use_stdin, i->pin_min, i->pin_max, &p);
        if (r == 0) {
                printf(_("Asking the CA for the authorization and writing the card; do not remove it...\n"));
                fflush(stdout);
                r = kartctl_call_session(bus, path, "SetPin", &error, p.new_pin, NULL);
                r = r < 0 ? kartctl_report_error(_("The PIN was not set"), &error, r) : 0;
        }
        pin_buffers_done(&p);
        if (r == 0)
                printf(_("The new PIN is set; the card is ready to use.\n"));
        return r;
}

int verb_unlock(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(session_info_done) SessionInfo info = {};
        _cleanup_free_ char *card = NULL, *session = NULL;
        SessionArgs a = {};
        int supported = 0, r;

        r = kartctl_session_parse_args(argc, argv,
                       _("Usage: kartctl unlock [SERIAL] [--method sms|password] [--stdin]\n"
                         "                      [--remember] [--use-stored]\n\n"
                         "Unlock a card's PIN online with the CA (or give a new card its first PIN):\n"
                         "the verification code from the CA's portal, then an SMS code or your web\n"
                         "password, then the new PIN twice. The PUK is never used. With --stdin the\n"
                         "answers are read one per line: code, method, SMS code or password, new PIN,\n"
                         "new PIN again.\n"), 1, &a, NULL);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        a.serial = optind < argc ? argv[optind] : NULL;
        r = kartctl_select_card(bus, a.serial, &card);
        if (r != 0)
                return r;
        r = sd_bus_get_property_trivial(bus, KART_BUS_NAME, card, KART_CARD_INTERFACE, "UnlockSupported",
                                        &error, 'b', &supported);
        if (r < 0)
                return kartctl_report_error(_("Could not read the card"), &error, r);
        if (!supported) {
                _cleanup_free_ char *portal = kartctl_unlock_portal(bus);

                fprintf(stderr, _("This card cannot be unlocked online here (no CA service is configured in "
                                  "kartd, or the card does not support it).\n"));
                if (portal)
                        fprintf(stderr, _("Your certificate authority's portal: %s\n"), portal);
                return EXIT_FAILED;
        }

        r = kartctl_session_open(bus, &a, card, true, &session, &info);
        if (r == 0)
                r = set_pin(bus, &a, session, &info);
        if (r != 0)
                kartctl_session_cancel(bus, session);
        return r;
}
