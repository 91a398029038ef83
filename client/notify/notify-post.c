/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kart-notify's notifications: what is said, when it is said once, and
 * the unlock action. A notification server that is missing or fails is
 * logged and forgotten; the next event tries again. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kart-notify.h"
#include "log.h"
#include "macro.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define EXPIRY_WARN_DAYS 30

enum { URGENCY_LOW, URGENCY_NORMAL, URGENCY_CRITICAL };

typedef struct Posted {
        Agent *agent;
        char *path;         /* the card whose unlock action this is, or NULL */
        unsigned gen;
} Posted;

static void posted_free(void *p) {
        Posted *q = p;

        if (q)
                free(q->path);
        free(q);
}

/* Notification bodies may carry markup: card labels and names are text. */
static char *escape_markup(const char *s) {
        size_t n = 1;
        char *r, *o;

        for (const char *p = s; *p; p++)
                n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : 1;
        r = o = malloc(n);
        if (!r)
                return NULL;
        for (const char *p = s; *p; p++)
                o = *p == '&' ? stpcpy(o, "&amp;") : *p == '<' ? stpcpy(o, "&lt;") :
                    *p == '>' ? stpcpy(o, "&gt;") : (*o = *p, o + 1);
        *o = 0;
        return r;
}

static int on_posted(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Posted *q = userdata;
        uint32_t id;
        KCard *c;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                log_warning("The notification server failed: %s", e && e->message ? e->message : "?");
                return 0;
        }
        if (!q->path || sd_bus_message_read(reply, "u", &id) < 0)
                return 0;
        for (c = q->agent->cards; c; c = c->next)
                if (streq(c->path, q->path) && c->gen == q->gen) {
                        char *sender = strdup(sd_bus_message_get_sender(reply) ?: "");
                        if (!sender)
                                return log_oom(), 0;
                        free(c->unlock_sender);
                        c->unlock_sender = sender;
                        c->unlock_id = id;
                }
        return 0;
}

/* Posts a notification; UNLOCK: the card gets the action "unlock". */
static void post(Agent *a, const char *summary, const char *body, int urgency, KCard *unlock) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *escaped = escape_markup(body);
        sd_bus_slot *slot = NULL;
        Posted *q = NULL;
        int r;

        if (!escaped)
                return (void) log_oom();
        log_info("Notification: %s: %s", summary, body);
        r = sd_bus_message_new_method_call(a->session, &m, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                                           NOTIFICATIONS_NAME, "Notify");
        if (r >= 0)
                r = sd_bus_message_append(m, "susss", "kart-notify", (uint32_t) 0, "kart-notify",
                                          summary, escaped);
        if (r >= 0 && unlock)
                r = sd_bus_message_append(m, "as", 2, "unlock", _("Unlock…"));
        else if (r >= 0)
                r = sd_bus_message_append(m, "as", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}i", 2, "urgency", "y", (uint8_t) urgency,
                                          "desktop-entry", "s", "kart-notify", (int32_t) -1);
        if (r >= 0 && !(q = calloc(1, sizeof(*q))))
                r = -ENOMEM;
        if (r >= 0 && unlock) {
                q->gen = unlock->gen;
                if (!(q->path = strdup(unlock->path)))
                        r = -ENOMEM;
        }
        if (r >= 0) {
                q->agent = a;
                r = sd_bus_call_async(a->session, &slot, m, on_posted, q, 0);
        }
        if (r < 0) {
                posted_free(q);
                log_warning_errno(r, "Failed to post a notification: %m");
                return;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, posted_free);
        (void) sd_bus_slot_set_floating(slot, 1);
        sd_bus_slot_unref(slot);
}

/* The name the user knows the card by. */
static const char *who(KCard *c) {
        if (c->holder && *c->holder)
                return c->holder;
        if (c->label && *c->label)
                return c->label;
        return c->model && *c->model ? c->model : "?";
}

static const char *serial(KCard *c) {
        return c->serial && *c->serial ? c->serial : "?";
}

void notify_card_inserted(Agent *a, KCard *c) {
        _cleanup_free_ char *summary = NULL, *body = NULL;

        if (asprintf(&summary, _("Smart card inserted: %s"), who(c)) < 0 ||
            asprintf(&body, _("%s, serial %s"), c->model && *c->model ? c->model : "?", serial(c)) < 0)
                return (void) log_oom();
        post(a, summary, body, URGENCY_LOW, NULL);
}

void notify_pin(Agent *a, KCard *c) {
        _cleanup_free_ char *body = NULL;
        PinState s = c->pin_state;
        const char *summary;
        int r;

        if (s == PIN_STATE_OK) {
                /* A good PIN again: the next trouble is news. */
                c->pin_notified = PIN_STATE_UNKNOWN;
                c->unlock_id = 0;       /* unlocked: its action is void */
                return;
        }
        if (c->pin_notified == s)
                return;
        switch (s) {
        case PIN_STATE_LAST_TRY:
                summary = _("PIN: one try left");
                r = asprintf(&body, _("The PIN of the card of %s (serial %s) has one try left: "
                                      "one more wrong PIN locks it."), who(c), serial(c));
                break;
        case PIN_STATE_LOCKED:
                summary = _("PIN locked");
                r = asprintf(&body, _("The PIN of the card of %s (serial %s) is locked. "
                                      "You can unlock it online with your certificate authority."),
                             who(c), serial(c));
                break;
        case PIN_STATE_BLOCKED:
                summary = _("Smart card blocked");
                r = asprintf(&body, _("The PIN and the PUK of the card of %s (serial %s) are used up: "
                                      "the card cannot be used any more."), who(c), serial(c));
                break;
        default:
                return;         /* unknown tells nothing: keep what was said */
        }
        if (r < 0)
                return (void) log_oom();
        c->pin_notified = s;
        post(a, summary, body, s == PIN_STATE_LAST_TRY ? URGENCY_NORMAL : URGENCY_CRITICAL,
             s == PIN_STATE_LOCKED ? c : NULL);
}

