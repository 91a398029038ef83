/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <p11-kit/pkcs11.h>

/* Slots, on the module's thread. */

/* The slots with a token present; -E2BIG for more than 64. */
int p11_list_slots(CK_FUNCTION_LIST *f, CK_SLOT_ID **ret, size_t *ret_n);
/* The trimmed description and whether a hardware reader backs the slot;
 * -ENOMEDIUM when no token is in it. */
int p11_slot_describe(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, char **ret, bool *ret_hardware);
/* The slot with a token whose description is reader; -ENOENT. */
int p11_find_slot(CK_FUNCTION_LIST *f, const char *reader, CK_SLOT_ID *ret);
/* The descriptions of the software slots with a token, each once. */
int p11_soft_slots(CK_FUNCTION_LIST *f, char ***ret);
/* Whether the module has a slot no hardware reader backs (with a token or
 * not): only such a slot's tokens come and go without PC/SC seeing it. */
bool p11_has_soft_slot(CK_FUNCTION_LIST *f);
