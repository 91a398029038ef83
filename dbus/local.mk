dbuspolicy_DATA = dbus/org.kartd.Kartd1.conf
interfacesdir = $(datadir)/dbus-1/interfaces
interfaces_DATA = \
	dbus/org.kartd.Kartd1.Manager.xml \
	dbus/org.kartd.Kartd1.Reader.xml \
	dbus/org.kartd.Kartd1.Card.xml \
	dbus/org.kartd.Kartd1.Session.xml
dbusservicedir = $(datadir)/dbus-1/system-services
dbusservice_DATA = dbus/org.kartd.Kartd1.service
EXTRA_DIST += $(dbuspolicy_DATA) $(interfaces_DATA) dbus/org.kartd.Kartd1.service.in
CLEANFILES += dbus/org.kartd.Kartd1.service

dbus/org.kartd.Kartd1.service: dbus/org.kartd.Kartd1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dbus && sed -e 's|@libexecdir[@]|$(libexecdir)|g' $< > $@
