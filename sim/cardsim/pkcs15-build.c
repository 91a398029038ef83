/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Builds the card's file system from the profile: MF 3F00 with EF.DIR 2F00
 * and the PKCS#15 application DF 5015 holding ODF, TokenInfo, AODF, PrKDF,
 * CDF and one transparent EF per certificate.
 *
 * AKİS flavours: the same files in DF 3D00 named ASCII "PKCS-15" (MA3's
 * CommandsV20 selectDFByName("PKCS-15"), its 1.2 PIN classes' 00 A4 01 00
 * 02 3D00), every path pointing there; PINs not padded (MA3's 1.2 class
 * sends them ASCII, unpadded); EF.DIR only on v1.0, where OpenSC's generic
 * PKCS#15 layer found the application through it (a choice: the record
 * does not say whether the later versions have one, and their drivers
 * select the DF by name). References per version in akis.c. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardsim.h"
#include "macro.h"

#define FID_DIR      0x2f00
#define FID_APP      0x5015
#define FID_ODF      0x5031
#define FID_TOKENINFO 0x5032
#define FID_AODF     0x4401
#define FID_PRKDF    0x4402
#define FID_CDF      0x4403
#define FID_CERT0    0x4411

#define AUTH_ID_PIN  0x01
#define AUTH_ID_PUK  0x02
#define PIN_REF_USER 0x81
#define PIN_REF_PUK  0x02

static const uint8_t pkcs15_aid[] = { 0xa0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35 };
static const uint8_t akis_df_name[] = { 'P', 'K', 'C', 'S', '-', '1', '5' };

/* Where the application is and how its PINs are described. */
typedef struct Layout {
        uint16_t app;                   /* the application DF's FID */
        const uint8_t *name;            /* its DF name */
        size_t name_len;
        bool dir;                       /* EF.DIR 2F00 in the MF */
        uint8_t pin_ref, puk_ref;
        bool pin_local, puk_local;      /* DF-specific references */
        bool padded;                    /* needs-padding: PINs padded to storedLength */
} Layout;

static Layout layout_of(const Profile *p) {
        if (!flavour_is_akis(p->flavour))
                return (Layout) {
                        .app = FID_APP, .name = pkcs15_aid, .name_len = sizeof pkcs15_aid, .dir = true,
                        .pin_ref = PIN_REF_USER, .puk_ref = PIN_REF_PUK,
                        .pin_local = true, .puk_local = true, .padded = true,
                };
        return (Layout) {
                .app = AKIS_FID_APP, .name = akis_df_name, .name_len = sizeof akis_df_name,
                .dir = p->flavour == FLAVOUR_AKIS10,
                .pin_ref = akis_pin_ref(p->flavour), .puk_ref = akis_puk_ref(p->flavour),
                .pin_local = true, .puk_local = p->flavour != FLAVOUR_AKIS10,
                .padded = false,
        };
}

/* What the PrKDF needs to know about a certificate's key. */
typedef struct CertInfo {
        Buf der;
        bool ec;
        int bits;
        uint32_t usage;         /* PKCS#15 KeyUsageFlags bits */
} CertInfo;

enum {
        P15_USAGE_DECRYPT = 1u << 1,
        P15_USAGE_SIGN = 1u << 2,
        P15_USAGE_UNWRAP = 1u << 5,
        P15_USAGE_DERIVE = 1u << 8,
        P15_USAGE_NONREP = 1u << 9,
};

DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

static int cert_load(const ProfileCert *pc, CertInfo *ci) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        unsigned char *der = NULL;

        f = fopen(pc->path, "re");
        if (!f) {
                int r = -errno;
                fprintf(stderr, "kart-cardsim: certificate '%s': cannot open %s: %s\n", pc->name, pc->path, strerror(-r));
                return r;
        }
        x = d2i_X509_fp(f, NULL);
        if (!x) {
                rewind(f);
                x = PEM_read_X509(f, NULL, NULL, NULL);
        }
        if (!x) {
                fprintf(stderr, "kart-cardsim: certificate '%s': %s is neither DER nor PEM X.509\n", pc->name, pc->path);
                return -EBADMSG;
        }
        int n = i2d_X509(x, &der);
        if (n <= 0)
                return -EBADMSG;
        int r = buf_put(&ci->der, der, n);
        OPENSSL_free(der);
        if (r < 0)
                return r;
        if (ci->der.len > 0x7fff) {
                fprintf(stderr, "kart-cardsim: certificate '%s' is too large for a 15-bit offset EF\n", pc->name);
                return -EFBIG;
        }

        EVP_PKEY *pk = X509_get0_pubkey(x);
        if (!pk)
                return -EBADMSG;
        ci->ec = EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC;
        ci->bits = EVP_PKEY_get_bits(pk);

        uint32_t ku = X509_get_key_usage(x);    /* UINT32_MAX when absent */
        if (ku == UINT32_MAX)
                ku = KU_DIGITAL_SIGNATURE;
        if (ku & KU_NON_REPUDIATION)
                ci->usage |= P15_USAGE_NONREP;
        if (ku & KU_DIGITAL_SIGNATURE)
                ci->usage |= P15_USAGE_SIGN;
        if (ku & KU_KEY_ENCIPHERMENT)
                ci->usage |= P15_USAGE_DECRYPT | P15_USAGE_UNWRAP;
        if (ku & KU_KEY_AGREEMENT)
                ci->usage |= P15_USAGE_DERIVE;
        return 0;
}

