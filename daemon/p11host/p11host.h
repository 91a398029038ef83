/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include <p11-kit/pkcs11.h>

#include "macro.h"

#include "p11host-protocol.h"

/* One line on stderr, "kart-p11-host[NAME]: ...", written at once. Never
 * a PIN, nor anything the module hands over. */
void host_log(const char *format, ...) _printf_(1, 2);
void host_log_set_name(const char *name);

/* p11host-sandbox.c: every step, before the module is loaded. Returns 0,
 * or an exit code with the reason logged. */
int host_sandbox(void);

/* p11host-module.c */
int host_load_module(bool os_locking, CK_FUNCTION_LIST **ret);
/* The module's own list, except that C_Initialize and C_Finalize answer
 * CKR_OK without reaching the module, and what it leaves NULL answers
 * CKR_FUNCTION_NOT_SUPPORTED. */
void host_served_list(const CK_FUNCTION_LIST *module, CK_FUNCTION_LIST *ret);
void host_close_all_sessions(CK_FUNCTION_LIST *module);
