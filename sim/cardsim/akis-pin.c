/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AKİS PIN commands, per version, as akis.md's table gives them (and only
 * those; akis.c refuses the rest):
 *
 *   v1.0  VERIFY 00 20 00 80; change 00 24 02 00 len||old||len||new;
 *         blocked 6984; tries in the FCI tag 90 of DF 3D00; logout 80 1A.
 *   1.2   VERIFY 00 20 00 81 <PIN>; change 00 24 00 81 len||old||len||new;
 *         blocked 6984; no tries read.
 *   2.x   VERIFY 00 20 00 81 <PIN>; change 00 24 00 81 old||new; blocked
 *         6983; tries by the SDO header read 00 CB 3F FF.
 *
 * The issuer's commands have their real effect and are recorded (akis.c):
 * a PUK reference (82; v1.0's PUK/SO reference 00 and its change 00 24 01)
 * spends a PUK try when wrong, and the card is dead once the PUK has none
 * left (every PIN command answers the blocked SW); the system PIN 00 20 00
 * 01 spends a system-PIN try when wrong; 00 24 01 81 sets the PIN only
 * after the system PIN (else 6982); 00 2C 00 81 with a PUK unblocks; 00 2C
 * 02 81 sets the PIN after the system PIN (and on 2.x after the PUK).
 * An empty VERIFY is never a free query on AKİS: the record establishes
 * it on no version, so it costs a try like a wrong PIN.
 *
 * PINs are ASCII and unpadded (MA3's classes send them so): the presented
 * bytes are compared with the stored value as they are, so a padded PIN
 * is a wrong PIN and costs a try. A badly formed command (lengths) costs
 * nothing; nor does, in the holder's own change, a new PIN that is not
 * min..max digits (checked before the old one). The PUK commands check
 * the PUK first: a wrong PUK always costs its try. The user PIN and
 * the 1.2/2.x PUK are DF-specific (bit 80): found only while the PKCS-15
 * DF 3D00 is the current DF (else 6A88, nothing spent). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cardsim.h"

#define REF_SYSTEM 0x01         /* 1.2/2.x: the system PIN at MF level */

static uint16_t blocked_sw(const Card *c) {
        return c->profile->flavour == FLAVOUR_AKIS2 ? 0x6983 : 0x6984;
}

static bool dead(const Card *c) {
        return c->st.puk_tries == 0;
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n) {
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= a[i] ^ b[i];
        return d == 0;
}

/* The presented bytes against a stored value padded to `stored`. */
static bool matches(const uint8_t *v, size_t n, const uint8_t *stored_value, unsigned stored, uint8_t pad) {
        size_t u = pin_unpadded_len(stored_value, stored, pad);
        return n == u && same(v, stored_value, n);
}

/* A new value: min..max ASCII digits. */
static bool new_ok(const uint8_t *v, size_t n, unsigned min, unsigned max) {
        if (n < min || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (v[i] < '0' || v[i] > '9')
                        return false;
        return true;
}

static void store(uint8_t dst[CARD_PIN_MAX], const uint8_t *v, size_t n, unsigned stored, uint8_t pad) {
        memset(dst, 0, CARD_PIN_MAX);
        memset(dst, pad, stored);
        memcpy(dst, v, n);
}

static uint16_t puk_wrong(Card *c) {
        c->puk_verified = false;
        if (c->st.puk_tries > 0)
                c->st.puk_tries--;
        return pin_save(c, 0x63c0 | c->st.puk_tries);
}

static bool puk_local(const Card *c) {
        return c->profile->flavour != FLAVOUR_AKIS10;
}

/* Splits len||old||len||new (v1.0 and the 1.2 set); false if malformed. */
static bool split_prefixed(const Apdu *a, const uint8_t **old, size_t *old_len, const uint8_t **new,
                           size_t *new_len) {
        if (a->lc < 4)
                return false;
        size_t lo = a->data[0];
        if (lo == 0 || lo + 3 > a->lc)
                return false;
        size_t ln = a->data[lo + 1];
        if (ln == 0 || lo + ln + 2 != a->lc)
                return false;
        *old = a->data + 1;
        *old_len = lo;
        *new = a->data + lo + 2;
        *new_len = ln;
        return true;
}

/* Splits ISO's old||new (the 2.x set): the card knows how long its stored
 * value is, so the old value is that many bytes and the new one the rest
 * (a choice: the record does not say how the card tells them apart). */
static bool split_by_stored(const Apdu *a, const uint8_t *stored_value, unsigned stored, uint8_t pad,
                            const uint8_t **old, size_t *old_len, const uint8_t **new, size_t *new_len) {
        size_t u = pin_unpadded_len(stored_value, stored, pad);
        if (a->lc <= u)
                return false;
        *old = a->data;
        *old_len = u;
        *new = a->data + u;
        *new_len = a->lc - u;
        return true;
}

static bool split(const Card *c, const Apdu *a, bool puk, const uint8_t **old, size_t *old_len,
                  const uint8_t **new, size_t *new_len) {
        const Profile *p = c->profile;
        if (p->flavour != FLAVOUR_AKIS2)
                return split_prefixed(a, old, old_len, new, new_len);
        return split_by_stored(a, puk ? c->st.puk : c->st.pin, puk ? p->puk_stored : p->pin_stored,
                               p->pad_char, old, old_len, new, new_len);
}

/* ---- VERIFY ---- */

static void verify_user(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;

        if (a->lc == 0)
                akis_record_apdu(c, a, "empty-verify");
        if (!akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        if (dead(c) || c->st.pin_tries == 0) {
                r->sw = blocked_sw(c);
                return;
        }
        if (a->lc > CARD_PIN_MAX) {
                r->sw = 0x6700;
                return;
        }
        if (a->lc > 0 && matches(a->data, a->lc, c->st.pin, p->pin_stored, p->pad_char))
                r->sw = pin_right(c);
        else
                r->sw = pin_wrong(c);
}

/* A PUK command: recorded (it is the issuer's), then refused where the
 * PUK is not (another DF, a dead card). false when r is the answer. */
static bool puk_command(Card *c, const Apdu *a, const char *reason, Response *r) {
        c->puk_uses++;
        akis_record_apdu(c, a, reason);
        if (puk_local(c) && !akis_in_app(c)) {
                r->sw = 0x6a88;
                return false;
        }
        if (dead(c)) {
                r->sw = blocked_sw(c);
                return false;
        }
        return true;
}

static void verify_puk(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;

        if (!puk_command(c, a, "puk-verify", r))
                return;
        if (a->lc > CARD_PIN_MAX) {
                r->sw = 0x6700;
                return;
        }
        if (a->lc == 0 || !matches(a->data, a->lc, c->st.puk, p->puk_stored, p->pad_char)) {
                r->sw = puk_wrong(c);
                return;
        }
        bool changed = c->st.puk_tries != p->puk_tries;
        c->st.puk_tries = p->puk_tries;
        c->puk_verified = true;
        r->sw = changed ? pin_save(c, 0x9000) : 0x9000;
}

static void verify_system(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        size_t n = strlen(p->system_pin);

        akis_record_apdu(c, a, "system-pin-verify");
        if (dead(c) || c->st.system_tries == 0) {
                r->sw = blocked_sw(c);
                return;
        }
        if (a->lc > CARD_PIN_MAX) {
                r->sw = 0x6700;
                return;
        }
        if (a->lc != n || !same(a->data, (const uint8_t *) p->system_pin, n)) {
                c->system_verified = false;
                if (c->st.system_tries > 0)
                        c->st.system_tries--;
                r->sw = pin_save(c, 0x63c0 | c->st.system_tries);
                return;
        }
        bool changed = c->st.system_tries != p->system_tries;
        c->st.system_tries = p->system_tries;
        c->system_verified = true;
        r->sw = changed ? pin_save(c, 0x9000) : 0x9000;
}

void akis_verify(Card *c, const Apdu *a, Response *r) {
        CardFlavour f = c->profile->flavour;

        if (a->p1 != 0x00)
                akis_refuse(c, a, r, 0x6a86);
        else if (a->p2 == akis_pin_ref(f))
                verify_user(c, a, r);
        else if (a->p2 == akis_puk_ref(f))
                verify_puk(c, a, r);
        else if (a->p2 == REF_SYSTEM && f != FLAVOUR_AKIS10)
                verify_system(c, a, r);
        else
                akis_refuse(c, a, r, 0x6a88);
}

/* ---- CHANGE REFERENCE DATA ---- */

/* The holder's own change: old and new, the old one checked. */
static void change_own(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        const uint8_t *old, *new;
        size_t old_len, new_len;

        if (!akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        if (dead(c) || c->st.pin_tries == 0) {
                r->sw = blocked_sw(c);
                return;
        }
        if (!split(c, a, false, &old, &old_len, &new, &new_len)) {
                r->sw = 0x6700;
                return;
        }
        if (!new_ok(new, new_len, p->pin_min, p->pin_max)) {
                r->sw = 0x6a80;
                return;
        }
        if (!matches(old, old_len, c->st.pin, p->pin_stored, p->pad_char)) {
                r->sw = pin_wrong(c);
                return;
        }
        store(c->st.pin, new, new_len, p->pin_stored, p->pad_char);
        c->st.pin_tries = p->pin_tries;
        c->pin_verified = true;
        r->sw = pin_save(c, 0x9000);
}

/* The PUK's change with the old PUK: v1.0's PUK/SO change 00 24 01, and
 * 00 24 00 82 on 1.2/2.x (in their change formats). A wrong old PUK
 * spends a PUK try. */
static void change_puk(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        const uint8_t *old, *new;
        size_t old_len, new_len;

        if (!puk_command(c, a, "puk-change", r))
                return;
        if (!split(c, a, true, &old, &old_len, &new, &new_len)) {
                r->sw = 0x6700;
                return;
        }
        if (!matches(old, old_len, c->st.puk, p->puk_stored, p->pad_char)) {
                r->sw = puk_wrong(c);
                return;
        }
        if (!new_ok(new, new_len, p->puk_min, p->puk_max)) {
                r->sw = 0x6a80;
                return;
        }
        store(c->st.puk, new, new_len, p->puk_stored, p->pad_char);
        c->st.puk_tries = p->puk_tries;
        r->sw = pin_save(c, 0x9000);
}

/* The issuer's "set to this value", 00 24 01 81 (the PIN) or 00 24 01 82
 * (the PUK) with the new value alone: only after the system PIN. A
 * blocked PIN answers the blocked SW (MA3's 1.2 class then goes on with
 * 00 2C 02 81). */
static void issuer_set(Card *c, const Apdu *a, bool puk, Response *r) {
        const Profile *p = c->profile;

        if (!c->system_verified) {
                akis_record_apdu(c, a, puk ? "set-puk-without-system-pin" : "set-pin-without-system-pin");
                r->sw = 0x6982;
                return;
        }
        akis_record_apdu(c, a, puk ? "set-puk" : "set-pin");
        if (!akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        if (dead(c) || (!puk && c->st.pin_tries == 0)) {
                r->sw = blocked_sw(c);
                return;
        }
        if (!new_ok(a->data, a->lc, puk ? p->puk_min : p->pin_min, puk ? p->puk_max : p->pin_max)) {
                r->sw = a->lc == 0 ? 0x6700 : 0x6a80;
                return;
        }
        if (puk) {
                store(c->st.puk, a->data, a->lc, p->puk_stored, p->pad_char);
                c->st.puk_tries = p->puk_tries;
        } else {
                store(c->st.pin, a->data, a->lc, p->pin_stored, p->pad_char);
                c->st.pin_tries = p->pin_tries;
                c->pin_verified = false;
        }
        r->sw = pin_save(c, 0x9000);
}

void akis_change(Card *c, const Apdu *a, Response *r) {
        CardFlavour f = c->profile->flavour;
        uint8_t pin = akis_pin_ref(f), puk = akis_puk_ref(f);

        if (f == FLAVOUR_AKIS10) {
                /* P1=02 with ref & 7F: the own change; P1=01 is the PUK/SO
                 * change, whatever P2 (the record names P1 only). */
                if (a->p1 == 0x02 && a->p2 == (pin & 0x7f))
                        change_own(c, a, r);
                else if (a->p1 == 0x02)
                        akis_refuse(c, a, r, 0x6a88);
                else if (a->p1 == 0x01)
                        change_puk(c, a, r);
                else
                        akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (a->p1 == 0x00 && a->p2 == pin)
                change_own(c, a, r);
        else if (a->p1 == 0x00 && a->p2 == puk)
                change_puk(c, a, r);
        else if (a->p1 == 0x01 && (a->p2 == pin || a->p2 == puk))
                issuer_set(c, a, a->p2 == puk, r);
        else if (a->p1 == 0x00 || a->p1 == 0x01)
                akis_refuse(c, a, r, 0x6a88);
        else
                akis_refuse(c, a, r, 0x6a86);
}

/* ---- RESET RETRY COUNTER (1.2 and 2.x) ---- */

/* With the PUK: P1=00 PUK and new PIN (1.2: len||PUK||len||new; 2.x:
 * PUK||new, split by the stored PUK's length), P1=01 the PUK alone (2.x,
 * ISO). A wrong PUK spends a PUK try. */
static void unblock_with_puk(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        const uint8_t *k = a->data, *new = NULL;
        size_t k_len = a->lc, new_len = 0;

        c->puk_uses++;
        akis_record_apdu(c, a, "reset-retry-counter-with-puk");
        if (!akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        if (dead(c)) {
                r->sw = blocked_sw(c);
                return;
        }
        if (a->p1 == 0x00 && !split(c, a, true, &k, &k_len, &new, &new_len)) {
                r->sw = 0x6700;
                return;
        }
        if (k_len == 0 || k_len > CARD_PIN_MAX) {
                r->sw = 0x6700;
                return;
        }
        if (!matches(k, k_len, c->st.puk, p->puk_stored, p->pad_char)) {
                r->sw = puk_wrong(c);
                return;
        }
        if (new && !new_ok(new, new_len, p->pin_min, p->pin_max)) {
                r->sw = 0x6a80;
                return;
        }
        c->st.puk_tries = p->puk_tries;
        c->st.pin_tries = p->pin_tries;
        c->pin_verified = false;
        if (new)
                store(c->st.pin, new, new_len, p->pin_stored, p->pad_char);
        r->sw = pin_save(c, 0x9000);
}

/* P1=02 with the new PIN: after the system PIN (1.2: MA3's flow after
 * 00 24 01 81 answered 6984), or after the PUK verified (2.x: 00 20 00 82
 * then 00 2C 02 81). */
static void reset_with_new(Card *c, const Apdu *a, Response *r) {
        const Profile *p = c->profile;
        bool v2 = p->flavour == FLAVOUR_AKIS2;

        if (!c->system_verified && !(v2 && c->puk_verified)) {
                akis_record_apdu(c, a, v2 ? "reset-retry-counter-without-puk"
                                          : "reset-retry-counter-without-system-pin");
                r->sw = 0x6982;
                return;
        }
        akis_record_apdu(c, a, "reset-retry-counter");
        if (!akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        if (dead(c)) {
                r->sw = blocked_sw(c);
                return;
        }
        if (!new_ok(a->data, a->lc, p->pin_min, p->pin_max)) {
                r->sw = a->lc == 0 ? 0x6700 : 0x6a80;
                return;
        }
        store(c->st.pin, a->data, a->lc, p->pin_stored, p->pad_char);
        c->st.pin_tries = p->pin_tries;
        c->pin_verified = false;
        r->sw = pin_save(c, 0x9000);
}

void akis_reset_retry_counter(Card *c, const Apdu *a, Response *r) {
        bool v2 = c->profile->flavour == FLAVOUR_AKIS2;

        if (a->p1 != 0x00 && a->p1 != 0x02 && !(v2 && a->p1 == 0x01))
                akis_refuse(c, a, r, 0x6a86);
        else if (a->p2 != akis_pin_ref(c->profile->flavour))
                akis_refuse(c, a, r, 0x6a88);
        else if (a->p1 == 0x02)
                reset_with_new(c, a, r);
        else
                unblock_with_puk(c, a, r);
}

/* ---- tries ---- */

/* 2.x: the SDO header read 00 CB 3F FF 08 4D 06 BF 81 01 02 A0 80 (00):
 * the header list (tag 4D) asks for object BF <type 81 = PIN> <id 01>
 * with its key header A0. The answer: BF 81 01 L { A0 L { 9A 01 max,
 * 9B 01 left } } (MA3's Tags.h: MaxTryCount 9A, RemTryCount 9B). The PIN
 * type byte 81 is inferred (akis.md). Another object: 6A88. */
void akis_read_header(Card *c, const Apdu *a, Response *r) {
        static const uint8_t want[] = { 0x4d, 0x06, 0xbf, 0x81, 0x01, 0x02, 0xa0, 0x80 };

        if (a->p1 != 0x3f || a->p2 != 0xff) {
                akis_refuse(c, a, r, 0x6a86);
                return;
        }
        if (a->lc != sizeof want || a->data[0] != 0x4d || a->data[1] != 0x06 || a->data[2] != 0xbf ||
            a->data[5] != 0x02 || a->data[6] != 0xa0) {
                r->sw = 0x6a80;
                return;
        }
        if (memcmp(a->data, want, sizeof want) != 0 || !akis_in_app(c)) {
                r->sw = 0x6a88;
                return;
        }
        const uint8_t hdr[] = {
                0xbf, 0x81, 0x01, 0x08,
                0xa0, 0x06,
                0x9a, 0x01, c->profile->pin_tries,
                0x9b, 0x01, c->st.pin_tries,
        };
        memcpy(r->data, hdr, sizeof hdr);
        r->len = sizeof hdr;
        r->sw = 0x9000;
}

/* v1.0's FCI tag 90 bits for the user PIN (OpenSC's comment: 40 "wrong
 * PIN entered once", 80 "last try for PIN"): none with every try left,
 * 40 after wrong ones, 80 with one left. A locked PIN (or a dead card)
 * shows both, 40|80: the record does not say, and a locked PIN must not
 * look like a healthy one (no bit). */
uint8_t akis_tries_bits(const Card *c) {
        unsigned left = c->st.pin_tries;

        if (dead(c) || left == 0)
                return 0xc0;
        if (left >= c->profile->pin_tries)
                return 0x00;
        return left == 1 ? 0x80 : 0x40;
}

void akis_logout(Card *c) {
        c->pin_verified = false;
        c->puk_verified = false;
        c->system_verified = false;
}