static int put_path(Buf *b, const uint16_t *fids, size_t n) {
        uint8_t p[16];
        for (size_t i = 0; i < n; i++) {
                p[2 * i] = fids[i] >> 8;
                p[2 * i + 1] = fids[i] & 0xff;
        }
        size_t m = tlv_open(b, 0x30);
        tlv_put(b, 0x04, p, 2 * n);
        return tlv_close(b, m);
}

static int build_dir(const Profile *p, const Layout *l, Buf *b) {
        size_t m = tlv_open(b, 0x61);
        tlv_put(b, 0x4f, pkcs15_aid, sizeof pkcs15_aid);
        tlv_put_str(b, 0x50, p->label);
        tlv_put(b, 0x51, (const uint8_t[]) { 0x3f, 0x00, l->app >> 8, l->app & 0xff }, 4);
        return tlv_close(b, m);
}

static int build_odf(const Layout *l, Buf *b) {
        static const struct {
                unsigned tag;
                uint16_t fid;
        } e[] = {
                { 0xa0, FID_PRKDF },    /* privateKeys */
                { 0xa4, FID_CDF },      /* certificates */
                { 0xa8, FID_AODF },     /* authObjects */
        };
        for (size_t i = 0; i < ELEMENTSOF(e); i++) {
                size_t m = tlv_open(b, e[i].tag);
                put_path(b, (const uint16_t[]) { 0x3f00, l->app, e[i].fid }, 3);
                int r = tlv_close(b, m);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int build_tokeninfo(const Profile *p, Buf *b) {
        size_t m = tlv_open(b, 0x30);
        tlv_put_int(b, 0x02, 0);                        /* version v1 */
        if (p->serial_len > 0)                          /* mandatory, but cards omit it */
                tlv_put(b, 0x04, p->serial, p->serial_len);
        tlv_put_str(b, 0x0c, p->manufacturer);          /* manufacturerID */
        tlv_put_str(b, 0x80, p->label);                 /* label [0] */
        tlv_put_bits(b, 0x03, 0);                       /* tokenflags: none */
        return tlv_close(b, m);
}

enum {
        PIN_FLAG_LOCAL = 1u << 1,
        PIN_FLAG_INITIALIZED = 1u << 4,
        PIN_FLAG_NEEDS_PADDING = 1u << 5,
        PIN_FLAG_UNBLOCKING = 1u << 6,
};

static int put_auth_object(Buf *b, const Layout *l, const char *label, uint8_t parent_auth_id,
                           uint8_t auth_id, uint32_t flags, unsigned min, unsigned stored, unsigned max,
                           unsigned ref, uint8_t pad) {
        size_t obj = tlv_open(b, 0x30);

        size_t m = tlv_open(b, 0x30);                   /* CommonObjectAttributes */
        tlv_put_str(b, 0x0c, label);
        tlv_put_bits(b, 0x03, 1u << 0 | 1u << 1);       /* private, modifiable */
        if (parent_auth_id)                             /* the PIN that unblocks this one */
                tlv_put(b, 0x04, &parent_auth_id, 1);
        tlv_close(b, m);

        m = tlv_open(b, 0x30);                          /* CommonAuthenticationObjectAttributes */
        tlv_put(b, 0x04, &auth_id, 1);
        tlv_close(b, m);

        size_t t = tlv_open(b, 0xa1);                   /* typeAttributes */
        m = tlv_open(b, 0x30);                          /* PinAttributes */
        tlv_put_bits(b, 0x03, flags);
        tlv_put_int(b, 0x0a, 1);                        /* ascii-numeric */
        tlv_put_int(b, 0x02, min);
        tlv_put_int(b, 0x02, stored);
        tlv_put_int(b, 0x02, max);
        tlv_put_int(b, 0x80, ref);                      /* pinReference [0] */
        tlv_put(b, 0x04, &pad, 1);                      /* padChar */
        put_path(b, (const uint16_t[]) { 0x3f00, l->app }, 2);
        tlv_close(b, m);
        tlv_close(b, t);
        return tlv_close(b, obj);
}

static int build_aodf(const Profile *p, const Layout *l, Buf *b) {
        uint32_t common = PIN_FLAG_INITIALIZED | (l->padded ? PIN_FLAG_NEEDS_PADDING : 0);
        int r;

        r = put_auth_object(b, l, p->pin_label, AUTH_ID_PUK, AUTH_ID_PIN,
                            common | (l->pin_local ? PIN_FLAG_LOCAL : 0),
                            p->pin_min, p->pin_stored, p->pin_max, l->pin_ref, p->pad_char);
        if (r < 0)
                return r;
        return put_auth_object(b, l, p->puk_label, 0, AUTH_ID_PUK,
                               common | (l->puk_local ? PIN_FLAG_LOCAL : 0) | PIN_FLAG_UNBLOCKING,
                               p->puk_min, p->puk_stored, p->puk_max, l->puk_ref, p->pad_char);
}

static int build_prkdf(const Profile *p, const Layout *l, const CertInfo *ci, Buf *b) {
        for (size_t i = 0; i < p->n_certs; i++) {
                const ProfileCert *pc = &p->certs[i];
                uint8_t auth_id = AUTH_ID_PIN;
                /* privateRSAKey is untagged, privateECKey is [0] */
                size_t obj = tlv_open(b, ci[i].ec ? 0xa0 : 0x30);

                size_t m = tlv_open(b, 0x30);           /* CommonObjectAttributes */
                tlv_put_str(b, 0x0c, pc->label ? pc->label : pc->name);
                tlv_put_bits(b, 0x03, 1u << 0);         /* private */
                tlv_put(b, 0x04, &auth_id, 1);
                if (ci[i].usage & P15_USAGE_NONREP)     /* PIN before every signature */
                        tlv_put_int(b, 0x02, 1);        /* userConsent */
                tlv_close(b, m);

                m = tlv_open(b, 0x30);                  /* CommonKeyAttributes */
                tlv_put(b, 0x04, pc->id, pc->id_len);
                tlv_put_bits(b, 0x03, ci[i].usage);
                /* sensitive, alwaysSensitive, neverExtractable, local */
                tlv_put_bits(b, 0x03, 1u << 0 | 1u << 2 | 1u << 3 | 1u << 4);
                tlv_put_int(b, 0x02, i + 1);            /* keyReference */
                tlv_close(b, m);

                size_t t = tlv_open(b, 0xa1);           /* typeAttributes */
                m = tlv_open(b, 0x30);
                put_path(b, (const uint16_t[]) { 0x3f00, l->app }, 2);
                if (!ci[i].ec)
                        tlv_put_int(b, 0x02, ci[i].bits);       /* modulusLength */
                tlv_close(b, m);
                tlv_close(b, t);
                int r = tlv_close(b, obj);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int build_cdf(const Profile *p, const Layout *l, Buf *b) {
        for (size_t i = 0; i < p->n_certs; i++) {
                const ProfileCert *pc = &p->certs[i];
                size_t obj = tlv_open(b, 0x30);

                size_t m = tlv_open(b, 0x30);           /* CommonObjectAttributes */
                tlv_put_str(b, 0x0c, pc->label ? pc->label : pc->name);
                tlv_close(b, m);

                m = tlv_open(b, 0x30);                  /* CommonCertificateAttributes */
                tlv_put(b, 0x04, pc->id, pc->id_len);
                tlv_close(b, m);

                size_t t = tlv_open(b, 0xa1);           /* typeAttributes */
                m = tlv_open(b, 0x30);                  /* X509CertificateAttributes */
                put_path(b, (const uint16_t[]) { 0x3f00, l->app, FID_CERT0 + i }, 3);
                tlv_close(b, m);
                tlv_close(b, t);
                int r = tlv_close(b, obj);
                if (r < 0)
                        return r;
        }
        return 0;
}

static FsNode *add_ef(FsNode *df, uint16_t fid, Buf *content) {
        FsNode *n = fs_add(df, fid, false);
        if (n) {
                n->content = *content;
                *content = (Buf) {};
        }
        return n;
}

int pkcs15_build(const Profile *p, FsNode **ret_mf) {
        CertInfo ci[CARD_MAX_CERTS] = {};
        Layout l = layout_of(p);
        Buf b = {};
        FsNode *mf, *app;
        int r = -ENOMEM;

        for (size_t i = 0; i < p->n_certs; i++) {
                r = cert_load(&p->certs[i], &ci[i]);
                if (r < 0)
                        goto out;
        }

        r = -ENOMEM;
        mf = fs_add(NULL, 0x3f00, true);
        if (!mf)
                goto out;
        if (l.dir && (build_dir(p, &l, &b) < 0 || !add_ef(mf, FID_DIR, &b)))
                goto fail;

        app = fs_add(mf, l.app, true);
        if (!app)
                goto fail;
        memcpy(app->aid, l.name, l.name_len);
        app->aid_len = l.name_len;

        if (build_odf(&l, &b) < 0 || !add_ef(app, FID_ODF, &b) ||
            build_tokeninfo(p, &b) < 0 || !add_ef(app, FID_TOKENINFO, &b) ||
            build_aodf(p, &l, &b) < 0 || !add_ef(app, FID_AODF, &b) ||
            build_prkdf(p, &l, ci, &b) < 0 || !add_ef(app, FID_PRKDF, &b) ||
            build_cdf(p, &l, &b) < 0 || !add_ef(app, FID_CDF, &b))
                goto fail;
        for (size_t i = 0; i < p->n_certs; i++)
                if (!add_ef(app, FID_CERT0 + i, &ci[i].der))
                        goto fail;

        *ret_mf = mf;
        r = 0;
        goto out;
fail:
        fs_free(mf);
out:
        buf_free(&b);
        for (size_t i = 0; i < CARD_MAX_CERTS; i++)
                buf_free(&ci[i].der);
        return r;
}
