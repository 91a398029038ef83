/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading a fuzzer's input as a stream of small fields: what a fake card,
 * module or file answers next. An exhausted input reads as zeros and
 * empty chunks, never past its end. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct FuzzInput {
        const uint8_t *p;
        size_t left;
} FuzzInput;

static inline uint8_t fuzz_u8(FuzzInput *in) {
        if (in->left == 0)
                return 0;
        in->left--;
        return *in->p++;
}

static inline uint16_t fuzz_u16(FuzzInput *in) {
        uint16_t hi = fuzz_u8(in);

        return (uint16_t) (hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(FuzzInput *in) {
        uint32_t hi = fuzz_u16(in);

        return hi << 16 | fuzz_u16(in);
}

/* The next chunk: a 16-bit length, then that many bytes (fewer at the
 * end of the input). */
static inline const uint8_t *fuzz_chunk(FuzzInput *in, size_t *ret_len) {
        size_t n = fuzz_u16(in);
        const uint8_t *p = in->p;

        if (n > in->left)
                n = in->left;
        in->p += n;
        in->left -= n;
        *ret_len = n;
        return p;
}
