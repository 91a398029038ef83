/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The card's file tree, SELECT (by FID, path and DF name) and READ BINARY. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cardsim.h"
#include "macro.h"

FsNode *fs_free(FsNode *n) {
        while (n) {
                FsNode *next = n->next;
                fs_free(n->child);
                buf_free(&n->content);
                free(n);
                n = next;
        }
        return NULL;
}

FsNode *fs_add(FsNode *parent, uint16_t fid, bool is_df) {
        FsNode *n = calloc(1, sizeof *n);
        if (!n)
                return NULL;
        n->fid = fid;
        n->is_df = is_df;
        n->parent = parent;
        if (parent) {
                FsNode **p = &parent->child;
                while (*p)
                        p = &(*p)->next;
                *p = n;
        }
        return n;
}

FsNode *fs_child(FsNode *df, uint16_t fid, int want_df) {
        for (FsNode *n = df ? df->child : NULL; n; n = n->next)
                if (n->fid == fid && (want_df < 0 || n->is_df == want_df))
                        return n;
        return NULL;
}

FsNode *fs_df_named(FsNode *n, const uint8_t *name, size_t len) {
        for (; n; n = n->next) {
                if (n->is_df && n->aid_len == len && len > 0 && memcmp(n->aid, name, len) == 0)
                        return n;
                FsNode *f = fs_df_named(n->child, name, len);
                if (f)
                        return f;
        }
        return NULL;
}

/* ISO 7816-4 select by DF name: the first DF whose name starts with it. */
static FsNode *df_by_name(FsNode *n, const uint8_t *aid, size_t len) {
        for (; n; n = n->next) {
                if (n->is_df && n->aid_len >= len && len > 0 && memcmp(n->aid, aid, len) == 0)
                        return n;
                FsNode *f = df_by_name(n->child, aid, len);
                if (f)
                        return f;
        }
        return NULL;
}

/* ISO 7816-4 select by file identifier: the MF, the current DF, its
 * children, its parent and the parent's children. */
static FsNode *find_by_fid(Card *c, uint16_t fid) {
        FsNode *n;

        if (fid == 0x3f00)
                return c->mf;
        if (c->cur_df->fid == fid)
                return c->cur_df;
        n = fs_child(c->cur_df, fid, -1);
        if (n)
                return n;
        if (c->cur_df->parent) {
                if (c->cur_df->parent->fid == fid)
                        return c->cur_df->parent;
                return fs_child(c->cur_df->parent, fid, -1);
        }
        return NULL;
}

FsNode *fs_path(FsNode *start, const uint8_t *p, size_t len) {
        FsNode *n = start;
        for (size_t i = 0; i < len; i += 2) {
                if (!n->is_df)
                        return NULL;
                n = fs_child(n, p[i] << 8 | p[i + 1], -1);
                if (!n)
                        return NULL;
        }
        return n;
}

void fs_put_fcp(const FsNode *n, uint8_t tag, int sec, Response *r) {
        Buf b = {};
        size_t m = tlv_open(&b, tag);
        uint8_t fid[2] = { n->fid >> 8, n->fid & 0xff };

        if (n->is_df) {
                tlv_put(&b, 0x82, (const uint8_t[]) { 0x38 }, 1);
                tlv_put(&b, 0x83, fid, 2);
                if (n->aid_len)
                        tlv_put(&b, 0x84, n->aid, n->aid_len);
        } else {
                uint8_t size[2] = { n->content.len >> 8, n->content.len & 0xff };
                tlv_put(&b, 0x80, size, 2);
                tlv_put(&b, 0x82, (const uint8_t[]) { 0x01 }, 1); /* working EF, transparent */
                tlv_put(&b, 0x83, fid, 2);
        }
        tlv_put(&b, 0x8a, (const uint8_t[]) { 0x05 }, 1);  /* operational, activated */
        if (sec >= 0)
                tlv_put(&b, 0x90, (const uint8_t[]) { sec }, 1);
        if (tlv_close(&b, m) < 0 || b.len > sizeof r->data) {
                r->sw = 0x6f00;
        } else {
                memcpy(r->data, b.data, b.len);
                r->len = b.len;
        }
        buf_free(&b);
}

