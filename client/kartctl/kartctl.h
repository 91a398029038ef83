/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libintl.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Exit codes, documented in kartctl --help. */
enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1,
        EXIT_USAGE = 2,
        EXIT_NO_DAEMON = 3,
};

typedef struct Options {
        bool json;
        const char *host;       /* -H [user@]host: the daemon of another machine, over ssh */
} Options;

extern Options arg;

/* For calls that polkit may authorize interactively: kartd waits up to
 * a minute for the user at the agent (daemon/auth/auth.c), then the card
 * takes its time; sd-bus's default of 25 s would give up first. */
#define KARTCTL_AUTH_CALL_TIMEOUT_USEC ((60ULL + 60) * 1000000ULL)

/* One verb per file: kartctl-<verb>.c */
int verb_status(sd_bus *bus, int argc, char *argv[]);
int verb_monitor(sd_bus *bus, int argc, char *argv[]);
int verb_pin_status(sd_bus *bus, int argc, char *argv[]);   /* kartctl-pin.c */
int verb_change_pin(sd_bus *bus, int argc, char *argv[]);   /* kartctl-pin.c */
int verb_verify_pin(sd_bus *bus, int argc, char *argv[]);   /* kartctl-pin.c */
int verb_unlock(sd_bus *bus, int argc, char *argv[]);       /* kartctl-unlock.c */
int verb_account(sd_bus *bus, int argc, char *argv[]);      /* kartctl-account.c: account certs */
int verb_cert_manage(sd_bus *bus, int argc, char *argv[]);  /* kartctl-account.c: cert suspend|resume|revoke */
int verb_forget(sd_bus *bus, int argc, char *argv[]);       /* kartctl-forget.c */
int verb_certs(sd_bus *bus, int argc, char *argv[]);        /* kartctl-certs.c */
int verb_cert(sd_bus *bus, int argc, char *argv[]);         /* kartctl-certs.c: show, export */
int verb_doctor(sd_bus *bus, int argc, char *argv[]);       /* kartctl-doctor.c */

/* kartctl-util.c */
int kartctl_connect(sd_bus **ret);
/* Prints a call's failure clearly and returns the exit code for it. */
int kartctl_report_error(const char *what, const sd_bus_error *error, int r);

void kartctl_strv_freep(char ***l);
/* The card with SERIAL, or all cards; returns 0 or an exit code. */
int kartctl_list_cards(sd_bus *bus, const char *serial, char ***ret);
/* The card named by SERIAL, else the only card present: its object path;
 * returns 0 or an exit code (the failure is printed). */
int kartctl_select_card(sd_bus *bus, const char *serial, char **ret_path);

/* The card's certificates as "kartctl certs --json" lists them; 0 or an
 * exit code (the error said). */
int kartctl_certs_json(sd_bus *bus, const char *path, void **ret_json_array);

/* Reads an a{sv} of properties into a struct, by a table of fields;
 * unknown properties and unexpected types are skipped. */
typedef struct PropSpec {
        const char *name;
        char type;              /* 's', 'o', 'b', 'i', 'u', 't' */
        size_t offset;
} PropSpec;
int kartctl_read_props(sd_bus_message *m, const PropSpec *spec, void *obj);
void kartctl_free_props(const PropSpec *spec, void *obj);

/* kartctl-json.c: the next complete value of m as JSON (a{sv} -> object,
 * arrays -> arrays, variants unwrapped). */
typedef struct json_t json_t;
int kartctl_message_to_json(sd_bus_message *m, json_t **ret);

void kartctl_print_json(void *json_t_object);  /* takes ownership */
