/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "macro.h"

#define N_(s) (s)

const sd_bus_error_map kart_error_map[] = {
        SD_BUS_ERROR_MAP(KART_ERROR_NO_CARD,          KART_ENOCARD),
        SD_BUS_ERROR_MAP(KART_ERROR_CARD_REMOVED,     KART_ECARDREMOVED),
        SD_BUS_ERROR_MAP(KART_ERROR_CARD_CHANGED,     KART_ECARDCHANGED),
        SD_BUS_ERROR_MAP(KART_ERROR_WRONG_PIN,        KART_EWRONGPIN),
        SD_BUS_ERROR_MAP(KART_ERROR_LAST_TRY,         KART_ELASTTRY),
        SD_BUS_ERROR_MAP(KART_ERROR_PIN_LOCKED,       KART_EPINLOCKED),
        SD_BUS_ERROR_MAP(KART_ERROR_CARD_BLOCKED,     KART_ECARDBLOCKED),
        SD_BUS_ERROR_MAP(KART_ERROR_INVALID_PIN,      KART_EINVALIDPIN),
        SD_BUS_ERROR_MAP(KART_ERROR_NOT_SUPPORTED,    KART_ENOTSUPPORTED),
        SD_BUS_ERROR_MAP(KART_ERROR_BUSY,             KART_EBUSY),
        SD_BUS_ERROR_MAP(KART_ERROR_NOT_AUTHORIZED,   KART_ENOTAUTHORIZED),
        SD_BUS_ERROR_MAP(KART_ERROR_BACKEND_UNAVAILABLE, KART_EBACKENDUNAVAILABLE),
        SD_BUS_ERROR_MAP(KART_ERROR_BACKEND_REJECTED, KART_EBACKENDREJECTED),
        SD_BUS_ERROR_MAP(KART_ERROR_VERIFICATION_CODE_INVALID, KART_EVERIFICATIONCODE),
        SD_BUS_ERROR_MAP(KART_ERROR_SECOND_FACTOR_INVALID, KART_ESECONDFACTOR),
        SD_BUS_ERROR_MAP(KART_ERROR_SESSION_EXPIRED,  KART_ESESSIONEXPIRED),
        SD_BUS_ERROR_MAP(KART_ERROR_CANCELLED,        KART_ECANCELLED),
        SD_BUS_ERROR_MAP(KART_ERROR_TIMEOUT,          KART_ETIMEOUT),
        SD_BUS_ERROR_MAP(KART_ERROR_CARD_UNAVAILABLE, KART_ECARDUNAVAILABLE),
        SD_BUS_ERROR_MAP(KART_ERROR_FAILED,           KART_EFAILED),
        SD_BUS_ERROR_MAP_END
};

static const struct {
        const char *name;
        const char *text;
} descriptions[] = {
        { KART_ERROR_NO_CARD,          N_("No card is in the reader.") },
        { KART_ERROR_CARD_REMOVED,     N_("The card was removed during the operation.") },
        { KART_ERROR_CARD_CHANGED,     N_("A different card is now in the reader.") },
        { KART_ERROR_WRONG_PIN,        N_("The PIN is wrong.") },
        { KART_ERROR_LAST_TRY,         N_("Only one PIN try is left; refusing without force.") },
        { KART_ERROR_PIN_LOCKED,       N_("The PIN is locked; unlock the card online.") },
        { KART_ERROR_CARD_BLOCKED,     N_("The card is blocked for good and must be replaced.") },
        { KART_ERROR_INVALID_PIN,      N_("The PIN does not have the format the card requires.") },
        { KART_ERROR_NOT_SUPPORTED,    N_("This card does not support the operation.") },
        { KART_ERROR_BUSY,             N_("The card or kartd is busy.") },
        { KART_ERROR_NOT_AUTHORIZED,   N_("You are not authorized to do this.") },
        { KART_ERROR_BACKEND_UNAVAILABLE, N_("The certification authority's service cannot be reached.") },
        { KART_ERROR_BACKEND_REJECTED, N_("The certification authority's service refused the request.") },
        { KART_ERROR_VERIFICATION_CODE_INVALID, N_("The verification code is not valid.") },
        { KART_ERROR_SECOND_FACTOR_INVALID, N_("The SMS code or web password is not valid.") },
        { KART_ERROR_SESSION_EXPIRED,  N_("The session has expired.") },
        { KART_ERROR_CANCELLED,        N_("The operation was cancelled.") },
        { KART_ERROR_TIMEOUT,          N_("The operation timed out.") },
        { KART_ERROR_CARD_UNAVAILABLE, N_("The card's PKCS#11 module stopped; kartd is restarting it. Try again in a moment.") },
        { KART_ERROR_FAILED,           N_("The operation failed.") },
};

int kart_error_register(void) {
        int r;

        r = sd_bus_error_add_map(kart_error_map);
        return r < 0 ? r : 0;
}

const char *kart_error_name_from_errno(int error) {
        if (error < 0)
                error = -error;
        for (const sd_bus_error_map *m = kart_error_map; m->name; m++)
                if (m->code == error)
                        return m->name;
        return NULL;
}

const char *kart_error_describe(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(descriptions); i++)
                if (streq(descriptions[i].name, name))
                        return dgettext(GETTEXT_PACKAGE, descriptions[i].text);
        return NULL;
}

char *kart_error_sentence(const char *name, const char *message) {
        static const char said[] = "the CA did not answer in ";
        const char *text = kart_error_describe(name), *p;
        unsigned n;
        char *s;

        if (!text)
                return NULL;
        if (streq(name, KART_ERROR_TIMEOUT) && message && (p = strstr(message, said)) &&
            sscanf(p + strlen(said), "%u s.", &n) == 1) {
                if (asprintf(&s, dgettext(GETTEXT_PACKAGE,
                                          "The certification authority's service did not answer in %u s."), n) < 0)
                        return NULL;
                return s;
        }
        return strdup(text);
}
