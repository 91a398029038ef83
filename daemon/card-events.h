/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* Card events for the journal, for people and for the engines an
 * organisation collects journals with (journal-upload, a SIEM): each
 * entry has a MESSAGE_ID (explained in catalog/kartd.catalog) and the
 * card's fields KART_CARD_SERIAL, KART_CARD_MODEL, KART_CARD_LABEL,
 * KART_READER, KART_DRIVER, KART_PIN_STATE, KART_PIN_TRIES_LEFT;
 * certificate events add KART_CERT_ID, KART_CERT_SERIAL,
 * KART_CERT_SUBJECT, KART_CERT_STATUS, KART_CERT_NOT_AFTER (UTC,
 * ISO 8601) and KART_CERT_DAYS_LEFT. Never a secret. */

#define EVENT_CARD_INSERTED  "6f0d3c51a4b84a0c9d2e7b1f3a5c8e25"
#define EVENT_CARD_REMOVED   "6f0d3c51a4b84a0c9d2e7b1f3a5c8e26"
#define EVENT_PIN_LOCKED     "6f0d3c51a4b84a0c9d2e7b1f3a5c8e27"
#define EVENT_CERT_EXPIRING  "6f0d3c51a4b84a0c9d2e7b1f3a5c8e28"
#define EVENT_CERT_REVOKED   "6f0d3c51a4b84a0c9d2e7b1f3a5c8e29"
#define EVENT_CERT_ON_HOLD   "6f0d3c51a4b84a0c9d2e7b1f3a5c8e2a"

/* A certificate is "expiring" this many days before its end (as
 * kart-notify warns). */
#define EVENT_EXPIRY_DAYS 30

/* "Card inserted in reader 'R': MODEL, serial S, ATR A, driver D." */
void card_event_inserted(const Card *c);
void card_event_removed(const Card *c);
/* After the PIN state changed (or was first read): an event when it
 * became locked or blocked. */
void card_event_pin(Card *c);
/* The certificates just read: an event for each that ends within
 * EVENT_EXPIRY_DAYS (or has ended). */
void card_event_certs_read(const Card *c);
/* OCSP's answer changed: an event for revoked and on hold. */
void card_event_cert_status(const Card *c, const CardCert *k);
