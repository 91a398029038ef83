/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "kart-error.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"

#define AUDIT_FIELDS_MAX 16

void audit_log(const AuditEntry *a) {
        const char *name = a->result < 0 ? kart_error_name_from_errno(a->result) : NULL;
        const char *outcome = a->result >= 0 ? "ok" : name ? name + strlen(KART_ERROR_PREFIX) : "Failed";
        char id[64], op[64], action[64], serial[96], out[96], uid[48], pid[48], msg[512];
        const char *fields[AUDIT_FIELDS_MAX + 1] = { id, op, action, serial, out, uid, pid };
        size_t n = 7;

        snprintf(id, sizeof id, "MESSAGE_ID=%s", a->message_id);
        snprintf(op, sizeof op, "KART_OPERATION=%s", a->operation);
        snprintf(action, sizeof action, "KART_ACTION=%s", a->action);
        snprintf(serial, sizeof serial, "KART_CARD_SERIAL=%s", strna(a->serial));
        snprintf(out, sizeof out, "KART_OUTCOME=%s", outcome);
        snprintf(uid, sizeof uid, "KART_CALLER_UID=%u", (unsigned) a->caller.uid);
        snprintf(pid, sizeof pid, "KART_CALLER_PID=%u", (unsigned) a->caller.pid);
        for (size_t i = 0; a->fields && a->fields[i] && n < AUDIT_FIELDS_MAX; i++)
                fields[n++] = a->fields[i];
        fields[n] = NULL;
        snprintf(msg, sizeof msg, "Audit: %s on card %s by uid %u: %s%s%s%s.", a->action, strna(a->serial),
                 (unsigned) a->caller.uid, outcome, a->detail ? " (" : "", strempty(a->detail),
                 a->detail ? ")" : "");
        log_struct_fields(LOG_NOTICE, msg, fields);
}
