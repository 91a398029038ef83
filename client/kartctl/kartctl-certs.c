/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "kart-names.h"
#include "kart-states.h"
#include "kartctl.h"
#include "macro.h"

/* The first ListCertificates of an insertion reads the card; the daemon
 * may also wait for polkit. */
#define CERT_CALL_TIMEOUT_USEC (60ULL * 1000000ULL)
/* certs warns about certificates that expire within this many days. */
#define EXPIRY_WARNING_DAYS 30

typedef struct Cert {
        char *id, *label, *subject, *issuer, *serial, *sha256;
        KartCertStatus status;
        uint64_t not_before, not_after;
        char *subject_cn;       /* text mode only */
} Cert;

typedef struct CertList {
        Cert *certs;
        size_t n;
} CertList;

static void cert_list_done(CertList *l) {
        for (size_t i = 0; i < l->n; i++) {
                Cert *c = &l->certs[i];
                free(c->id);
                free(c->label);
                free(c->subject);
                free(c->issuer);
                free(c->serial);
                free(c->sha256);
                free(c->subject_cn);
        }
        free(l->certs);
        *l = (CertList) {};
}

/* Calls METHOD on the card, with ID as its only argument when not NULL. */
static int call_card(sd_bus *bus, const char *path, const char *method, const char *id,
                     sd_bus_error *error, sd_bus_message **reply) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, KART_BUS_NAME, path, KART_CARD_INTERFACE, method);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, isatty(STDIN_FILENO));
        if (r >= 0 && id)
                r = sd_bus_message_append(m, "s", id);
        if (r >= 0)
                r = sd_bus_call(bus, m, CERT_CALL_TIMEOUT_USEC, error, reply);
        sd_bus_message_unref(m);
        return r;
}

static int bad_reply(int r) {
        fprintf(stderr, _("kartd sent a reply kartctl does not understand: %s\n"), strerror(-r));
        return EXIT_FAILED;
}

static char *strdup_or_empty(const char *s) {
        return strdup(s ?: "");
}

/* A status this kartctl does not know (a newer kartd's) is unknown. */
static KartCertStatus parse_status(const char *s) {
        KartCertStatus status = kart_cert_status_from_string(s);

        return status < 0 ? KART_CERT_STATUS_UNKNOWN : status;
}

