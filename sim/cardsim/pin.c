/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pkcs15 reference card's VERIFY, CHANGE REFERENCE DATA and RESET
 * RETRY COUNTER for the user PIN (reference 81; the AKİS flavours' are in
 * akis-pin.c), unblocked with the PUK or after EXTERNAL AUTHENTICATE
 * with the admin key (admin.c). PINs are compared padded to the
 * stored length. A length error never costs a try; neither does a badly
 * formed new PIN (it is checked before the old PIN or PUK). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "cardsim.h"

#define PIN_REF_USER 0x81
#define PIN_REF_PUK  0x02

size_t pin_unpadded_len(const uint8_t *v, size_t n, uint8_t pad) {
        while (n > 0 && v[n - 1] == pad)
                n--;
        return n;
}

/* Pads a presented value (padded or not) to the stored length; false if
 * its length is out of range. */
static bool pad_presented(const uint8_t *v, size_t n, unsigned min, unsigned max, unsigned stored,
                          uint8_t pad, uint8_t out[CARD_PIN_MAX]) {
        if (n == 0 || n > stored)
                return false;
        size_t u = pin_unpadded_len(v, n, pad);
        if (u < min || u > max)
                return false;
        memset(out, pad, CARD_PIN_MAX);
        memcpy(out, v, u);
        memset(out + stored, 0, CARD_PIN_MAX - stored);
        return true;
}

/* A new PIN must be ASCII digits followed only by padding. */
static bool new_pin_ok(const uint8_t *v, size_t n, const Profile *p) {
        size_t u = pin_unpadded_len(v, n, p->pad_char);
        if (u < p->pin_min || u > p->pin_max)
                return false;
        for (size_t i = 0; i < u; i++)
                if (v[i] < '0' || v[i] > '9')
                        return false;
        return true;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n) {
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= a[i] ^ b[i];
        return d == 0;
}

uint16_t pin_save(Card *c, uint16_t sw) {
        if (card_save_state(c) < 0)
                return 0x6581;          /* memory failure */
        return sw;
}

uint16_t pin_wrong(Card *c) {
        c->pin_verified = false;
        if (c->st.pin_tries > 0)
                c->st.pin_tries--;
        return pin_save(c, 0x63c0 | c->st.pin_tries);
}

uint16_t pin_right(Card *c) {
        bool changed = c->st.pin_tries != c->profile->pin_tries;
        c->st.pin_tries = c->profile->pin_tries;
        c->pin_verified = true;
        return changed ? pin_save(c, 0x9000) : 0x9000;
}

static bool card_dead(const Card *c) {
        return c->st.puk_tries == 0;
}

void pin_verify(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        uint8_t v[CARD_PIN_MAX];

        if (a->p1 != 0x00) {
                r->sw = 0x6a86;
                return;
        }
        if (a->p2 == PIN_REF_PUK && a->lc == 0) {
                /* Asking the PUK's counter costs nothing (the PUK itself
                 * is only ever presented with RESET RETRY COUNTER). */
                r->sw = c->st.puk_tries == 0 ? 0x6983 : (0x63c0 | c->st.puk_tries);
                return;
        }
        if (a->p2 != PIN_REF_USER) {
                if (a->p2 == PIN_REF_PUK)
                        c->puk_uses++;
                r->sw = 0x6a88;
                return;
        }
        if (card_dead(c) || c->st.pin_tries == 0) {
                r->sw = 0x6983;
                return;
        }
        if (a->lc == 0) {       /* empty VERIFY: ask the state, costs nothing */
                if (c->pin_verified)
                        r->sw = 0x9000;
                else if (p->empty_verify_decrements)
                        r->sw = pin_wrong(c);
                else
                        r->sw = 0x63c0 | c->st.pin_tries;
                return;
        }
        if (!pad_presented(a->data, a->lc, p->pin_min, p->pin_max, p->pin_stored, p->pad_char, v)) {
                r->sw = 0x6700;
                return;
        }
        r->sw = same(v, c->st.pin, p->pin_stored) ? pin_right(c) : pin_wrong(c);
}

