/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Verification codes, web passwords, SMS codes and the CA session's token
 * pass through jansson (request and answer bodies), libcurl (its request
 * and receive buffers) and OpenSSL (TLS records). Their memory is wiped
 * before it goes back to malloc, so no freed block keeps a secret for a
 * core file or a later leak to show. Call first thing in main(), before
 * any thread and any call into these libraries; returns 0 or -EBUSY when
 * one of them had allocated already (then it keeps its own allocator). */
int wipe_alloc_install(void);