/* ListCertificates into *ret; returns 0 or an exit code. */
static int fetch_list(sd_bus *bus, const char *path, CertList *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = call_card(bus, path, "ListCertificates", NULL, &error, &reply);
        if (r < 0)
                return kartctl_report_error(_("Failed to list the certificates"), &error, r);

        r = sd_bus_message_enter_container(reply, 'a', "(sssssttss)");
        while (r >= 0) {
                const char *id, *label, *subject, *issuer, *serial, *status, *sha256;
                uint64_t not_before, not_after;
                Cert *n;

                r = sd_bus_message_read(reply, "(sssssttss)", &id, &label, &subject, &issuer, &serial,
                                        &not_before, &not_after, &status, &sha256);
                if (r <= 0)
                        break;
                n = reallocarray(ret->certs, ret->n + 1, sizeof(Cert));
                if (!n) {
                        r = -ENOMEM;
                        break;
                }
                ret->certs = n;
                n = &ret->certs[ret->n++];
                *n = (Cert) {
                        .id = strdup_or_empty(id), .label = strdup_or_empty(label),
                        .subject = strdup_or_empty(subject), .issuer = strdup_or_empty(issuer),
                        .serial = strdup_or_empty(serial), .status = parse_status(status),
                        .sha256 = strdup_or_empty(sha256),
                        .not_before = not_before, .not_after = not_after,
                };
                if (!n->id || !n->label || !n->subject || !n->issuer || !n->serial || !n->sha256)
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        sd_bus_message_unref(reply);
        return r < 0 ? bad_reply(r) : 0;
}

/* GetCertificateInfo as a JSON object; returns 0 or a negative errno with
 * *error set by the call, or -EBADMSG for a reply that is not an a{sv}. */
static int fetch_info(sd_bus *bus, const char *path, const char *id, sd_bus_error *error, json_t **ret) {
        sd_bus_message *reply = NULL;
        int r;

        r = call_card(bus, path, "GetCertificateInfo", id, error, &reply);
        if (r < 0)
                return r;
        if (!sd_bus_message_has_signature(reply, "a{sv}"))
                r = -EBADMSG;
        else
                r = kartctl_message_to_json(reply, ret);
        sd_bus_message_unref(reply);
        return r;
}

static const char *json_str(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* ------------------------------------------------------------------ formatting */

static const char *status_text(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                /* TRANSLATORS: a certificate's status, in kartctl certs and cert show. */
                return _("good");
        case KART_CERT_STATUS_ON_HOLD:
                return _("on hold");
        case KART_CERT_STATUS_REVOKED:
                return _("revoked");
        case KART_CERT_STATUS_EXPIRED:
                return _("expired");
        case KART_CERT_STATUS_NOT_YET_VALID:
                return _("not yet valid");
        case KART_CERT_STATUS_UNREADABLE:
                return _("unreadable");
        default:
                return _("unknown");
        }
}

static time_t clamp_time(uint64_t t) {
        return t > (uint64_t) INT64_MAX ? (time_t) INT64_MAX : (time_t) t;
}

/* Local time T, as a date or with the time of day; "-" when T is 0 (unknown). */
static const char *format_time(uint64_t t, bool with_time, char *buf, size_t size) {
        time_t tt = clamp_time(t);
        struct tm tm;

        if (t == 0 || !localtime_r(&tt, &tm) ||
            (with_time ? strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm)
                       : strftime(buf, size, "%Y-%m-%d", &tm)) == 0)
                snprintf(buf, size, "-");
        return buf;
}

static long civil_day(time_t t) {
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return 0;
        tm = (struct tm) { .tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday };
        return (long) (timegm(&tm) / 86400);
}

/* Days from today to the local date of T: 0 for today, negative in the past. */
static long days_until(uint64_t t, time_t now) {
        return civil_day(clamp_time(t)) - civil_day(now);
}

/* Columns on a terminal of the UTF-8 (or locale) string S. */
static size_t display_width(const char *s) {
        mbstate_t st = {};
        size_t w = 0, len = strlen(s);

        while (len > 0) {
                wchar_t wc;
                size_t k = mbrtowc(&wc, s, len, &st);
                int cw;

                if (k == (size_t) -1 || k == (size_t) -2) {
                        /* Not valid in the locale: a byte a column. */
                        st = (mbstate_t) {};
                        k = 1;
                        cw = 1;
                } else {
                        if (k == 0)
                                break;
                        cw = wcwidth(wc);
                }
                w += cw > 0 ? (size_t) cw : 0;
                s += k;
                len -= k;
        }
        return w;
}

static void print_padded(const char *s, size_t width) {
        size_t w = display_width(s);

        fputs(s, stdout);
        for (; w < width; w++)
                putchar(' ');
}

/* The CN of a distinguished name as OpenSSL prints it ("C=TR, CN=x",
 * "C = TR, CN = x", "/C=TR/CN=x" or RFC 2253 "CN=x,C=TR"); NULL if none. */
