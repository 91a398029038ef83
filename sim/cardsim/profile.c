/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The card profile: an INI file (keys documented in default.profile). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-key.h"
#include "cardsim.h"
#include "macro.h"

typedef struct ParseCtx {
        Profile *p;
        char error[256];
} ParseCtx;

Profile *profile_free(Profile *p) {
        if (!p)
                return NULL;
        free(p->file);
        free(p->dir);
        free(p->label);
        free(p->manufacturer);
        free(p->akis_serial);
        free(p->pin);
        free(p->puk);
        free(p->system_pin);
        free(p->pin_label);
        free(p->puk_label);
        explicit_bzero(p->admin_master, sizeof p->admin_master);
        explicit_bzero(p->admin_key, sizeof p->admin_key);
        for (size_t i = 0; i < p->n_certs; i++) {
                free(p->certs[i].name);
                free(p->certs[i].path);
                free(p->certs[i].label);
        }
        free(p);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Profile *, profile_free);

int parse_hex(const char *s, uint8_t *out, size_t max, size_t *ret_len) {
        size_t n = 0;
        int hi = -1;

        for (; *s; s++) {
                if (*s == ' ' || *s == ':')
                        continue;
                if (!isxdigit((unsigned char) *s))
                        return -EINVAL;
                int v = isdigit((unsigned char) *s) ? *s - '0' : (tolower((unsigned char) *s) - 'a' + 10);
                if (hi < 0) {
                        hi = v;
                        continue;
                }
                if (n >= max)
                        return -E2BIG;
                out[n++] = hi << 4 | v;
                hi = -1;
        }
        if (hi >= 0)
                return -EINVAL;
        *ret_len = n;
        return 0;
}

