# kart-notify: the session agent posting desktop notifications on card events.
bin_PROGRAMS += client/notify/kart-notify
client_notify_kart_notify_SOURCES = \
	client/notify/kart-notify.c client/notify/kart-notify.h \
	client/notify/notify-post.c
client_notify_kart_notify_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
client_notify_kart_notify_LDADD = common/libkartcommon.la $(SYSTEMD_LIBS) $(LTLIBINTL)

# Started with every desktop session.
autostartdir = $(sysconfdir)/xdg/autostart
autostart_DATA = client/notify/kart-notify.desktop
# Translated from po/ like kart-gui's menu entry.
client/notify/kart-notify.desktop: client/notify/kart-notify.desktop.in Makefile $(top_srcdir)/po/LINGUAS \
		$(wildcard $(top_srcdir)/po/*.po)
	$(AM_V_GEN)$(MKDIR_P) client/notify && \
	sed -e 's|@bindir[@]|$(bindir)|g' $< >$@.in.tmp && \
	$(MSGFMT) --desktop --template=$@.in.tmp -d $(top_srcdir)/po -o $@.tmp && \
	rm -f $@.in.tmp && mv -f $@.tmp $@
CLEANFILES += client/notify/kart-notify.desktop
EXTRA_DIST += client/notify/kart-notify.desktop.in