static char *parse_cn(const char *dn) {
        bool slashes = dn[0] == '/';

        for (const char *p = dn; *p; p++) {
                const char *v, *e;
                char *cn, *o;

                if (p != dn && !strchr("/,+ ", p[-1]))
                        continue;
                if (strncmp(p, "CN", 2) != 0)
                        continue;
                v = p + 2;
                v += strspn(v, " ");
                if (*v != '=')
                        continue;
                v++;
                v += strspn(v, " ");
                for (e = v; *e && !(slashes ? *e == '/' : (*e == ',' || *e == '+')); e++)
                        if (*e == '\\' && e[1])
                                e++;
                cn = malloc(e - v + 1);
                if (!cn)
                        return NULL;
                for (o = cn; v < e; v++) {
                        if (*v == '\\' && v + 2 < e && isxdigit((unsigned char) v[1]) && isxdigit((unsigned char) v[2])) {
                                /* RFC 4514 "\C5\9F": a byte in hex */
                                char hex[3] = { v[1], v[2], 0 };
                                *o++ = (char) strtoul(hex, NULL, 16);
                                v += 2;
                                continue;
                        }
                        if (*v == '\\' && v + 1 < e)
                                v++;
                        *o++ = *v;
                }
                *o = 0;
                while (o > cn && o[-1] == ' ')
                        *--o = 0;
                return cn;
        }
        return NULL;
}

/* ------------------------------------------------------------------ kartctl certs */

enum { COL_ID, COL_LABEL, COL_CN, COL_SERIAL, COL_UNTIL, COL_STATUS, N_COLS };

static void row_cells(const Cert *c, const char *until, const char *cell[N_COLS]) {
        cell[COL_ID] = c->id;
        cell[COL_LABEL] = *c->label ? c->label : "-";
        cell[COL_CN] = c->subject_cn && *c->subject_cn ? c->subject_cn : "-";
        cell[COL_SERIAL] = *c->serial ? c->serial : "-";
        cell[COL_UNTIL] = until;
        cell[COL_STATUS] = status_text(c->status);
}

static void print_row(const char *cell[N_COLS], const size_t width[N_COLS]) {
        for (size_t k = 0; k + 1 < N_COLS; k++)
                print_padded(cell[k], width[k] + 2);
        printf("%s\n", cell[N_COLS - 1]);
}

static void print_certs_text(sd_bus *bus, const char *path, CertList *l, time_t now) {
        /* TRANSLATORS: column headings of kartctl certs. */
        const char *head[N_COLS] = { _("ID"), _("LABEL"), _("SUBJECT"), _("SERIAL"), _("VALID UNTIL"), _("STATUS") };
        size_t width[N_COLS];
        char (*until)[32];
        bool warned = false;

        until = calloc(l->n ?: 1, sizeof *until);
        if (!until) {
                fprintf(stderr, "%s\n", strerror(ENOMEM));
                return;
        }
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(json_decrefp) json_t *info = NULL;
                Cert *c = &l->certs[i];
                const char *cn = NULL;

                if (fetch_info(bus, path, c->id, &error, &info) >= 0)
                        cn = json_str(info, "subject_cn");
                c->subject_cn = cn && *cn ? strdup(cn) : parse_cn(c->subject);
                format_time(c->not_after, false, until[i], sizeof until[i]);
        }

        for (size_t k = 0; k < N_COLS; k++)
                width[k] = display_width(head[k]);
        for (size_t i = 0; i < l->n; i++) {
                const char *cell[N_COLS];

                row_cells(&l->certs[i], until[i], cell);
                for (size_t k = 0; k < N_COLS; k++)
                        width[k] = MAX(width[k], display_width(cell[k]));
        }
        print_row(head, width);
        for (size_t i = 0; i < l->n; i++) {
                const char *cell[N_COLS];

                row_cells(&l->certs[i], until[i], cell);
                print_row(cell, width);
        }

        for (size_t i = 0; i < l->n; i++) {
                const Cert *c = &l->certs[i];
                const char *name = *c->label ? c->label : c->id;
                bool expired = c->status == KART_CERT_STATUS_EXPIRED ||
                        (c->not_after != 0 && clamp_time(c->not_after) <= now);
                long days = c->not_after != 0 ? days_until(c->not_after, now) : 0;

                if (!expired && (c->not_after == 0 || days > EXPIRY_WARNING_DAYS))
                        continue;
                if (!warned)
                        putchar('\n');
                warned = true;
                if (expired && c->not_after == 0)
                        printf(_("Warning: certificate '%s' (ID %s) has expired.\n"), name, c->id);
                else if (expired)
                        printf(_("Warning: certificate '%s' (ID %s) expired on %s.\n"), name, c->id, until[i]);
                else if (days <= 0)
                        printf(_("Warning: certificate '%s' (ID %s) expires today.\n"), name, c->id);
                else
                        printf(ngettext("Warning: certificate '%s' (ID %s) expires in %ld day, on %s.\n",
                                        "Warning: certificate '%s' (ID %s) expires in %ld days, on %s.\n",
                                        (unsigned long) days),
                               name, c->id, days, until[i]);
        }
        free(until);
}

