#!/usr/bin/python3
# Every count of the clients through ngettext, in every language kartd
# ships. Usage: plurals.py POT GMO
#   plurals.py counts POT      client messages with a number that are not
#                              plural messages (but for positions: "Step %d
#                              of %d"), one per line
#   plurals.py forms GMO LANG  each plural message for n = 0..3 through
#                              the catalogue (LANG "en": none, the source
#                              language); one line per wrong form: empty,
#                              or with other conversions than the msgid's
import gettext
import re
import sys

CONV = re.compile(r'%(?:\d+\$)?[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[diouxXscp]')
NUMBER = re.compile(r'%(?:\d+\$)?[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[diu]')
# numbers that count nothing
POSITIONS = {'Step %d of %d: %s'}


def unquote(lines):
    return ''.join(eval(line) for line in lines)  # C-style string literals, as in a .po file


def pot_entries(path):
    for block in open(path, encoding='utf-8').read().split('\n\n'):
        refs = ' '.join(re.findall(r'^#: (.*)$', block, re.M))
        fields, key = {}, None
        for line in block.split('\n'):
            m = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d\])?) (".*")$', line)
            if m:
                key = m.group(1)
                fields[key] = [m.group(2)]
            elif line.startswith('"') and key:
                fields[key].append(line)
        if 'msgid' in fields:
            yield refs, unquote(fields['msgid']), unquote(fields['msgid_plural']) if 'msgid_plural' in fields else None


def conversions(s):
    # a translation may say a count in words ("one"): a %d of the msgid
    # may be missing from the singular, never another conversion added
    return [c[-1] for c in CONV.findall(s)]


def counts(pot):
    for refs, msgid, plural in pot_entries(pot):
        if 'client/' in refs and plural is None and msgid and NUMBER.search(msgid) and msgid not in POSITIONS:
            print('%s: %s' % (refs.split()[0], msgid))


def forms(gmo, lang):
    pot = sys.argv[4]
    t = gettext.NullTranslations() if lang == 'en' else gettext.GNUTranslations(open(gmo, 'rb'))
    checked = 0
    for refs, msgid, plural in pot_entries(pot):
        if plural is None:
            continue
        for n in range(4):
            got = t.ngettext(msgid, plural, n)
            want = conversions(plural)
            if not got:
                print('%s n=%d: empty' % (msgid, n))
            elif conversions(got) != want:
                print('%s n=%d: %r has %s, not %s' % (msgid, n, got, conversions(got), want))
            elif lang != 'en' and got in (msgid, plural):
                print('%s n=%d: not translated' % (msgid, n))
            checked += 1
    if checked == 0:
        print('no plural message at all')


if sys.argv[1] == 'counts':
    counts(sys.argv[2])
else:
    forms(sys.argv[2], sys.argv[3])
