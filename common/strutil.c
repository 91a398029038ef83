/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t left) {
        size_t n;
        uint32_t c;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xC2 && p[0] <= 0xDF)
                n = 2, c = p[0] & 0x1F;
        else if (p[0] >= 0xE0 && p[0] <= 0xEF)
                n = 3, c = p[0] & 0x0F;
        else if (p[0] >= 0xF0 && p[0] <= 0xF4)
                n = 4, c = p[0] & 0x07;
        else
                return 0;
        if (n > left)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                c = c << 6 | (p[i] & 0x3F);
        }
        /* overlong, surrogates, beyond Unicode */
        if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
            (c >= 0xD800 && c <= 0xDFFF))
                return 0;
        return n;
}

char *utf8_sanitize(const uint8_t *p, size_t len) {
        char *s, *o;

        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == 0))
                len--;
        s = o = malloc(len + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < len; ) {
                size_t n = utf8_seq(p + i, len - i);

                if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7F))) {
                        *o++ = '?';
                        i++;
                        continue;
                }
                for (size_t k = 0; k < n; k++)
                        *o++ = (char) p[i + k];
                i += n;
        }
        *o = 0;
        return s;
}

const char *echo_prefix(const char *in, char buf[static ECHO_MAX + 4]) {
        size_t n = 0;

        for (; in && in[n] && n < ECHO_MAX; n++)
                buf[n] = (unsigned char) in[n] >= 0x20 && (unsigned char) in[n] < 0x7F ? in[n] : '?';
        if (in && in[n]) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = 0;
        return buf;
}

bool https_url_valid(const char *s, size_t max) {
        size_t n;

        if (!s || strncasecmp(s, "https://", 8) != 0)
                return false;
        n = strlen(s);
        if (n > max || n == 8 || strchr("/?#:@", s[8]))
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f || strchr("\"'\\<>`", *p))
                        return false;
        return true;
}

char *string_erase_free(char *s) {
        if (s)
                explicit_bzero(s, strlen(s));
        free(s);
        return NULL;
}
