/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a PIN state and a certificate status look in kart-gui: words, an
 * icon and a colour class for each, and the advice a holder needs when
 * the state is not a good one. Every count goes through ngettext. */
#include "config.h"

#include "kart-gui.h"

/* The colour classes the states use (libadwaita's). */
const char *const gui_state_classes[] = { "success", "warning", "error", "dim-label", NULL };

/* The card's PinState property; a state this kart-gui does not know (a
 * newer kartd's) is unknown. */
PinState gui_pin_state(KartCard *card) {
        PinState state = pin_state_from_string(kart_card_get_pin_state(card));

        return state < 0 ? PIN_STATE_UNKNOWN : state;
}

const char *gui_pin_state_text(PinState state) {
        switch (state) {
        case PIN_STATE_OK:
                return _("PIN usable");
        case PIN_STATE_LAST_TRY:
                return _("PIN on its last try");
        case PIN_STATE_LOCKED:
                return _("PIN locked");
        case PIN_STATE_BLOCKED:
                return _("Card blocked");
        default:
                return _("PIN state unknown");
        }
}

const char *gui_pin_state_icon(PinState state) {
        switch (state) {
        case PIN_STATE_OK:
                return "emblem-ok-symbolic";
        case PIN_STATE_LAST_TRY:
                return "dialog-warning-symbolic";
        case PIN_STATE_LOCKED:
                return "system-lock-screen-symbolic";
        case PIN_STATE_BLOCKED:
                return "action-unavailable-symbolic";
        default:
                return "dialog-question-symbolic";
        }
}

const char *gui_pin_state_css(PinState state) {
        switch (state) {
        case PIN_STATE_OK:
                return "success";
        case PIN_STATE_LAST_TRY:
                return "warning";
        case PIN_STATE_LOCKED:
        case PIN_STATE_BLOCKED:
                return "error";
        default:
                return "dim-label";
        }
}

/* "2 of 3 tries left", or NULL when the card does not tell. */
char *gui_pin_tries(KartCard *card) {
        int left = kart_card_get_pin_retries_left(card);
        int max = kart_card_get_pin_retries_max(card);

        if (left < 0)
                return NULL;
        if (max > 0)
                return g_strdup_printf(ngettext("%d of %d try left", "%d of %d tries left", left), left, max);
        return g_strdup_printf(ngettext("%d try left", "%d tries left", left), left);
}

/* What a wrong step costs and what to do, for every state but a usable
 * PIN (NULL then). */
char *gui_pin_advice(KartCard *card) {
        switch (gui_pin_state(card)) {
        case PIN_STATE_OK:
                return NULL;
        case PIN_STATE_LAST_TRY:
                return g_strdup(_("One try left. If the next PIN typed is wrong, the card locks and only an "
                                  "online unlock with your certificate authority opens it again. kart-gui "
                                  "asks you to confirm before it uses this try."));
        case PIN_STATE_LOCKED:
                if (kart_card_get_unlock_supported(card))
                        return g_strdup(_("Too many wrong PINs were typed. Unlock the card online with a "
                                          "verification code from your certificate authority's portal; "
                                          "the card's PUK is not needed."));
                return g_strdup(_("Too many wrong PINs were typed. This card is unlocked on your "
                                  "certificate authority's portal; kartd has no online unlock for it."));
        case PIN_STATE_BLOCKED:
                return g_strdup(_("The PIN and its unblocking code are both used up: the card cannot be "
                                  "unlocked any more. Contact your certificate authority for a new card."));
        default:
                if (!kart_card_get_pin_operations_supported(card))
                        return g_strdup(_("kartd cannot work with this card's PIN: its commands are not "
                                          "published. Install the card maker's PKCS#11 module "
                                          "(\"kartctl doctor\" says which)."));
                return g_strdup(_("This card does not tell how many tries are left until its PIN has "
                                  "been used once."));
        }
}

/* A certificate status from the bus; one this kart-gui does not know (a
 * newer kartd's) is unknown. */
KartCertStatus gui_cert_status(const char *status) {
        KartCertStatus s = kart_cert_status_from_string(status);

        return s < 0 ? KART_CERT_STATUS_UNKNOWN : s;
}

const char *gui_cert_status_text(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                return _("Valid");
        case KART_CERT_STATUS_ON_HOLD:
                return _("Suspended");
        case KART_CERT_STATUS_REVOKED:
                return _("Revoked");
        case KART_CERT_STATUS_EXPIRED:
                return _("Expired");
        case KART_CERT_STATUS_NOT_YET_VALID:
                return _("Not yet valid");
        case KART_CERT_STATUS_UNREADABLE:
                return _("Unreadable");
        default:
                return _("Status unknown");
        }
}

/* The colour class of a status. */
const char *gui_cert_status_css(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                return "success";
        case KART_CERT_STATUS_ON_HOLD:
        case KART_CERT_STATUS_NOT_YET_VALID:
                return "warning";
        case KART_CERT_STATUS_UNKNOWN:
                return "dim-label";
        default:
                return "error";
        }
}

const char *gui_cert_status_icon(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                return "emblem-ok-symbolic";
        case KART_CERT_STATUS_ON_HOLD:
                return "media-playback-pause-symbolic";
        case KART_CERT_STATUS_NOT_YET_VALID:
                return "alarm-symbolic";
        case KART_CERT_STATUS_UNKNOWN:
                return "dialog-question-symbolic";
        default:
                return "action-unavailable-symbolic";
        }
}

/* A status as a badge: a rounded label in the status's colour. */
GtkWidget *gui_badge(KartCertStatus status) {
        GtkWidget *badge = gui_label(gui_cert_status_text(status), "kart-badge");

        gtk_widget_add_css_class(badge, gui_cert_status_css(status));
        gtk_widget_set_valign(badge, GTK_ALIGN_CENTER);
        return badge;
}

/* "expires in 12 days", "expires today", "expired 3 days ago" (whole days
 * from NOW, seconds since the epoch); NULL when NOT_AFTER is unknown. */
char *gui_cert_expiry(guint64 not_after, gint64 now) {
        gint64 seconds, days;

        if (not_after == 0 || not_after > G_MAXINT64)
                return NULL;
        seconds = (gint64) not_after - now;
        days = (seconds < 0 ? -seconds : seconds) / 86400;
        if (days > G_MAXINT)
                days = G_MAXINT;
        if (seconds < 0)
                return days == 0 ? g_strdup(_("expired today"))
                                 : g_strdup_printf(ngettext("expired %d day ago", "expired %d days ago", days),
                                                   (int) days);
        return days == 0 ? g_strdup(_("expires today"))
                         : g_strdup_printf(ngettext("expires in %d day", "expires in %d days", days), (int) days);
}

/* "The new PIN has 4 to 8 characters.", NULL when the card does not say. */
char *gui_length_rule(guint min, guint max) {
        if (min > 0 && max > 0)
                return g_strdup_printf(ngettext("The new PIN has %u to %u character.",
                                                "The new PIN has %u to %u characters.", max), min, max);
        if (min > 0)
                return g_strdup_printf(ngettext("The new PIN has at least %u character.",
                                                "The new PIN has at least %u characters.", min), min);
        if (max > 0)
                return g_strdup_printf(ngettext("The new PIN has at most %u character.",
                                                "The new PIN has at most %u characters.", max), max);
        return NULL;
}