static int parse_bool(const char *v, bool *ret) {
        if (streq(v, "true") || streq(v, "yes") || streq(v, "1"))
                *ret = true;
        else if (streq(v, "false") || streq(v, "no") || streq(v, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

static int parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long u = strtoul(v, &end, 10);
        if (errno || end == v || *end || u < lo || u > hi || *v == '-')
                return -EINVAL;
        *ret = u;
        return 0;
}

static int set_str(char **dst, const char *v) {
        char *s = strdup(v);
        if (!s)
                return -ENOMEM;
        free(*dst);
        *dst = s;
        return 0;
}

/* An ATR is accepted only with a correct TCK when one is required (any
 * protocol other than T=0 indicated), so a typo cannot reach pcscd. */
static int atr_check(const uint8_t *atr, size_t n) {
        if (n < 2 || (atr[0] != 0x3b && atr[0] != 0x3f))
                return -EINVAL;
        size_t i = 1;
        uint8_t y = atr[1] >> 4;
        size_t k = atr[1] & 0x0f;
        bool need_tck = false;
        int level = 1;

        while (true) {
                size_t td = 0;
                bool has_td = y & 0x8;
                for (int b = 0; b < 4; b++)
                        if (y & (1 << b)) {
                                i++;
                                if (b == 3)
                                        td = i;
                        }
                if (i >= n)
                        return -EINVAL;
                if (!has_td)
                        break;
                if ((atr[td] & 0x0f) != 0)
                        need_tck = true;
                y = atr[td] >> 4;
                if (++level > 8)
                        return -EINVAL;
        }
        size_t expect = i + 1 + k + (need_tck ? 1 : 0);
        if (n != expect)
                return -EINVAL;
        if (need_tck) {
                uint8_t x = 0;
                for (size_t j = 1; j < n; j++)
                        x ^= atr[j];
                if (x != 0)
                        return -EBADMSG;
        }
        return 0;
}

const char *flavour_name(CardFlavour f) {
        switch (f) {
        case FLAVOUR_PKCS15: return "pkcs15";
        case FLAVOUR_AKIS10: return "akis-1.0";
        case FLAVOUR_AKIS12: return "akis-1.2";
        case FLAVOUR_AKIS2:  return "akis-2";
        case FLAVOUR_AKIS3:  return "akis-3";
        }
        return "?";
}

/* The flavour's ATR when the profile gives none. The AKİS ones are real
 * ATRs from the record (akis.md, "Recognising an AKİS card"), except v3's. */
static void default_atr(Profile *p) {
        static const char *const atrs[] = {
                /* "KARTSIM" in the historical bytes; TCK computed below */
                [FLAVOUR_PKCS15] = "3B8B800180574B41525453494D31C000",
                /* OpenSC's v1.0 ATR, "UEKAE V1.0" */
                [FLAVOUR_AKIS10] = "3BBA11008131FE4D55454B41452056312E30AE",
                /* "UEKAE" 12 93: v1.2.2 NXP */
                [FLAVOUR_AKIS12] = "3B9F968131FE45806755454B41451293318073B3A1806B",
                /* 2.2.8 Infineon */
                [FLAVOUR_AKIS2] = "3B9F978131FE4580655443D2210831C073F6218081055B",
                /* v3 "SAHA": constructed from MA3's pattern for the
                 * historical bytes, 8066683209......31958105 (matched whole,
                 * so 12 bytes: T0 = 9C), with 30 00 00 for the dots and the
                 * interface bytes of the 2.x ATRs; not seen on a card. */
                [FLAVOUR_AKIS3] = "3B9C978131FE45806668320930000031958105AF",
        };
        size_t n;

        if (parse_hex(atrs[p->flavour], p->atr, sizeof p->atr, &n) < 0)
                return;
        p->atr_len = n;
        if (p->flavour == FLAVOUR_PKCS15) {
                uint8_t x = 0;
                for (size_t i = 1; i < n - 1; i++)
                        x ^= p->atr[i];
                p->atr[n - 1] = x;
        }
}

static ProfileCert *cert_get(Profile *p, const char *name, size_t name_len) {
        for (size_t i = 0; i < p->n_certs; i++)
                if (strlen(p->certs[i].name) == name_len && strncmp(p->certs[i].name, name, name_len) == 0)
                        return &p->certs[i];
        if (p->n_certs >= CARD_MAX_CERTS)
                return NULL;
        ProfileCert *c = &p->certs[p->n_certs];
        c->name = strndup(name, name_len);
        if (!c->name)
                return NULL;
        p->n_certs++;
        return c;
}

static int handle_cert(ParseCtx *ctx, const char *name, const char *value) {
        Profile *p = ctx->p;
        const char *dot = strchr(name, '.');
        size_t base = dot ? (size_t) (dot - name) : strlen(name);

        if (base == 0) {
                snprintf(ctx->error, sizeof ctx->error, "empty certificate name");
                return 0;
        }
        ProfileCert *c = cert_get(p, name, base);
        if (!c) {
                snprintf(ctx->error, sizeof ctx->error, "too many certificates (at most %d)", CARD_MAX_CERTS);
                return 0;
        }
        if (!dot)
                return set_str(&c->path, value) >= 0;
        if (streq(dot + 1, "label"))
                return set_str(&c->label, value) >= 0;
        if (streq(dot + 1, "id")) {
                if (parse_hex(value, c->id, sizeof c->id, &c->id_len) < 0 || c->id_len == 0) {
                        snprintf(ctx->error, sizeof ctx->error, "bad hex id '%s'", value);
                        return 0;
                }
                return 1;
        }
        snprintf(ctx->error, sizeof ctx->error, "unknown certificate attribute '%s'", name);
        return 0;
}

static int handle_card(ParseCtx *ctx, const char *name, const char *value) {
        Profile *p = ctx->p;
        bool b;

        if (streq(name, "profile")) {
                static const CardFlavour all[] = {
                        FLAVOUR_PKCS15, FLAVOUR_AKIS10, FLAVOUR_AKIS12, FLAVOUR_AKIS2, FLAVOUR_AKIS3,
                };
                for (size_t i = 0; i < ELEMENTSOF(all); i++)
                        if (streq(value, flavour_name(all[i]))) {
                                p->flavour = all[i];
                                return 1;
                        }
                snprintf(ctx->error, sizeof ctx->error,
                         "unknown profile '%s' (pkcs15, akis-1.0, akis-1.2, akis-2 or akis-3)", value);
                return 0;
        } else if (streq(name, "atr")) {
                if (parse_hex(value, p->atr, sizeof p->atr, &p->atr_len) < 0)
                        goto bad;
                int r = atr_check(p->atr, p->atr_len);
                if (r == -EBADMSG) {
                        snprintf(ctx->error, sizeof ctx->error, "ATR checksum (TCK) is wrong");
                        return 0;
                }
                if (r < 0) {
                        snprintf(ctx->error, sizeof ctx->error, "ATR is malformed (length does not match T0/TDi)");
                        return 0;
                }
        } else if (streq(name, "serial")) {
                if (streq(value, "none"))
                        p->serial_len = 0;      /* a TokenInfo without serialNumber */
                else if (parse_hex(value, p->serial, sizeof p->serial, &p->serial_len) < 0 || p->serial_len == 0)
                        goto bad;
        } else if (streq(name, "label"))
                return set_str(&p->label, value) >= 0;
        else if (streq(name, "manufacturer"))
                return set_str(&p->manufacturer, value) >= 0;
        else if (streq(name, "akis_serial")) {
                if (strlen(value) != 12)
                        goto bad;
                return set_str(&p->akis_serial, value) >= 0;
        } else if (streq(name, "t0")) {
                if (parse_bool(value, &p->t0) < 0)
                        goto bad;
        } else if (streq(name, "extended_apdu")) {
                if (parse_bool(value, &b) < 0)
                        goto bad;
                p->extended_apdu = b;
        } else if (streq(name, "max_response")) {
                unsigned u;
                if (parse_uint(value, 16, 65536, &u) < 0)
                        goto bad;
                p->max_response = u;
        } else {
                snprintf(ctx->error, sizeof ctx->error, "unknown key '%s' in [card]", name);
                return 0;
        }
        return 1;
bad:
        snprintf(ctx->error, sizeof ctx->error, "bad value '%s' for %s", value, name);
        return 0;
}

static int handle_pin(ParseCtx *ctx, const char *name, const char *value) {
        Profile *p = ctx->p;
        static const struct {
                const char *name;
                size_t offset;
                unsigned lo, hi;
        } nums[] = {
                { "min", offsetof(Profile, pin_min), 1, CARD_PIN_MAX },
                { "stored", offsetof(Profile, pin_stored), 1, CARD_PIN_MAX },
                { "max", offsetof(Profile, pin_max), 1, CARD_PIN_MAX },
                { "puk_min", offsetof(Profile, puk_min), 1, CARD_PIN_MAX },
                { "puk_stored", offsetof(Profile, puk_stored), 1, CARD_PIN_MAX },
                { "puk_max", offsetof(Profile, puk_max), 1, CARD_PIN_MAX },
                { "tries", offsetof(Profile, pin_tries), 1, 15 },
                { "puk_tries", offsetof(Profile, puk_tries), 1, 15 },
                { "system_tries", offsetof(Profile, system_tries), 1, 15 },
        };

        for (size_t i = 0; i < ELEMENTSOF(nums); i++)
                if (streq(name, nums[i].name)) {
                        if (parse_uint(value, nums[i].lo, nums[i].hi, (unsigned *) ((char *) p + nums[i].offset)) < 0)
                                goto bad;
                        return 1;
                }
        if (streq(name, "pin"))
                return set_str(&p->pin, value) >= 0;
        if (streq(name, "puk"))
                return set_str(&p->puk, value) >= 0;
        if (streq(name, "system_pin")) {
                if (strlen(value) < 1 || strlen(value) > CARD_PIN_MAX)
                        goto bad;
                return set_str(&p->system_pin, value) >= 0;
        }
        if (streq(name, "label"))
                return set_str(&p->pin_label, value) >= 0;
        if (streq(name, "puk_label"))
                return set_str(&p->puk_label, value) >= 0;
        if (streq(name, "pad")) {
                size_t n;
                if (parse_hex(value, &p->pad_char, 1, &n) < 0 || n != 1)
                        goto bad;
                return 1;
        }
        if (streq(name, "empty_verify_decrements")) {
                if (parse_bool(value, &p->empty_verify_decrements) < 0)
                        goto bad;
                return 1;
        }
        snprintf(ctx->error, sizeof ctx->error, "unknown key '%s' in [pin]", name);
        return 0;
bad:
        snprintf(ctx->error, sizeof ctx->error, "bad value '%s' for %s", value, name);
        return 0;
}

static int parse_byte(const char *v, uint8_t *ret) {
        size_t n;
        return parse_hex(v, ret, 1, &n) < 0 || n != 1 ? -EINVAL : 0;
}

static int handle_admin(ParseCtx *ctx, const char *name, const char *value) {
        Profile *p = ctx->p;
        size_t n;

        if (streq(name, "master") || streq(name, "key")) {
                bool master = name[0] == 'm';
                if (parse_hex(value, master ? p->admin_master : p->admin_key, CARD_ADMIN_KEY_LEN, &n) < 0 ||
                    n != CARD_ADMIN_KEY_LEN) {
                        snprintf(ctx->error, sizeof ctx->error, "%s must be %d bytes of hex", name,
                                 CARD_ADMIN_KEY_LEN);
                        return 0;
                }
                *(master ? &p->admin_has_master : &p->admin_has_key) = true;
        } else if (streq(name, "key_ref")) {
                if (parse_byte(value, &p->admin_key_ref) < 0)
                        goto bad;
        } else if (streq(name, "key_version")) {
                if (parse_byte(value, &p->admin_key_version) < 0)
                        goto bad;
        } else if (streq(name, "tries")) {
                if (parse_uint(value, 1, 15, &p->admin_tries) < 0)
                        goto bad;
        } else {
                snprintf(ctx->error, sizeof ctx->error, "unknown key '%s' in [admin]", name);
                return 0;
        }
        return 1;
bad:
        snprintf(ctx->error, sizeof ctx->error, "bad value '%s' for %s", value, name);
        return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
        ParseCtx *ctx = user;
        int ok;

        if (ctx->error[0])      /* keep the first error; inih goes on */
                return 0;
        if (!name) {            /* a section header alone */
                if (streq(section, "card") || streq(section, "pin") || streq(section, "admin") ||
                    streq(section, "certificates"))
                        return 1;
                snprintf(ctx->error, sizeof ctx->error, "unknown section [%s]", section);
                return 0;
        }
        if (streq(section, "card"))
                ok = handle_card(ctx, name, value);
        else if (streq(section, "pin"))
                ok = handle_pin(ctx, name, value);
        else if (streq(section, "admin"))
                ok = handle_admin(ctx, name, value);
        else if (streq(section, "certificates"))
                ok = handle_cert(ctx, name, value);
        else {
                snprintf(ctx->error, sizeof ctx->error, "unknown section [%s]", section);
                return 0;
        }
        if (!ok && !ctx->error[0])
                snprintf(ctx->error, sizeof ctx->error, "out of memory");
        return ok;
}

static int check(Profile *p, char *error, size_t size) {
        if (p->pin_min > p->pin_max || p->pin_max > p->pin_stored) {
                snprintf(error, size, "[pin] needs min <= max <= stored");
                return -EINVAL;
        }
        if (p->puk_min > p->puk_max || p->puk_max > p->puk_stored) {
                snprintf(error, size, "[pin] needs puk_min <= puk_max <= puk_stored");
                return -EINVAL;
        }
        size_t l = strlen(p->pin);
        if (l < p->pin_min || l > p->pin_max) {
                snprintf(error, size, "[pin] pin length %zu is outside %u..%u", l, p->pin_min, p->pin_max);
                return -EINVAL;
        }
        l = strlen(p->puk);
        if (l < p->puk_min || l > p->puk_max) {
                snprintf(error, size, "[pin] puk length %zu is outside %u..%u", l, p->puk_min, p->puk_max);
                return -EINVAL;
        }
        if (p->atr_len == 0)
                default_atr(p);
        if (flavour_is_akis(p->flavour) && (p->admin_has_master || p->admin_has_key)) {
                snprintf(error, size, "[admin] is for the pkcs15 profile: AKİS cards have no admin key here");
                return -EINVAL;
        }
        if (p->admin_has_master && p->admin_has_key) {
                snprintf(error, size, "[admin] takes master or key, not both");
                return -EINVAL;
        }
        if (p->admin_has_master && p->serial_len == 0) {
                /* Nothing to derive the card's key from (a test card
                 * without a serial): the card has no admin key then. */
                fprintf(stderr, "%s: [admin] master without a [card] serial: no admin key\n", p->file);
                p->admin_has_master = false;
        }
        if (p->admin_has_master) {
                if (admin_key_derive(p->admin_master, p->serial, p->serial_len, p->admin_key_version,
                                     p->admin_key) < 0) {
                        snprintf(error, size, "[admin] cannot derive the card's key");
                        return -EIO;
                }
        }
        p->admin = p->admin_has_master || p->admin_has_key;
        if (!p->admin)
                p->admin_tries = 0;     /* no key, nothing to count */
        for (size_t i = 0; i < p->n_certs; i++) {
                ProfileCert *c = &p->certs[i];
                if (!c->path) {
                        snprintf(error, size, "certificate '%s' has no path", c->name);
                        return -EINVAL;
                }
                if (c->id_len == 0) {
                        c->id[0] = i + 1;
                        c->id_len = 1;
                }
                if (c->path[0] != '/') {
                        char *abs;
                        if (asprintf(&abs, "%s/%s", p->dir, c->path) < 0)
                                return -ENOMEM;
                        free(c->path);
                        c->path = abs;
                }
        }
        return 0;
}

int profile_load(const char *file, Profile **ret) {
        _cleanup_(profile_freep) Profile *p = NULL;
        _cleanup_free_ char *copy = NULL;
        int r;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        *p = (Profile) {
                .flavour = FLAVOUR_PKCS15,
                .max_response = -1,
                .extended_apdu = -1,
                .pin_min = 6, .pin_stored = 8, .pin_max = 8,
                .puk_min = 8, .puk_stored = 8, .puk_max = 8,
                .pad_char = 0xff,
                .pin_tries = 3, .puk_tries = 3, .system_tries = 3,
                .admin_key_ref = 0x01, .admin_key_version = 0x01, .admin_tries = 10,
        };
        static const uint8_t default_serial[] = { 0x4b, 0x41, 0x52, 0x54, 0, 0, 0, 1 };
        memcpy(p->serial, default_serial, sizeof default_serial);
        p->serial_len = sizeof default_serial;

        p->file = strdup(file);
        copy = strdup(file);
        if (!p->file || !copy)
                return -ENOMEM;
        p->dir = strdup(dirname(copy));
        if (!p->dir || set_str(&p->label, "KART Test Card") < 0 ||
            set_str(&p->manufacturer, "kartd cardsim") < 0 || set_str(&p->pin, "123456") < 0 ||
            set_str(&p->puk, "12345678") < 0 || set_str(&p->system_pin, "87654321") < 0 ||
            set_str(&p->pin_label, "User PIN") < 0 ||
            set_str(&p->puk_label, "PUK") < 0)
                return -ENOMEM;

        ParseCtx ctx = { .p = p };
        r = ini_parse(file, handler, &ctx);
        if (r < 0) {
                r = r == -1 ? -errno : -ENOMEM;
                fprintf(stderr, "%s: cannot read profile: %s\n", file, strerror(-r));
                return r;
        }
        if (r > 0) {
                fprintf(stderr, "%s:%d: %s\n", file, r, ctx.error[0] ? ctx.error : "syntax error");
                return -EINVAL;
        }
        char error[256];
        r = check(p, error, sizeof error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", file, r == -ENOMEM ? "out of memory" : error);
                return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}
