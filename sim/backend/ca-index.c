/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `openssl ca` database (index.txt): read a certificate's entry, and
 * change its status the way `openssl ca -revoke` writes it, atomically,
 * so that `openssl ocsp -index` picks the change up. Lines have six
 * tab-separated fields: status (V/R/E), expiry, revocation
 * ("date[,reason[,extra]]"), serial, file name, subject. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "backend.h"

typedef struct IndexLine {
        char *fields[6];
} IndexLine;

static char *read_all(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;
        ssize_t n;
        FILE *mem;

        if (!f)
                return NULL;
        mem = open_memstream(&buf, &size);
        if (!mem) {
                fclose(f);
                return NULL;
        }
        char chunk[4096];
        while ((n = (ssize_t) fread(chunk, 1, sizeof chunk, f)) > 0)
                fwrite(chunk, 1, (size_t) n, mem);
        fclose(f);
        fclose(mem);
        return buf;
}

/* Splits line (modified in place) into its six fields. */
static bool split_line(char *line, IndexLine *ret) {
        char *p = line;

        for (int i = 0; i < 6; i++) {
                ret->fields[i] = p;
                if (i == 5)
                        break;
                p = strchr(p, '\t');
                if (!p)
                        return false;
                *p++ = 0;
        }
        return true;
}

static time_t parse_asn1_time(const char *s) {
        struct tm tm = {};
        int year;

        if (strlen(s) == 13 && sscanf(s, "%2d%2d%2d%2d%2d%2d", &year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                                      &tm.tm_min, &tm.tm_sec) == 6)
                year += year < 50 ? 2000 : 1900;
        else if (strlen(s) == 15 && sscanf(s, "%4d%2d%2d%2d%2d%2d", &year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                                           &tm.tm_min, &tm.tm_sec) == 6)
                ;
        else
                return 0;
        tm.tm_year = year - 1900;
        tm.tm_mon -= 1;
        return timegm(&tm);
}

/* OpenSSL writes non-ASCII subject bytes as \xHH. */
static char *unescape_subject(const char *s) {
        char *out = malloc(strlen(s) + 1), *o = out;

        if (!out)
                return NULL;
        while (*s) {
                uint8_t b;
                char hex[3] = { s[2], s[2] ? s[3] : 0, 0 };
                if (s[0] == '\\' && s[1] == 'x' && hex[0] && hex[1] && hex_to_bytes(hex, &b, 1) == 1) {
                        *o++ = (char) b;
                        s += 4;
                } else {
                        *o++ = *s++;
                }
        }
        *o = 0;
        return out;
}

static json_t *describe(const IndexLine *l) {
        _cleanup_free_ char *subject = unescape_subject(l->fields[5]);
        const char *status = "good";
        char reason[64] = "";
        json_t *v, *subj;

        if (streq(l->fields[0], "R")) {
                const char *comma = strchr(l->fields[2], ',');
                snprintf(reason, sizeof reason, "%s", comma ? comma + 1 : "unspecified");
                reason[strcspn(reason, ",")] = 0;
                if (streq(reason, "holdInstruction") || streq(reason, "certificateHold"))
                        status = "on-hold";
                else
                        status = "revoked";
        }
        subj = subject ? json_string(subject) : NULL;
        if (!subj)
                subj = json_string(l->fields[5]);  /* not UTF-8: as written */
        v = json_pack("{s:s, s:o, s:I, s:s}", "serial", l->fields[3], "subject", subj, "not_after",
                      (json_int_t) parse_asn1_time(l->fields[1]), "status", status);
        if (v && streq(status, "revoked"))
                json_object_set_new(v, "revocation_reason", json_string(reason));
        return v;
}

static char *index_path(const char *ca_dir) {
        char *p;
        return asprintf(&p, "%s/index.txt", ca_dir) < 0 ? NULL : p;
}

int ca_index_describe(const char *ca_dir, const char *serial, json_t **ret) {
        _cleanup_free_ char *path = index_path(ca_dir), *text = NULL;
        char *line, *save = NULL;

        if (!path)
                return -ENOMEM;
        text = read_all(path);
        if (!text)
                return negative_errno();
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                IndexLine l;
                if (split_line(line, &l) && streq(l.fields[3], serial)) {
                        *ret = describe(&l);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

static CertStatus line_status(const IndexLine *l) {
        if (!streq(l->fields[0], "R"))
                return CERT_GOOD;
        return strstr(l->fields[2], ",holdInstruction") || strstr(l->fields[2], ",certificateHold") ? CERT_ON_HOLD
                                                                                                 : CERT_REVOKED;
}

int ca_index_set(const char *ca_dir, const char *serial, unsigned from_mask, CertStatus status,
                 const char *reason, time_t now) {
        _cleanup_free_ char *path = index_path(ca_dir), *text = NULL, *lockpath = NULL, *out = NULL;
        _cleanup_close_ int lock = -1;
        char *line, *save = NULL, date[64], revocation[128];
        size_t out_size = 0;
        struct tm tm;
        bool found = false;
        FILE *f;
        int r;

        if (!path || asprintf(&lockpath, "%s/.kart-index.lock", ca_dir) < 0)
                return -ENOMEM;
        lock = lock_file(lockpath);
        if (lock < 0)
                return lock;
        text = read_all(path);
        if (!text)
                return negative_errno();
        gmtime_r(&now, &tm);
        /* UTCTime, as openssl ca writes it */
        snprintf(date, sizeof date, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (status == CERT_ON_HOLD)
                snprintf(revocation, sizeof revocation, "%s,holdInstruction,holdInstructionReject", date);
        else if (status == CERT_REVOKED)
                snprintf(revocation, sizeof revocation, "%s,%s", date, reason);
        else
                revocation[0] = 0;

        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                _cleanup_free_ char *copy = strdup(line);
                IndexLine l;

                if (!copy) {
                        fclose(f);
                        return -ENOMEM;
                }
                if (!found && split_line(copy, &l) && streq(l.fields[3], serial)) {
                        found = true;
                        if (!(from_mask & (1u << line_status(&l)))) {
                                fclose(f);
                                return -EBUSY;
                        }
                        fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\n", status == CERT_GOOD ? "V" : "R", l.fields[1],
                                revocation, l.fields[3], l.fields[4], l.fields[5]);
                } else {
                        fprintf(f, "%s\n", line);
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (!found)
                return -ENOENT;
        r = write_file_atomic(path, out, out_size, 0644);
        return r;
}
