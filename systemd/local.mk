systemdsystemunit_DATA = systemd/kartd.service
sysusersdir = $(prefix)/lib/sysusers.d
sysusers_DATA = systemd/kartd.sysusers
# kartd's own polkit rules (dbus/) go to the same directory; this variable
# has its own name so that the two local.mk files do not collide.
pcscdrulesdir = $(datadir)/polkit-1/rules.d
pcscdrules_DATA = systemd/kartd-pcscd.rules
EXTRA_DIST += systemd/kartd.service.in $(sysusers_DATA) $(pcscdrules_DATA)
CLEANFILES += systemd/kartd.service

systemd/kartd.service: systemd/kartd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && sed -e 's|@libexecdir[@]|$(libexecdir)|g' $< > $@

# The journal catalog: what kartd's MESSAGE_IDs mean (English, Turkish).
catalogdir = $(prefix)/lib/systemd/catalog
dist_catalog_DATA = systemd/kartd.catalog
