/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writes text to path all at once: into a hidden twin in the same
 * directory (".NAME.tmp", mode 0600), fsync'd, renamed over path, the
 * directory fsync'd. A crash leaves the old content or the new one, never
 * half of it. Returns 0 or -errno. */
int write_file_atomic(const char *path, const char *text);

/* The hidden twin's name for path, newly allocated (NULL on OOM or a
 * path without a directory). */
char *file_atomic_twin(const char *path);

/* The whole of a regular file of at most max bytes, read with read(2)
 * into one buffer of its own (no stdio buffer keeps a copy: the caller
 * may wipe it), NUL-terminated, newly allocated; *ret_len its length.
 * NULL with errno set (EFBIG when larger). */
char *read_file_whole(const char *path, size_t max, size_t *ret_len);
