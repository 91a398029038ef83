/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "conf.h"

/* The PKCS#11 modules p11-kit's registry enables for kartd
 * (/usr/share/p11-kit/modules, /etc/pkcs11/modules; enable-in: and
 * disable-in: with the program name "kartd"), trust policy modules left
 * out: their absolute paths, NULL-terminated. Read at startup, before the
 * loop runs; a registry that cannot be read is logged and gives none. */
int p11_registry_list(char ***ret);

/* Whether two paths name one file (the same path, or a link to it):
 * dlopen() would make one library of them. */
bool p11_same_file(const char *a, const char *b);
/* Appends the registry's modules to c's, after those of Modules= and
 * without those that are one file with them. */
void p11_registry_merge(Pkcs11Config *c);
