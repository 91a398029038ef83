/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "log.h"
#include "macro.h"
#include "mailbox.h"

typedef struct Letter {
        struct Letter *next;
        MailboxFunc func, free_func;
        void *userdata;
} Letter;

struct Mailbox {
        pthread_mutex_t lock;
        Letter *head, *tail;
        int fd;
        sd_event_source *source;
};

static void letter_free(Letter *l) {
        if (l->free_func)
                l->free_func(l->userdata);
        free(l);
}

static int on_wakeup(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Mailbox *m = userdata;
        Letter *list;
        uint64_t v;

        (void) !read(m->fd, &v, sizeof v);

        pthread_mutex_lock(&m->lock);
        list = m->head;
        m->head = m->tail = NULL;
        pthread_mutex_unlock(&m->lock);

        while (list) {
                Letter *l = list;

                list = l->next;
                l->func(l->userdata);
                letter_free(l);
        }
        return 0;
}

int mailbox_new(sd_event *event, Mailbox **ret) {
        _cleanup_free_ Mailbox *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        pthread_mutex_init(&m->lock, NULL);
        m->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m->fd < 0)
                return negative_errno();
        r = sd_event_add_io(event, &m->source, m->fd, EPOLLIN, on_wakeup, m);
        if (r < 0) {
                close(m->fd);
                return r;
        }
        (void) sd_event_source_set_description(m->source, "mailbox");
        *ret = TAKE_PTR(m);
        return 0;
}

Mailbox *mailbox_free(Mailbox *m) {
        if (!m)
                return NULL;
        sd_event_source_disable_unref(m->source);
        while (m->head) {
                Letter *l = m->head;

                m->head = l->next;
                letter_free(l);
        }
        close(m->fd);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
}

int mailbox_post(Mailbox *m, MailboxFunc func, void *userdata, MailboxFunc free_func) {
        static const uint64_t one = 1;
        Letter *l;

        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        *l = (Letter) { .func = func, .free_func = free_func, .userdata = userdata };

        pthread_mutex_lock(&m->lock);
        if (m->tail)
                m->tail->next = l;
        else
                m->head = l;
        m->tail = l;
        pthread_mutex_unlock(&m->lock);

        (void) !write(m->fd, &one, sizeof one);
        return 0;
}