void notify_cert_status(Agent *a, KCard *c, Cert *k, const char *detail) {
        _cleanup_free_ char *body = NULL;
        const char *summary;
        int r;

        if (k->status != KART_CERT_STATUS_REVOKED && k->status != KART_CERT_STATUS_ON_HOLD) {
                if (k->status == KART_CERT_STATUS_GOOD)
                        k->notified = KART_CERT_STATUS_UNKNOWN;
                return;
        }
        if (k->notified == k->status)
                return;
        if (k->status == KART_CERT_STATUS_REVOKED) {
                summary = _("Certificate revoked");
                r = asprintf(&body, _("The certificate “%s” on the card of %s (serial %s) has been "
                                      "revoked and cannot be used any more."), k->label, who(c), serial(c));
        } else {
                summary = _("Certificate suspended");
                r = asprintf(&body, _("The certificate “%s” on the card of %s (serial %s) is on hold: "
                                      "it cannot be used until the certificate authority resumes it."),
                             k->label, who(c), serial(c));
        }
        if (r < 0)
                return (void) log_oom();
        if (detail && *detail) {
                char *t = NULL;
                if (asprintf(&t, "%s\n%s", body, detail) < 0)
                        return (void) log_oom();
                free(body);
                body = t;
        }
        k->notified = k->status;
        post(a, summary, body, URGENCY_CRITICAL, NULL);
}

/* At most once a day per card: the certificate that expires first, if
 * within EXPIRY_WARN_DAYS. */
void notify_expiry(Agent *a, KCard *c) {
        _cleanup_free_ char *body = NULL;
        time_t now = time(NULL);
        int64_t day = now / 86400;
        Cert *first = NULL;
        char date[32];
        struct tm tm;
        long days;

        if (c->expiry_day == day)
                return;
        for (size_t i = 0; i < c->n_certs; i++) {
                Cert *k = &c->certs[i];
                if (k->status == KART_CERT_STATUS_REVOKED || k->not_after <= (uint64_t) now ||
                    k->not_after - now > EXPIRY_WARN_DAYS * 86400ULL)
                        continue;
                if (!first || k->not_after < first->not_after)
                        first = k;
        }
        if (!first)
                return;
        days = (long) ((first->not_after - now) / 86400);
        time_t t = (time_t) first->not_after;
        if (!localtime_r(&t, &tm) || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
                snprintf(date, sizeof(date), "?");
        if (asprintf(&body, ngettext("The certificate “%s” on the card of %s (serial %s) expires "
                                     "in %ld day, on %s. Ask your certificate authority for a new one.",
                                     "The certificate “%s” on the card of %s (serial %s) expires "
                                     "in %ld days, on %s. Ask your certificate authority for a new one.",
                                     days),
                     first->label, who(c), serial(c), days, date) < 0)
                return (void) log_oom();
        c->expiry_day = day;
        post(a, _("Certificate expires soon"), body, URGENCY_NORMAL, NULL);
}

static bool in_path(const char *name) {
        const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        if (!copy)
                return false;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *f = NULL;
                if (asprintf(&f, "%s/%s", d, name) >= 0 && access(f, X_OK) == 0)
                        return true;
        }
        return false;
}

/* kart-gui's unlock wizard, or else kartctl unlock in a terminal; a
 * process of its own, not waited for. */
static void spawn_unlock(const char *card_serial) {
        char *gui[] = { "kart-gui", "--unlock", (char *) card_serial, NULL };
        char *term[] = { NULL, "-e", "kartctl", "unlock", (char *) card_serial, NULL };
        char **argv = gui;
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t all, none;
        extern char **environ;
        pid_t pid;
        int r;

        if (!in_path("kart-gui")) {
                term[0] = in_path("x-terminal-emulator") ? "x-terminal-emulator" : "xterm";
                argv = term;
        }
        sigfillset(&all);
        sigemptyset(&none);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                log_warning_errno(r, "Failed to start %s: %m", argv[0]);
        else
                log_info("Started %s for the card %s (pid %d).", argv[0], card_serial, (int) pid);
}

int notify_action_invoked(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        const char *action, *sender = sd_bus_message_get_sender(m);
        uint32_t id;

        if (sd_bus_message_read(m, "us", &id, &action) < 0 || !streq(action, "unlock") || id == 0)
                return 0;
        for (KCard *c = a->cards; c; c = c->next) {
                if (c->unlock_id != id || !c->present || !c->unlock_sender || !sender ||
                    !streq(c->unlock_sender, sender))
                        continue;
                /* A serial is hex; anything else is not handed to a program. */
                if (!c->serial || !*c->serial || strspn(c->serial, "0123456789abcdefABCDEF") != strlen(c->serial)) {
                        log_warning("The card has no usable serial; not starting the unlock.");
                        return 0;
                }
                spawn_unlock(c->serial);
                return 0;
        }
        return 0;
}
