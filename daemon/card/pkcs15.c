/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "macro.h"
#include "pkcs15.h"
#include "strutil.h"
#include "tlv.h"

#define MAX_ENTRIES 32
#define MAX_SERIAL 32

void pkcs15_apps_free(Pkcs15App *apps, size_t n) {
        for (size_t i = 0; apps && i < n; i++)
                free(apps[i].label);
        free(apps);
}

static int copy_bytes(const Tlv *t, uint8_t *dst, size_t size, size_t *ret_len) {
        if (t->len == 0 || t->len > size)
                return -EBADMSG;
        memcpy(dst, t->value, t->len);
        *ret_len = t->len;
        return 0;
}

int pkcs15_parse_dir(const uint8_t *buf, size_t len, Pkcs15App **ret_apps, size_t *ret_n) {
        Pkcs15App *apps;
        size_t n = 0;
        Tlv app;
        int r;

        apps = calloc(MAX_ENTRIES, sizeof *apps);
        if (!apps)
                return -ENOMEM;

        while ((r = tlv_next(&buf, &len, &app, true)) > 0) {
                const uint8_t *p = app.value;
                size_t left = app.len;
                Pkcs15App *a;
                Tlv t;

                if (app.tag != 0x61)
                        continue;       /* other records are not ours */
                if (n >= MAX_ENTRIES) {
                        r = -EBADMSG;
                        break;
                }
                a = &apps[n++];
                while ((r = tlv_next(&p, &left, &t, false)) > 0) {
                        if (t.tag == 0x4F)
                                r = copy_bytes(&t, a->aid, sizeof a->aid, &a->aid_len);
                        else if (t.tag == 0x51)
                                r = copy_bytes(&t, a->path, sizeof a->path, &a->path_len);
                        else if (t.tag == 0x50 && !a->label) {
                                a->label = utf8_sanitize(t.value, t.len);
                                r = a->label ? 0 : -ENOMEM;
                        }
                        if (r < 0)
                                break;
                }
                if (r < 0)
                        break;
                if (a->aid_len == 0) {
                        r = -EBADMSG;   /* an application without AID */
                        break;
                }
        }
        if (r < 0) {
                pkcs15_apps_free(apps, n);
                return r;
        }
        *ret_apps = apps;
        *ret_n = n;
        return 0;
}

int pkcs15_parse_odf(const uint8_t *buf, size_t len, Pkcs15OdfEntry **ret, size_t *ret_n) {
        _cleanup_free_ Pkcs15OdfEntry *e = NULL;
        size_t n = 0;
        Tlv t;
        int r;

        e = calloc(MAX_ENTRIES, sizeof *e);
        if (!e)
                return -ENOMEM;
        while ((r = tlv_next(&buf, &len, &t, true)) > 0) {
                Tlv seq, path;

                if (t.tag < 0xA0 || t.tag > 0xA8)
                        continue;       /* unknown object directory: skip */
                if (n >= MAX_ENTRIES)
                        return -EBADMSG;
                r = tlv_find(t.value, t.len, 0x30, &seq);
                if (r < 0)
                        return -EBADMSG;
                r = tlv_find(seq.value, seq.len, 0x04, &path);
                if (r < 0 || copy_bytes(&path, e[n].path, sizeof e[n].path, &e[n].path_len) < 0)
                        return -EBADMSG;
                e[n++].type = (Pkcs15OdfType) (t.tag - 0xA0);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        *ret_n = n;
        return 0;
}

void pkcs15_tokeninfo_done(Pkcs15TokenInfo *t) {
        free(t->serial);
        free(t->manufacturer);
        free(t->label);
        *t = (Pkcs15TokenInfo) {};
}

int pkcs15_parse_tokeninfo(const uint8_t *buf, size_t len, Pkcs15TokenInfo *ret) {
        Pkcs15TokenInfo ti = {};
        const uint8_t *p;
        size_t left;
        Tlv seq, t;
        bool have_flags = false;
        int r;

        r = tlv_next(&buf, &len, &seq, false);
        if (r <= 0 || seq.tag != 0x30)
                return -EBADMSG;
        p = seq.value;
        left = seq.len;

        /* version INTEGER comes first */
        r = tlv_next(&p, &left, &t, false);
        if (r <= 0 || t.tag != 0x02 || tlv_read_uint(&t, &ti.version) < 0)
                return -EBADMSG;

        while ((r = tlv_next(&p, &left, &t, false)) > 0) {
                char **dst = NULL;

                switch (t.tag) {
                case 0x04:      /* serialNumber */
                        if (ti.serial || t.len == 0 || t.len > MAX_SERIAL) {
                                r = -EBADMSG;
                                break;
                        }
                        ti.serial = hex_encode(t.value, t.len);
                        if (!ti.serial)
                                r = -ENOMEM;
                        break;
                case 0x0C:      /* manufacturerID UTF8String */
                        dst = &ti.manufacturer;
                        break;
                case 0x80:      /* label [0] */
                        dst = &ti.label;
                        break;
                case 0x03:      /* tokenflags */
                        r = tlv_read_bits(&t, &ti.flags);
                        have_flags = true;
                        break;
                default:
                        break;  /* later, optional fields */
                }
                if (dst) {
                        if (*dst) {
                                r = -EBADMSG;
                                break;
                        }
                        *dst = utf8_sanitize(t.value, t.len);
                        if (!*dst)
                                r = -ENOMEM;
                }
                if (r < 0)
                        break;
        }
        if (r >= 0 && !have_flags)
                r = -EBADMSG;   /* tokenflags is mandatory */
        if (r < 0) {
                pkcs15_tokeninfo_done(&ti);
                return r;
        }
        *ret = ti;
        return 0;
}