static bool arg_refresh;

static int parse_json_opt(int argc, char *argv[], const char *usage) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "json",    no_argument, NULL, 'j' },
                { "refresh", no_argument, NULL, 'r' },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s", usage);
                        return -1;
                case 'j':
                        arg.json = true;
                        break;
                case 'r':
                        arg_refresh = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        return 0;
}

/* RefreshStatus: the responders asked again; a failure is only a warning. */
static void refresh_status(sd_bus *bus, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = call_card(bus, path, "RefreshStatus", NULL, &error, &reply);
        if (r < 0)
                (void) kartctl_report_error(_("Could not check the revocation status again"), &error, r);
}

/* The list as "certs --json" (and "status --json") give it. */
static json_t *cert_list_json(const CertList *l, time_t now) {
        json_t *a = json_array();

        for (size_t i = 0; i < l->n; i++) {
                const Cert *c = &l->certs[i];

                json_array_append_new(a,
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o}",
                                  "id", c->id, "label", c->label, "subject", c->subject,
                                  "issuer", c->issuer, "serial", c->serial,
                                  "not_before", (json_int_t) c->not_before,
                                  "not_after", (json_int_t) c->not_after,
                                  "status", kart_cert_status_to_string(c->status), "sha256", c->sha256,
                                  "expires_in_days", c->not_after == 0 ? json_null()
                                        : json_integer(days_until(c->not_after, now))));
        }
        return a;
}

int kartctl_certs_json(sd_bus *bus, const char *path, void **ret) {
        _cleanup_(cert_list_done) CertList l = {};
        int r;

        r = fetch_list(bus, path, &l);
        if (r != 0)
                return r;
        *ret = cert_list_json(&l, time(NULL));
        return 0;
}

int verb_certs(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(cert_list_done) CertList l = {};
        _cleanup_free_ char *path = NULL;
        time_t now = time(NULL);
        int r;

        r = parse_json_opt(argc, argv,
                           _("Usage: kartctl certs [SERIAL] [--refresh] [--json]\n\n"
                             "List the certificates on the card SERIAL, or on the only card present,\n"
                             "and warn about those that expire within 30 days. --refresh asks the\n"
                             "OCSP responders again instead of using the answers kartd keeps.\n"));
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        if (argc - optind > 1) {
                fprintf(stderr, _("'certs' takes at most one argument, a card serial.\n"));
                return EXIT_USAGE;
        }
        r = kartctl_select_card(bus, optind < argc ? argv[optind] : NULL, &path);
        if (r == 0 && arg_refresh)
                refresh_status(bus, path);
        if (r == 0)
                r = fetch_list(bus, path, &l);
        if (r != 0)
                return r;

        if (arg.json)
                kartctl_print_json(json_pack("{s:o}", "certificates", cert_list_json(&l, now)));
        else if (l.n == 0)
                printf(_("No certificates on the card.\n"));
        else
                print_certs_text(bus, path, &l, now);
        return EXIT_OK;
}

/* ------------------------------------------------------------------ kartctl cert show / export */

/* The certificate the user names by ID (any case), else by label; NULL
 * after explaining which ones there are. */
