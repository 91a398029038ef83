/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A structure-aware mutator for DER (X.509, OCSP): libFuzzer's byte
 * mutations break a certificate's outer lengths at once, so OpenSSL
 * never reaches the extensions. Half the time this one parses the input
 * as a DER tree, changes one element (its content mutated by libFuzzer,
 * its tag changed, the element dropped or repeated) and writes the tree
 * back with every enclosing length right; otherwise, or when the input is
 * no DER, it leaves the work to libFuzzer. Include it in one target. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define DER_MAX_NODES 1024
#define DER_MAX_DEPTH 24

typedef struct DerNode {
        size_t tag_off, tag_len;        /* identifier octets */
        size_t off, len;                /* content */
        int first_child, next;          /* -1: none */
        bool constructed;
} DerNode;

typedef struct DerTree {
        const uint8_t *data;
        DerNode nodes[DER_MAX_NODES];
        int n;
} DerTree;

typedef enum DerAction { DER_MUTATE, DER_RETAG, DER_DROP, DER_REPEAT, _DER_ACTIONS } DerAction;

/* Parses the elements of data[off, off + len) as siblings; returns the
 * first one's index, -1 for none, -2 when it is not DER. */
static int der_parse(DerTree *t, size_t off, size_t len, int depth) {
        int first = -1, prev = -1;
        size_t end = off + len;

        if (depth > DER_MAX_DEPTH)
                return -2;
        while (off < end) {
                size_t p = off, clen = 0;
                int i, child;

                if (t->n >= DER_MAX_NODES)
                        return -2;
                i = t->n++;
                t->nodes[i] = (DerNode) { .tag_off = p, .first_child = -1, .next = -1,
                                          .constructed = t->data[p] & 0x20 };
                if ((t->data[p++] & 0x1F) == 0x1F)
                        while (p < end && (t->data[p++] & 0x80))
                                ;
                if (p >= end)
                        return -2;
                t->nodes[i].tag_len = p - off;
                if (t->data[p] < 0x80)
                        clen = t->data[p++];
                else {
                        size_t k = t->data[p++] & 0x7F;

                        if (k == 0 || k > 3 || p + k > end)
                                return -2;
                        while (k--)
                                clen = clen << 8 | t->data[p++];
                }
                if (clen > end - p)
                        return -2;
                t->nodes[i].off = p;
                t->nodes[i].len = clen;
                if (t->nodes[i].constructed) {
                        child = der_parse(t, p, clen, depth + 1);
                        if (child == -2)
                                return -2;
                        t->nodes[i].first_child = child;
                }
                if (prev >= 0)
                        t->nodes[prev].next = i;
                else
                        first = i;
                prev = i;
                off = p + clen;
        }
        return first;
}

static size_t der_length_size(size_t len) {
        return len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 4;
}

static void der_put_length(uint8_t *out, size_t len) {
        size_t n = der_length_size(len);

        if (n == 1) {
                out[0] = (uint8_t) len;
                return;
        }
        out[0] = (uint8_t) (0x80 | (n - 1));
        for (size_t i = 1; i < n; i++)
                out[i] = (uint8_t) (len >> (8 * (n - 1 - i)));
}

typedef struct DerEdit {
        int node;
        DerAction action;
        const uint8_t *content;         /* DER_MUTATE: the node's new content */
        size_t content_len;
        uint8_t tag;                    /* DER_RETAG */
} DerEdit;

/* Writes the siblings from node i on (out NULL: only counts). */
static size_t der_write(const DerTree *t, int i, const DerEdit *e, uint8_t *out) {
        size_t total = 0;

        for (; i >= 0; i = t->nodes[i].next) {
                const DerNode *n = &t->nodes[i];
                unsigned times = i == e->node && e->action == DER_REPEAT ? 2 : 1;
                size_t len;

                if (i == e->node && e->action == DER_DROP)
                        continue;
                if (i == e->node && e->action == DER_MUTATE)
                        len = e->content_len;
                else if (n->first_child >= 0)
                        len = der_write(t, n->first_child, e, NULL);
                else
                        len = n->len;
                while (times--) {
                        if (out) {
                                uint8_t *p = out + total;

                                memcpy(p, t->data + n->tag_off, n->tag_len);
                                if (i == e->node && e->action == DER_RETAG)
                                        p[0] = e->tag;
                                p += n->tag_len;
                                der_put_length(p, len);
                                p += der_length_size(len);
                                if (i == e->node && e->action == DER_MUTATE)
                                        memcpy(p, e->content, len);
                                else if (n->first_child >= 0)
                                        der_write(t, n->first_child, e, p);
                                else
                                        memcpy(p, t->data + n->off, len);
                        }
                        total += n->tag_len + der_length_size(len) + len;
                }
        }
        return total;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
        static DerTree t;
        static uint8_t content[8192], out[65536];
        DerEdit e = {};
        size_t n;
        int root;

        srand(seed);
        if (rand() % 2 || size == 0 || max_size > sizeof out)
                return LLVMFuzzerMutate(data, size, max_size);
        t = (DerTree) { .data = data };
        root = der_parse(&t, 0, size, 0);
        if (root < 0)
                return LLVMFuzzerMutate(data, size, max_size);

        e.node = rand() % t.n;
        e.action = (DerAction) (rand() % _DER_ACTIONS);
        if (e.action == DER_MUTATE) {
                const DerNode *node = &t.nodes[e.node];

                if (node->len > sizeof content / 2)
                        return LLVMFuzzerMutate(data, size, max_size);
                memcpy(content, data + node->off, node->len);
                e.content = content;
                e.content_len = LLVMFuzzerMutate(content, node->len, sizeof content);
        } else if (e.action == DER_RETAG)
                e.tag = (uint8_t) rand();
        n = der_write(&t, root, &e, NULL);
        if (n > max_size || n > sizeof out)
                return LLVMFuzzerMutate(data, size, max_size);
        der_write(&t, root, &e, out);
        memcpy(data, out, n);
        return n;
}
