# polkit: the action file (translated at build time) and the rules file.
# Included from the top-level Makefile.am.

polkit_actiondir = $(datadir)/polkit-1/actions
polkit_action_DATA = dbus/org.kartd.policy
polkit_rulesdir = $(datadir)/polkit-1/rules.d
polkit_rules_DATA = dbus/org.kartd.rules

# msgfmt picks the XML rules for *.policy(.in) files from the ITS files that
# polkit installs under $(datadir)/gettext/its; po/its holds our own copy so
# that the build does not need polkit's development files. GETTEXTDATADIRS
# is only a fallback: gettext searches its own directories first.
polkit_its_files = po/its/polkit.its po/its/polkit.loc

EXTRA_DIST += dbus/org.kartd.policy.in $(polkit_rules_DATA) $(polkit_its_files)
CLEANFILES += dbus/org.kartd.policy

# The translations are read from the source tree (po/LINGUAS and po/*.po):
# the build tree only ever gets the generated file.
dbus/org.kartd.policy: dbus/org.kartd.policy.in $(top_srcdir)/po/LINGUAS \
		$(wildcard $(top_srcdir)/po/*.po) $(polkit_its_files)
	$(AM_V_GEN)$(MKDIR_P) dbus && \
	GETTEXTDATADIRS='$(top_srcdir)/po'$${GETTEXTDATADIRS:+:$$GETTEXTDATADIRS} \
	$(MSGFMT) --xml --template=$< -d $(top_srcdir)/po -o $@.tmp && \
	mv -f $@.tmp $@
