/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scripted fake card; the script format is described in
 * fake-transport.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-transport.h"
#include "hexutil.h"
#include "macro.h"

#define INCLUDE_DEPTH_MAX 8
#define SHOW_BYTES_MAX 300      /* bytes shown in a message */

struct FakeStep {
        uint8_t *cmd;           /* NULL: any command (a failure step on its own) */
        size_t cmd_len;
        uint8_t *reply;
        size_t reply_len;
        bool has_reply;
        int error;              /* <0: transmit fails with it */
        char *file;             /* where the step was written, for messages */
        unsigned line;
};

typedef struct Parser {
        FakeTransport *f;
        bool open_cmd;          /* last step has a command still waiting for its reply */
        bool in_reply;          /* the previous item was a '<' line: more may follow */
} Parser;

const char *fake_transport_data_dir(void) {
        const char *top = getenv("KART_TOP_SRCDIR");
        static char buf[4096];

        if (!top || !*top) {
                /* run by hand: from the top directory or from tests/unit */
                if (access("tests/data/apdu", F_OK) < 0 && access("../data/apdu", F_OK) >= 0)
                        return "../data";
                return "tests/data";
        }
        snprintf(buf, sizeof buf, "%s/tests/data", top);
        return buf;
}

/* "00 A4 04 ..." of at most SHOW_BYTES_MAX bytes, for messages. */
static const char *show(const uint8_t *b, size_t len, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = 0;
        if (!b)
                return "(any command)";
        if (len == 0)
                return "(nothing)";
        for (size_t i = 0; i < len && i < SHOW_BYTES_MAX && n + 4 < size; i++)
                n += (size_t) snprintf(buf + n, size - n, "%s%02X", i ? " " : "", b[i]);
        if (len > SHOW_BYTES_MAX && n + 16 < size)
                snprintf(buf + n, size - n, " ... (%zu bytes)", len);
        return buf;
}

static uint8_t *decode_hex(const char *hex, size_t *ret_len, const char *file, unsigned line) {
        size_t size = strlen(hex) / 2 + 1;
        uint8_t *b = malloc(size);
        int n;

        assert_non_null(b);
        n = hex_decode(hex, b, size);
        if (n < 0) {
                free(b);
                fail_msg("%s:%u: bad hex \"%s\"", file, line, hex);
        }
        *ret_len = (size_t) n;
        return b;
}

static FakeStep *add_step(FakeTransport *f, const char *file, unsigned line) {
        FakeStep *s;

        s = realloc(f->steps, (f->n_steps + 1) * sizeof *f->steps);
        assert_non_null(s);
        f->steps = s;
        s = &f->steps[f->n_steps++];
        *s = (FakeStep) { .file = strdup(file), .line = line };
        assert_non_null(s->file);
        return s;
}

static char *strip(char *s) {
        char *e;

        s += strspn(s, " \t\r\n");
        e = s + strlen(s);
        while (e > s && strchr(" \t\r\n", e[-1]))
                *--e = 0;
        return s;
}

static void parse_text(Parser *p, const char *file, const char *text, unsigned depth);

static char *read_file(const char *path) {
        FILE *fp;
        char *buf;
        long size = -1;

        fp = fopen(path, "re");
        if (!fp)
                fail_msg("Cannot open APDU script %s: %s (is KART_TOP_SRCDIR set?)", path, strerror(errno));
        if (fseek(fp, 0, SEEK_END) < 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) < 0) {
                fclose(fp);
                fail_msg("Cannot read APDU script %s", path);
        }
        buf = malloc((size_t) size + 1);
        assert_non_null(buf);
        if (fread(buf, 1, (size_t) size, fp) != (size_t) size) {
                free(buf);
                fclose(fp);
                fail_msg("Cannot read APDU script %s", path);
        }
        buf[size] = 0;
        fclose(fp);
        return buf;
}

static void parse_include(Parser *p, const char *file, unsigned line, const char *name, unsigned depth) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *slash = strrchr(file, '/');
        int dirlen = slash ? (int) (slash - file) : 1;

        if (depth >= INCLUDE_DEPTH_MAX)
                fail_msg("%s:%u: @include nested too deep", file, line);
        if (!*name)
                fail_msg("%s:%u: @include without a file name", file, line);
        assert_true(asprintf(&path, "%.*s/%s", dirlen, slash ? file : ".", name) >= 0);
        text = read_file(path);
        parse_text(p, path, text, depth + 1);
}