void pin_change(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        const uint8_t *old, *new;
        size_t old_len, new_len;
        uint8_t o[CARD_PIN_MAX], n[CARD_PIN_MAX];

        if (a->p2 != PIN_REF_USER) {
                if (a->p2 == PIN_REF_PUK)
                        c->puk_uses++;
                r->sw = 0x6a88;
                return;
        }
        if (a->p1 == 0x00) {
                if (a->lc != 2 * p->pin_stored) {
                        r->sw = 0x6700;
                        return;
                }
                old = a->data;
                new = a->data + p->pin_stored;
                old_len = new_len = p->pin_stored;
        } else {
                r->sw = 0x6a86;
                return;
        }
        if (card_dead(c) || c->st.pin_tries == 0) {
                r->sw = 0x6983;
                return;
        }
        if (!pad_presented(old, old_len, p->pin_min, p->pin_max, p->pin_stored, p->pad_char, o)) {
                r->sw = 0x6700;
                return;
        }
        memset(n, p->pad_char, CARD_PIN_MAX);
        memcpy(n, new, new_len);
        memset(n + p->pin_stored, 0, CARD_PIN_MAX - p->pin_stored);
        if (!new_pin_ok(n, p->pin_stored, p)) {
                r->sw = 0x6a80;
                return;
        }
        if (!same(o, c->st.pin, p->pin_stored)) {
                r->sw = pin_wrong(c);
                return;
        }
        memcpy(c->st.pin, n, CARD_PIN_MAX);
        c->st.pin_tries = p->pin_tries;
        c->pin_verified = true;
        r->sw = pin_save(c, 0x9000);
}

/* P1=02 (new PIN) and P1=03 (counter only) need the grant of an EXTERNAL
 * AUTHENTICATE with the admin key just before; the caller has consumed
 * the grant already, so a refused command costs it as well. */
static void reset_by_admin(Card *c, const Apdu *a, bool granted, Response *r) {
        const Profile *p = c->profile;
        uint8_t n[CARD_PIN_MAX] = {};

        if (!granted) {
                r->sw = 0x6982;
                return;
        }
        if (a->p1 == 0x02) {
                if (a->lc != p->pin_stored) {
                        r->sw = 0x6700;
                        return;
                }
                memcpy(n, a->data, p->pin_stored);
                memset(n + p->pin_stored, 0, CARD_PIN_MAX - p->pin_stored);
                if (!new_pin_ok(n, p->pin_stored, p)) {
                        explicit_bzero(n, sizeof n);
                        r->sw = 0x6a80;
                        return;
                }
        } else if (a->lc != 0) {
                r->sw = 0x6700;
                return;
        }
        if (card_dead(c)) {
                explicit_bzero(n, sizeof n);
                r->sw = 0x6983;
                return;
        }
        if (a->p1 == 0x02)
                memcpy(c->st.pin, n, CARD_PIN_MAX);
        explicit_bzero(n, sizeof n);
        c->st.pin_tries = p->pin_tries;
        c->pin_verified = false;
        r->sw = pin_save(c, 0x9000);
}

void pin_reset_retry_counter(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        uint8_t k[CARD_PIN_MAX], n[CARD_PIN_MAX];
        const uint8_t *new = NULL;
        bool granted = c->admin_granted;

        c->admin_granted = false;       /* one RESET RETRY COUNTER, even a failed one */
        if (a->p1 == 0x00 || a->p1 == 0x01)
                c->puk_uses++;          /* P1 00 and 01 present the PUK */
        if (a->p2 != PIN_REF_USER) {
                r->sw = 0x6a88;
                return;
        }
        switch (a->p1) {
        case 0x00:
                if (a->lc != p->puk_stored + p->pin_stored) {
                        r->sw = 0x6700;
                        return;
                }
                new = a->data + p->puk_stored;
                break;
        case 0x01:
                if (a->lc != p->puk_stored) {
                        r->sw = 0x6700;
                        return;
                }
                break;
        case 0x02:
        case 0x03:
                reset_by_admin(c, a, granted, r);
                return;
        default:
                r->sw = 0x6a86;
                return;
        }
        if (card_dead(c)) {
                r->sw = 0x6983;
                return;
        }
        if (new) {
                memcpy(n, new, p->pin_stored);
                memset(n + p->pin_stored, 0, CARD_PIN_MAX - p->pin_stored);
                if (!new_pin_ok(n, p->pin_stored, p)) {
                        r->sw = 0x6a80;
                        return;
                }
        }
        if (!pad_presented(a->data, p->puk_stored, p->puk_min, p->puk_max, p->puk_stored, p->pad_char, k)) {
                r->sw = 0x6700;
                return;
        }
        c->pin_verified = false;
        if (!same(k, c->st.puk, p->puk_stored)) {
                c->st.puk_tries--;
                r->sw = pin_save(c, 0x63c0 | c->st.puk_tries);
                return;
        }
        c->st.puk_tries = p->puk_tries;
        c->st.pin_tries = p->pin_tries;
        if (new)
                memcpy(c->st.pin, n, CARD_PIN_MAX);
        r->sw = pin_save(c, 0x9000);
}