static const Cert *find_cert(const CertList *l, const char *id) {
        for (size_t i = 0; i < l->n; i++)
                if (strcasecmp(l->certs[i].id, id) == 0)
                        return &l->certs[i];
        for (size_t i = 0; i < l->n; i++)
                if (*l->certs[i].label && streq(l->certs[i].label, id))
                        return &l->certs[i];

        fprintf(stderr, _("The card has no certificate with ID '%s'.\n"), id);
        if (l->n == 0)
                fprintf(stderr, _("The card holds no certificates.\n"));
        else {
                fprintf(stderr, _("Its certificates (ID: label):"));
                for (size_t i = 0; i < l->n; i++)
                        fprintf(stderr, "%s %s: %s", i > 0 ? "," : "", l->certs[i].id,
                                *l->certs[i].label ? l->certs[i].label : "-");
                fputc('\n', stderr);
        }
        return NULL;
}

/* Selects the card and resolves the ID; returns 0 or an exit code. */
static int resolve_cert(sd_bus *bus, const char *serial, const char *id, char **ret_path, CertList *l,
                        const Cert **ret) {
        int r;

        r = kartctl_select_card(bus, serial, ret_path);
        if (r == 0)
                r = fetch_list(bus, *ret_path, l);
        if (r != 0)
                return r;
        *ret = find_cert(l, id);
        return *ret ? 0 : EXIT_FAILED;
}

static char *join_strings(const json_t *a) {
        size_t size = 1, i;
        json_t *v;
        char *s;

        json_array_foreach(a, i, v)
                if (json_is_string(v))
                        size += strlen(json_string_value(v)) + 2;
        s = calloc(1, size);
        if (!s)
                return NULL;
        json_array_foreach(a, i, v)
                if (json_is_string(v)) {
                        if (*s)
                                strcat(s, ", ");
                        strcat(s, json_string_value(v));
                }
        return s;
}

typedef enum FieldKind { FIELD_STRING, FIELD_TIME, FIELD_BOOL, FIELD_LIST, FIELD_STATUS } FieldKind;

static void print_info_text(const json_t *info) {
        static const struct {
                const char *key;
                const char *label;
                FieldKind kind;
        } fields[] = {
                /* TRANSLATORS: field labels of kartctl cert show; they are aligned at run time. */
                { "id",                 N_("ID:"),                  FIELD_STRING },
                { "label",              N_("Label:"),               FIELD_STRING },
                { "subject",            N_("Subject:"),             FIELD_STRING },
                { "subject_cn",         N_("Common name:"),         FIELD_STRING },
                { "issuer",             N_("Issuer:"),              FIELD_STRING },
                { "serial",             N_("Serial number:"),       FIELD_STRING },
                { "not_before",         N_("Valid from:"),          FIELD_TIME },
                { "not_after",          N_("Valid until:"),         FIELD_TIME },
                { "status",             N_("Status:"),              FIELD_STATUS },
                { "status_detail",      N_("Status detail:"),       FIELD_STRING },
                { "revoked_at",         N_("Revoked on:"),          FIELD_TIME },
                { "sha256",             N_("SHA-256:"),             FIELD_STRING },
                { "key_usage",          N_("Key usage:"),           FIELD_LIST },
                { "extended_key_usage", N_("Extended key usage:"),  FIELD_LIST },
                { "policies",           N_("Policies:"),            FIELD_LIST },
                { "qualified",          N_("Qualified:"),           FIELD_BOOL },
                { "ca",                 N_("CA:"),                  FIELD_BOOL },
                { "ocsp_urls",          N_("OCSP:"),                FIELD_LIST },
                { "ca_issuer_urls",     N_("CA issuers:"),          FIELD_LIST },
        };
        size_t width = 0;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                width = MAX(width, display_width(_(fields[i].label)));
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const json_t *v = json_object_get(info, fields[i].key);
                _cleanup_free_ char *list = NULL;
                const char *text = NULL;
                char buf[64];

                switch (fields[i].kind) {
                case FIELD_STRING:
                        text = json_string_value(v);
                        /* An older kartd, or a name without a CN: try the subject. */
                        if (streq(fields[i].key, "subject_cn") && !(text && *text) &&
                            json_str(info, "subject"))
                                text = list = parse_cn(json_str(info, "subject"));
                        break;
                case FIELD_STATUS:
                        text = json_is_string(v) ? status_text(parse_status(json_string_value(v))) : NULL;
                        break;
                case FIELD_TIME:
                        if (json_is_integer(v))
                                text = format_time((uint64_t) json_integer_value(v), true,
                                                   buf, sizeof buf);
                        break;
                case FIELD_BOOL:
                        if (json_is_boolean(v))
                                text = json_is_true(v) ? _("yes") : _("no");
                        break;
                case FIELD_LIST:
                        if (json_is_array(v))
                                text = list = join_strings(v);
                        break;
                }
                printf("  ");
                print_padded(_(fields[i].label), width + 1);
                printf("%s\n", text && *text ? text : "-");
        }
}

