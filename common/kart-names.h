/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every identifier of the bus contract, in one place. */

#define KART_BUS_NAME           "org.kartd.Kartd1"
#define KART_MANAGER_PATH       "/org/kartd/Kartd1"
#define KART_READER_PATH_PREFIX "/org/kartd/Kartd1/reader"
#define KART_CARD_PATH_PREFIX   "/org/kartd/Kartd1/card"
#define KART_SESSION_PATH_PREFIX "/org/kartd/Kartd1/session"

#define KART_MANAGER_INTERFACE  "org.kartd.Kartd1.Manager"
#define KART_READER_INTERFACE   "org.kartd.Kartd1.Reader"
#define KART_CARD_INTERFACE     "org.kartd.Kartd1.Card"
#define KART_SESSION_INTERFACE  "org.kartd.Kartd1.Session"
#define KART_ERROR_PREFIX       "org.kartd.Kartd1.Error."

#define KART_ACTION_CARD_READ          "org.kartd.card.read"
#define KART_ACTION_PIN_CHANGE         "org.kartd.pin.change"
#define KART_ACTION_PIN_UNLOCK         "org.kartd.pin.unlock"
#define KART_ACTION_CERTIFICATE_MANAGE "org.kartd.certificate.manage"
#define KART_ACTION_CERTIFICATE_REVOKE "org.kartd.certificate.revoke"
#define KART_ACTION_ADMIN              "org.kartd.admin"

#define KART_CONFIG_FILE  SYSCONFDIR "/kartd/kartd.conf"
/* Certificates that vouch for OCSP responders (and issuers not on the card). */
#define KART_TRUST_DIR    SYSCONFDIR "/kartd/trust.d"
/* The unlock journal; systemd's StateDirectory= gives it as $STATE_DIRECTORY. */
#define KART_STATE_DIR    LOCALSTATEDIR "/lib/kartd"
