# kart-gui: the GTK 4 desktop client. Its D-Bus proxies are generated at
# build time from the contract in dbus/ (into the build tree).
gui_dbus_xml = \
	$(top_srcdir)/dbus/org.kartd.Kartd1.Manager.xml \
	$(top_srcdir)/dbus/org.kartd.Kartd1.Card.xml \
	$(top_srcdir)/dbus/org.kartd.Kartd1.Session.xml

gui_sources = \
	client/gui/kart-gui.c client/gui/kart-gui.h \
	client/gui/gui-util.c \
	client/gui/gui-states.c \
	client/gui/gui-cards.c \
	client/gui/gui-certs.c \
	client/gui/gui-pin.c \
	client/gui/gui-unlock.c client/gui/gui-wizard.h \
	client/gui/gui-certops.c \
	client/gui/gui-keyring.c
gui_desktop_in = client/gui/org.kartd.KartGui.desktop.in
EXTRA_DIST += $(gui_desktop_in) $(gui_sources) \
	doc/screenshots
# (the screens the GUI test gathers for doc/screenshots: build-aux/update-screenshots)
clean-local: clean-gui-screens
clean-gui-screens:
	rm -rf tests/integration/screens
.PHONY: clean-gui-screens

if BUILD_GUI
bin_PROGRAMS += client/gui/kart-gui
client_gui_kart_gui_SOURCES = $(gui_sources)
nodist_client_gui_kart_gui_SOURCES = client/gui/kart-dbus.c client/gui/kart-dbus.h
client_gui_kart_gui_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/client/gui
# Generated code: not ours to keep warning-free under -Wshadow and friends.
client_gui_kart_gui_CFLAGS = $(AM_CFLAGS) $(GTK_CFLAGS) $(SYSTEMD_CFLAGS) \
	-DG_LOG_DOMAIN=\"kart-gui\" -Wno-missing-prototypes -Wno-format-nonliteral
client_gui_kart_gui_LDADD = common/libkartcommon.la $(GTK_LIBS) $(SYSTEMD_LIBS) $(LTLIBINTL)
if HAVE_LIBSECRET
client_gui_kart_gui_SOURCES += $(keyring_sources)
client_gui_kart_gui_CFLAGS += $(LIBSECRET_CFLAGS)
client_gui_kart_gui_LDADD += $(LIBSECRET_LIBS)
endif
BUILT_SOURCES += client/gui/kart-dbus.c client/gui/kart-dbus.h
CLEANFILES += client/gui/kart-dbus.c client/gui/kart-dbus.h client/gui/kart-dbus.stamp
CLEANFILES += tests/integration/gui-*.png

# One run writes both files; the stamp keeps parallel make from running it twice.
client/gui/kart-dbus.c client/gui/kart-dbus.h: client/gui/kart-dbus.stamp
client/gui/kart-dbus.stamp: $(gui_dbus_xml)
	$(AM_V_GEN)$(MKDIR_P) client/gui && \
	$(GDBUS_CODEGEN) --interface-prefix org.kartd.Kartd1. --c-namespace Kart \
		--c-generate-autocleanup all \
		--generate-c-code client/gui/kart-dbus $(gui_dbus_xml) && \
	touch $@

# The menu entry, translated from po/ like the polkit policy.
desktopdir = $(datadir)/applications
desktop_DATA = client/gui/org.kartd.KartGui.desktop
CLEANFILES += client/gui/org.kartd.KartGui.desktop
client/gui/org.kartd.KartGui.desktop: $(gui_desktop_in) $(top_srcdir)/po/LINGUAS $(wildcard $(top_srcdir)/po/*.po)
	$(AM_V_GEN)$(MKDIR_P) client/gui && \
	$(MSGFMT) --desktop --template=$< -d $(top_srcdir)/po -o $@.tmp && \
	mv -f $@.tmp $@
endif