static int cert_show(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(json_decrefp) json_t *info = NULL;
        _cleanup_(cert_list_done) CertList l = {};
        _cleanup_free_ char *path = NULL;
        const Cert *c;
        int r;

        r = parse_json_opt(argc, argv,
                           _("Usage: kartctl cert show ID [SERIAL] [--json]\n\n"
                             "Show everything kartd knows of the certificate ID (see 'kartctl certs')\n"
                             "on the card SERIAL, or on the only card present.\n"));
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        if (argc - optind < 1 || argc - optind > 2) {
                fprintf(stderr, _("'cert show' takes a certificate ID and optionally a card serial.\n"));
                return EXIT_USAGE;
        }
        r = resolve_cert(bus, argc - optind > 1 ? argv[optind + 1] : NULL, argv[optind], &path, &l, &c);
        if (r != 0)
                return r;
        r = fetch_info(bus, path, c->id, &error, &info);
        if (r == -EBADMSG && !sd_bus_error_is_set(&error))
                return bad_reply(r);
        if (r < 0)
                return kartctl_report_error(_("Failed to read the certificate"), &error, r);
        if (arg.json)
                kartctl_print_json(TAKE_PTR(info));
        else
                print_info_text(info);
        return EXIT_OK;
}

/* DER to PEM: base64 in lines of 64 characters. */
static char *der_to_pem(const uint8_t *der, size_t size, size_t *ret_len) {
        static const char begin[] = "-----BEGIN CERTIFICATE-----\n", end[] = "-----END CERTIFICATE-----\n";
        size_t lines = (size + 47) / 48;
        char *pem, *p;

        pem = malloc(sizeof begin + sizeof end + lines * 66 + 1);
        if (!pem)
                return NULL;
        p = stpcpy(pem, begin);
        for (size_t off = 0; off < size; off += 48) {
                p += EVP_EncodeBlock((unsigned char *) p, der + off, (int) MIN((size_t) 48, size - off));
                *p++ = '\n';
        }
        p = stpcpy(p, end);
        *ret_len = p - pem;
        return pem;
}

static int write_all(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t k = write(fd, p, size);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                size -= k;
        }
        return 0;
}

/* Writes FILE atomically: a temporary file beside it, renamed over it. */
static int write_file_atomic(const char *file, const void *data, size_t size) {
        const char *slash = strrchr(file, '/');
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        mode_t mask;
        int r;

        /* FILE's directory, then ".NAME.XXXXXX" */
        if (asprintf(&tmp, "%.*s.%s.XXXXXX", slash ? (int) (slash - file + 1) : 0, file,
                     slash ? slash + 1 : file) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0644 & ~mask) < 0)
                r = -errno;
        else
                r = write_all(fd, data, size);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, file) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