void fs_set_current(Card *c, FsNode *n) {
        if (n->is_df) {
                c->cur_df = n;
                c->cur_ef = NULL;
        } else {
                c->cur_df = n->parent;
                c->cur_ef = n;
        }
}

void fs_select(Card *c, const Apdu *a, Response *r) {
        FsNode *n = NULL;

        if ((a->p2 & 0x03) != 0) {      /* only "first or only occurrence" */
                r->sw = 0x6a86;
                return;
        }
        if (a->p1 != 0x04 && (a->lc % 2) != 0) {
                r->sw = 0x6700;
                return;
        }
        switch (a->p1) {
        case 0x00:
                if (a->lc == 0)
                        n = c->mf;
                else if (a->lc == 2)
                        n = find_by_fid(c, a->data[0] << 8 | a->data[1]);
                else {
                        r->sw = 0x6700;
                        return;
                }
                break;
        case 0x01:
        case 0x02:
                if (a->lc != 2) {
                        r->sw = 0x6700;
                        return;
                }
                n = fs_child(c->cur_df, a->data[0] << 8 | a->data[1], a->p1 == 0x01);
                break;
        case 0x03:
                n = c->cur_df->parent;
                break;
        case 0x04:
                if (a->lc == 0 || a->lc > 16) {
                        r->sw = 0x6700;
                        return;
                }
                n = df_by_name(c->mf, a->data, a->lc);
                break;
        case 0x08:
        case 0x09: {
                const uint8_t *p = a->data;
                size_t len = a->lc;
                FsNode *start = a->p1 == 0x08 ? c->mf : c->cur_df;
                /* OpenSC and others may or may not include 3F00. */
                if (a->p1 == 0x08 && len >= 2 && p[0] == 0x3f && p[1] == 0x00) {
                        p += 2;
                        len -= 2;
                }
                if (len == 0 && a->p1 == 0x09) {
                        r->sw = 0x6700;
                        return;
                }
                n = fs_path(start, p, len);
                break;
        }
        default:
                r->sw = 0x6a86;
                return;
        }
        if (!n) {
                r->sw = 0x6a82;
                return;
        }

        fs_set_current(c, n);

        switch (a->p2 & 0x0c) {
        case 0x00:
                fs_put_fcp(n, 0x6f, -1, r);
                break;
        case 0x04:
                fs_put_fcp(n, 0x62, -1, r);
                break;
        case 0x0c:
                break;
        default:        /* FMD is not supported */
                r->sw = 0x6a86;
                return;
        }
        if (r->sw == 0)
                r->sw = 0x9000;
}

void fs_read_binary(Card *c, const Apdu *a, Response *r) {
        if (a->p1 & 0x80) {     /* short EF identifiers are not supported */
                r->sw = 0x6a81;
                return;
        }
        if (a->lc > 0) {
                r->sw = 0x6700;
                return;
        }
        if (!c->cur_ef) {
                r->sw = 0x6986;
                return;
        }
        size_t off = (size_t) a->p1 << 8 | a->p2;
        const Buf *f = &c->cur_ef->content;
        if (off >= f->len) {
                r->sw = 0x6b00;
                return;
        }
        size_t want = a->has_le ? a->le : 256;
        size_t avail = f->len - off;
        size_t n = want < avail ? want : avail;
        if (n > c->max_response)
                n = c->max_response;
        if (c->profile->t0 && want > avail) {
                /* T=0 cards tell the exact length instead of a short read. */
                r->sw = avail >= 256 ? 0x6c00 : 0x6c00 | avail;
                return;
        }
        memcpy(r->data, f->data + off, n);
        r->len = n;
        r->sw = want > avail ? 0x6282 : 0x9000;
}
