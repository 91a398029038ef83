/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The wizards over a session with the CA, shared by gui-unlock.c (the
 * window, the verification code, the second factor, the new PIN) and
 * gui-certops.c (the holder's certificates at the CA). */

#include "kart-gui.h"

typedef enum { WIZARD_UNLOCK, WIZARD_CERTIFICATE } WizardKind;

typedef struct Wizard {
        WizardKind kind;
        GtkWindow *window;
        KartCard *card;
        KartSession *session;
        GtkStack *stack;
        GtkWidget *step, *steps[4], *message, *close;
        GtkWidget *code, *code_next;
        GtkWidget *sms_box, *sms_text, *sms_code, *password_box, *password;
        GtkWidget *stored_box, *remember, *note;
        char *pending_password;    /* to store once the CA accepted it */
        gboolean stored_used;
        GtkWidget *new_pin, *repeat, *pin_lengths, *pin_next;
        GtkWidget *progress;       /* AdwStatusPage with a spinner */
        GtkWidget *account, *revoke_serial, *revoke_reason[5];
        GtkWidget *result;         /* AdwStatusPage: what changed */
        const char *done_text;     /* the operation's end, for the result page */
        char *done_serial;
        gboolean ended;
} Wizard;

void wizard_show_page(Wizard *w, const char *name, int step, const char *title);
void wizard_show_error(Wizard *w, const GError *error);
void wizard_show_result(Wizard *w, gboolean success, const char *title, const char *text);
void wizard_show_progress(Wizard *w, const char *title, const char *text);
void wizard_call(Wizard *w, gpointer proxy, const char *method, GVariant *params, GAsyncReadyCallback callback);
GVariant *wizard_finish(Wizard *w, GObject *source, GAsyncResult *result, GError **error);
GtkWidget *wizard_page_box(void);

/* gui-certops.c */
void wizard_list_account(Wizard *w);
GtkWidget *wizard_certops_page(Wizard *w);