static int cert_export(sd_bus *bus, int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",   no_argument,       NULL, 'h' },
                { "pem",    no_argument,       NULL, 'p' },
                { "output", required_argument, NULL, 'o' },
                { "json",   no_argument,       NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(cert_list_done) CertList l = {};
        _cleanup_free_ char *path = NULL, *pem = NULL;
        const char *output = NULL;
        sd_bus_message *reply = NULL;
        const void *der;
        const void *data;
        size_t der_size, size;
        bool use_pem = false;
        const Cert *c;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "ho:", options, NULL)) >= 0)
                switch (opt) {
                case 'h':
                        printf(_("Usage: kartctl cert export ID [SERIAL] [--pem] [-o FILE]\n\n"
                                 "Write the certificate ID (see 'kartctl certs') of the card SERIAL, or of\n"
                                 "the only card present, to standard output or to FILE: DER as on the card,\n"
                                 "or PEM with --pem.\n"));
                        return EXIT_OK;
                case 'p':
                        use_pem = true;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'j':
                        break;  /* nothing to print as JSON */
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind < 1 || argc - optind > 2) {
                fprintf(stderr, _("'cert export' takes a certificate ID and optionally a card serial.\n"));
                return EXIT_USAGE;
        }
        if (output && streq(output, "-"))
                output = NULL;
        if (!output && !use_pem && isatty(STDOUT_FILENO)) {
                fprintf(stderr, _("Refusing to write a binary DER certificate to the terminal; "
                                  "use --pem, or -o FILE.\n"));
                return EXIT_USAGE;
        }

        r = resolve_cert(bus, argc - optind > 1 ? argv[optind + 1] : NULL, argv[optind], &path, &l, &c);
        if (r != 0)
                return r;
        r = call_card(bus, path, "GetCertificate", c->id, &error, &reply);
        if (r < 0)
                return kartctl_report_error(_("Failed to read the certificate"), &error, r);
        r = sd_bus_message_read_array(reply, 'y', &der, &der_size);
        if (r < 0) {
                sd_bus_message_unref(reply);
                return bad_reply(r);
        }
        data = der;
        size = der_size;
        if (use_pem) {
                pem = der_to_pem(der, der_size, &size);
                data = pem;
                r = pem ? 0 : -ENOMEM;
        }
        if (r >= 0 && output)
                r = write_file_atomic(output, data, size);
        else if (r >= 0) {
                r = write_all(STDOUT_FILENO, data, size);
        }
        sd_bus_message_unref(reply);
        if (r < 0) {
                fprintf(stderr, _("Failed to write the certificate to %s: %s\n"),
                        output ?: _("standard output"), strerror(-r));
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

int verb_cert(sd_bus *bus, int argc, char *argv[]) {
        const char *sub = argc > 1 ? argv[1] : NULL;

        if (sub && streq(sub, "show"))
                return cert_show(bus, argc - 1, argv + 1);
        if (sub && streq(sub, "export"))
                return cert_export(bus, argc - 1, argv + 1);
        if (sub && (streq(sub, "suspend") || streq(sub, "resume") || streq(sub, "revoke")))
                return verb_cert_manage(bus, argc - 1, argv + 1);       /* kartctl-account.c */
        if (sub && (streq(sub, "-h") || streq(sub, "--help"))) {
                printf(_("Usage: kartctl cert show ID [SERIAL] [--json]\n"
                         "       kartctl cert export ID [SERIAL] [--pem] [-o FILE]\n"
                         "       kartctl cert suspend|resume|revoke ID [SERIAL] [--reason R] [--stdin]\n"));
                return EXIT_OK;
        }
        if (sub)
                fprintf(stderr, _("Unknown 'cert' command '%s'; use show, export, suspend, resume or revoke.\n"), sub);
        else
                fprintf(stderr, _("'cert' needs a command: show, export, suspend, resume or revoke.\n"));
        return EXIT_USAGE;
}