static void parse_line(Parser *p, const char *file, unsigned line, char *s, unsigned depth) {
        FakeTransport *f = p->f;
        char *hash = strchr(s, '#');
        FakeStep *last = f->n_steps > 0 ? &f->steps[f->n_steps - 1] : NULL;
        char kind;

        if (hash)
                *hash = 0;
        s = strip(s);
        if (!*s)
                return;
        kind = *s;
        if (kind == '@') {
                if (strncmp(s, "@include", 8) != 0 || (s[8] != ' ' && s[8] != '\t'))
                        fail_msg("%s:%u: unknown directive \"%s\"", file, line, s);
                if (p->open_cmd)
                        fail_msg("%s:%u: the command before has no reply", file, line);
                p->in_reply = false;
                parse_include(p, file, line, strip(s + 8), depth);
                return;
        }
        s = strip(s + 1);

        switch (kind) {
        case '>': {
                FakeStep *st;

                if (p->open_cmd)
                        fail_msg("%s:%u: the command before has no reply ('<' or '!' line)", file, line);
                st = add_step(f, file, line);
                st->cmd = decode_hex(s, &st->cmd_len, file, line);
                if (st->cmd_len < 4)
                        fail_msg("%s:%u: a command has at least 4 bytes", file, line);
                p->open_cmd = true;
                p->in_reply = false;
                return;
        }
        case '<': {
                _cleanup_free_ uint8_t *b = NULL;
                size_t len;
                uint8_t *n;

                if (!p->open_cmd && !p->in_reply)
                        fail_msg("%s:%u: a reply without a command", file, line);
                b = decode_hex(s, &len, file, line);
                n = realloc(last->reply, last->reply_len + len + 1);
                assert_non_null(n);
                memcpy(n + last->reply_len, b, len);
                last->reply = n;
                last->reply_len += len;
                last->has_reply = true;
                p->open_cmd = false;
                p->in_reply = true;
                return;
        }
        case '!': {
                int error = 0;

                if (streq(s, "removed"))
                        error = -ENOMEDIUM;
                else if (streq(s, "reset"))
                        error = -ECONNRESET;
                else if (streq(s, "io"))
                        error = -EIO;
                else
                        fail_msg("%s:%u: unknown failure \"%s\" (removed, reset, io)", file, line, s);
                if (!p->open_cmd)
                        last = add_step(f, file, line);
                last->error = error;
                p->open_cmd = false;
                p->in_reply = false;
                return;
        }
        default:
                fail_msg("%s:%u: a line starts with '>', '<', '!', '@' or '#', not \"%c\"", file, line, kind);
        }
}

static void parse_text(Parser *p, const char *file, const char *text, unsigned depth) {
        _cleanup_free_ char *copy = strdup(text);
        char *s, *next;
        unsigned line = 0;

        assert_non_null(copy);
        for (s = copy; s; s = next) {
                next = strchr(s, '\n');
                if (next)
                        *next++ = 0;
                parse_line(p, file, ++line, s, depth);
        }
}

static int fake_transmit(Transport *t, const uint8_t *cmd, size_t cmd_len,
                         uint8_t *resp, size_t resp_size, size_t *ret_len) {
        FakeTransport *f = (FakeTransport *) t;
        char want[SHOW_BYTES_MAX * 3 + 32], got[SHOW_BYTES_MAX * 3 + 32];
        const FakeStep *s;

        if (f->pos >= f->n_steps)
                fail_msg("%s: a command after the end of the script (%zu exchanges played):\n"
                         "  got      %s", f->name, f->n_steps, show(cmd, cmd_len, got, sizeof got));
        s = &f->steps[f->pos];
        if (s->cmd && (s->cmd_len != cmd_len || memcmp(s->cmd, cmd, cmd_len) != 0))
                fail_msg("%s:%u: exchange %zu: the command differs from the script:\n"
                         "  expected %s\n"
                         "  got      %s", s->file, s->line, f->pos + 1,
                         show(s->cmd, s->cmd_len, want, sizeof want),
                         show(cmd, cmd_len, got, sizeof got));
        f->pos++;
        if (s->error < 0)
                return s->error;
        if (s->reply_len > resp_size)
                fail_msg("%s:%u: the scripted reply (%zu bytes) is larger than the buffer (%zu)",
                         s->file, s->line, s->reply_len, resp_size);
        if (s->reply_len > 0)
                memcpy(resp, s->reply, s->reply_len);
        *ret_len = s->reply_len;
        return 0;
}

static const TransportOps fake_ops = { .transmit = fake_transmit };

FakeTransport *fake_transport_new_from_string(const char *name, const char *text) {
        FakeTransport *f;
        Parser p;

        f = calloc(1, sizeof *f);
        assert_non_null(f);
        f->base.ops = &fake_ops;
        f->base.extended = true;
        f->name = strdup(name);
        assert_non_null(f->name);
        p = (Parser) { .f = f };
        parse_text(&p, name, text, 0);
        if (p.open_cmd)
                fail_msg("%s: the last command has no reply", name);
        return f;
}

FakeTransport *fake_transport_new(const char *path) {
        _cleanup_free_ char *full = NULL, *text = NULL;

        assert_true(asprintf(&full, "%s/%s", fake_transport_data_dir(), path) >= 0);
        text = read_file(full);
        return fake_transport_new_from_string(full, text);
}

size_t fake_transport_remaining(const FakeTransport *f) {
        return f->n_steps - f->pos;
}

void fake_transport_free(FakeTransport *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n_steps; i++) {
                free(f->steps[i].cmd);
                free(f->steps[i].reply);
                free(f->steps[i].file);
        }
        free(f->steps);
        free(f->name);
        free(f);
}

void fake_transport_done(FakeTransport *f) {
        char want[SHOW_BYTES_MAX * 3 + 32];

        if (f->pos < f->n_steps) {
                const FakeStep *s = &f->steps[f->pos];

                fail_msg("%s:%u: the script was not played to its end: %zu of %zu exchanges done,\n"
                         "  next expected %s", s->file, s->line, f->pos, f->n_steps,
                         show(s->cmd, s->cmd_len, want, sizeof want));
        }
        fake_transport_free(f);
}

void fake_transport_set_atr(FakeTransport *f, const char *hex) {
        int n = hex_decode(hex, f->base.atr, sizeof f->base.atr);

        assert_true(n >= 0);
        f->base.atr_len = (size_t) n;
}

FakeTransport *fake_card_new(const char *script, const char *atr_hex, CardConn *ret) {
        FakeTransport *f = fake_transport_new(script);

        fake_transport_set_atr(f, atr_hex);
        card_conn_init(ret, &f->base);
        return f;
}
