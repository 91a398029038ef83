#!/usr/bin/python3
"""kartd's own bus fuzzer (issue 17, item 3), run by test-bus-fuzz.sh.

usage: bus-fuzz.py --label NAME --calls N --seed S --report FILE
                   [--codes FILE] [--password PW] [--sms-outbox FILE]
                   [--cardsim-ctl SOCKET] [--pin PIN] [--timeout SEC] [--trace FILE]

Reads kartd's introspection from "/" down (again every few dozen calls,
so that sessions are found while they live) and makes N calls on the
system bus ($DBUS_SYSTEM_BUS_ADDRESS): every method of every interface
of every object, kartd's own and the standard ones (Properties,
Introspectable, Peer, ObjectManager), with arguments of the right
signature, from boundary values and from what earlier answers said
(paths, serials, certificate IDs), and of wrong ones (missing, extra,
other types, none); Get, GetAll and Set of every property; unknown
members, interfaces and objects; bursts of calls at once; calls left
behind on a connection closed at once; a call carrying a file
descriptor. The PRNG is seeded with S: a run is repeatable as far as
kartd's answers are.

With --codes (one verification code a line, "unblock CODE" or "cert
CODE"), the password and the SMS outbox it also opens sessions and goes
through them (a second factor, a new PIN, certificate operations), so
that the methods of a live session are called in every state.

The option force is never true: a{sv} values are scanned before they go
out, and a message with force=true anywhere is not sent.

With --cardsim-ctl (root only) it asks the simulated card for its PIN and
PUK counters after every call that may reach the card, and records the
lowest counts seen.

Writes FILE (JSON): calls made, answers by error name, errors outside the
allowed names, calls not answered within --timeout (25 s, busctl's and
GDBus's default), the slowest calls, a property Set that was accepted,
answers whose signature is not the introspected one, guarded calls that
succeeded, methods and properties never reached, the lowest PIN/PUK
counts seen. The judging is test-bus-fuzz.sh's; exit status 0 unless the
fuzzer itself failed.
"""
import argparse
import json
import os
import random
import socket
import sys
import time
import xml.etree.ElementTree as ET

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

NAME = "org.kartd.Kartd1"
ROOT = "/org/kartd/Kartd1"
OWN_PREFIX = "org.kartd.Kartd1."
ERROR_PREFIX = "org.kartd.Kartd1.Error."

# kartd's own error names: the table shared with the clients
# (common/kart-error.h); an org.kartd.Kartd1.Error.* name missing here is
# one no client knows how to say, and counts as unexpected. Failed, the
# table's catch-all, too: kartd answers it for its own failures (a card
# it could not read, a call it could not resume, argument bounds that do
# not fit a signature), which, with a healthy card, CA service and bus,
# no caller's arguments may reach.
KART_ERRORS = {
    "NoCard", "CardRemoved", "CardChanged", "WrongPin", "LastTry", "PinLocked",
    "CardBlocked", "InvalidPin", "NotSupported", "Busy", "NotAuthorized",
    "BackendUnavailable", "BackendRejected", "VerificationCodeInvalid",
    "SecondFactorInvalid", "SessionExpired", "Cancelled", "Timeout",
    "CardUnavailable",
}
# The standard names a caller may get, and why:
#   UnknownMethod, UnknownInterface, UnknownObject, UnknownProperty: sd-bus,
#     for a member, interface, object or property that is not there (a
#     session that went away is UnknownObject);
#   InvalidArgs: sd-bus for a wrong signature, kartd for a bad value;
#   PropertyReadOnly: sd-bus for Set (every property is read-only);
#   AccessDenied: dbus-daemon's policy (a plain user may only send kartd's
#     and the four standard interfaces);
#   NotSupported: dbus-daemon, for a call carrying a file descriptor
#     (kartd takes none).
# Not allowed: NoReply, Timeout, TimedOut (kartd did not answer in time),
# ServiceUnknown, NameHasNoOwner, Disconnected (kartd died or dropped us),
# NoMemory, Failed, LimitsExceeded and sd-bus's System.Error.* (an errno
# that escaped kartd without its own name).
STANDARD_ERRORS = {
    "org.freedesktop.DBus.Error." + n for n in (
        "UnknownMethod", "UnknownInterface", "UnknownObject", "UnknownProperty",
        "InvalidArgs", "PropertyReadOnly", "AccessDenied", "NotSupported")
}
ALLOWED_ERRORS = {ERROR_PREFIX + n for n in KART_ERRORS} | STANDARD_ERRORS

# Methods a user not at the active seat may not use (README, "Who may do
# what"): a success of one of these on the plain user's pass is reported.
GUARDED = {
    "org.kartd.Kartd1.Card.VerifyPin", "org.kartd.Kartd1.Card.ChangePin",
    "org.kartd.Kartd1.Card.Unlock", "org.kartd.Kartd1.Card.CertificateSession",
} | {"org.kartd.Kartd1.Session." + m for m in (
    "SendSms", "Confirm", "SetPin", "ListAccountCertificates", "Suspend", "Resume", "Revoke", "Cancel")}
# Calls after which the card's counters are read (they may reach the card).
CARD_METHODS = {"VerifyPin", "ChangePin", "SetPin", "Unlock"}

BASIC = "ybnqiuxtdsog"

# ------------------------------------------------------------------ signatures


def split_signature(sig):
    """'sa{sv}(ii)' -> ['s', 'a{sv}', '(ii)']"""
    out, i = [], 0
    while i < len(sig):
        j = complete_type_end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def complete_type_end(sig, i):
    c = sig[i]
    if c == "a":
        return complete_type_end(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        i += 1
        while sig[i] != close:
            i = complete_type_end(sig, i)
        return i + 1
    return i + 1


def random_type(rng, depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.55:
        return rng.choice(BASIC + "v" if depth < 3 else BASIC)
    if r < 0.75:
        return "a" + random_type(rng, depth + 1)
    if r < 0.87:
        return "a{" + rng.choice(BASIC) + random_type(rng, depth + 1) + "}"
    return "(" + "".join(random_type(rng, depth + 1) for _ in range(rng.randint(1, 3))) + ")"


def random_signature(rng, n=None):
    n = rng.randint(0, 4) if n is None else n
    return "".join(random_type(rng) for _ in range(n))

# ------------------------------------------------------------------ values

INTS = {
    "y": (0, 255), "n": (-(1 << 15), (1 << 15) - 1), "q": (0, (1 << 16) - 1),
    "i": (-(1 << 31), (1 << 31) - 1), "u": (0, (1 << 32) - 1),
    "x": (-(1 << 63), (1 << 63) - 1), "t": (0, (1 << 64) - 1),
}
STR_LENGTHS = (0, 1, 5, 6, 7, 8, 9, 31, 32, 33, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4096, 65536)
ODD_TEXT = (
    "", " ", "\t", "\n", "\r\n", "\x01", "\x7f", "\u00a0", "\u200b", "\u200e", "\u202e", "\ufeff",
    "\u0301", "e\u0301", "\u0130", "\u0131", "ş", "İstanbul", "\U0001f512", "\U0010fffd", "\ud7ff",
    "\ufffd", "\u2028", "%s%n%x", "%999999999d", "\\", "\"", "'", "../../../etc/passwd", "$(id)",
    "`id`", ";id", "{\"a\":1}", "null", "[]", "<x/>", "&amp;", "--", "-", "0", "-1", "00",
    "٠١٢٣٤٥", "１２３４５６", "১২৩৪৫৬", "123456\n", " 123456", "123456 ", "12345\u0036",
    "４b41525400000001", "4B41525400000001", "4b41525400000001", "4b415254000000010",
    "/org/kartd/Kartd1", "sms", "password", "SMS", "Password", "force", "true", "yes", "1",
)


def rand_text(rng, n):
    if n > 256:     # long ones: a random piece, repeated
        piece = rand_text(rng, 256)
        return (piece * (n // 256 + 1))[:n]
    kind = rng.random()
    if kind < 0.3:
        return "".join(rng.choice("0123456789") for _ in range(n))
    if kind < 0.5:
        return rng.choice("0123456789ABCDEFabcdef-") * n
    if kind < 0.75:
        return "".join(chr(rng.randint(0x20, 0x7e)) for _ in range(n))
    s = []
    while len(s) < n:
        c = rng.randint(1, 0x10ffff)
        if 0xd800 <= c <= 0xdfff or c in (0xfffe, 0xffff) or (c & 0xfffe) == 0xfffe or 0xfdd0 <= c <= 0xfdef:
            continue
        s.append(chr(c))
    return "".join(s)


class Gen:
    """Values for one signature; `hint` is the argument's introspected name."""

    def __init__(self, rng, fuzz):
        self.rng = rng
        self.fuzz = fuzz
        self.reset()

    def reset(self):
        """A new budget: what is generated until the next reset (a call,
        or the calls of a burst) holds at most this many array elements
        and about this many bytes of strings."""
        self.elems = 1024
        self.bytes = 256 * 1024

    def take(self, n):
        """n bytes if the budget has them, else what is left."""
        n = max(0, min(n, self.bytes))
        self.bytes -= n
        return n

    def string(self):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return rng.choice(ODD_TEXT)
        if r < 0.45 and self.fuzz.strings:
            return rng.choice(self.fuzz.strings)
        if r < 0.6:
            return rng.choice(ODD_TEXT) + rand_text(rng, self.take(rng.choice(STR_LENGTHS[:12]))) + rng.choice(ODD_TEXT)
        return rand_text(rng, self.take(rng.choice(STR_LENGTHS)))

    def path(self):
        rng = self.rng
        r = rng.random()
        if r < 0.5 and self.fuzz.paths:
            return rng.choice(sorted(self.fuzz.paths))
        if r < 0.6:
            return "/"
        if r < 0.7:
            return "/" + "/".join("a" for _ in range(rng.choice((1, 10, 200, 2000))))
        if r < 0.8:
            return ROOT + "/card/_" + "".join(rng.choice("0123456789abcdef_") for _ in range(rng.choice((0, 1, 17, 64))))
        if r < 0.9:
            return ROOT + "/session/" + str(rng.choice((0, 1, 2, 99, 4294967295, 18446744073709551615)))
        return "/" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_0123456789") for _ in range(rng.randint(1, 40)))

    def signature_value(self):
        r = self.rng.random()
        if r < 0.3:
            return ""
        if r < 0.4:
            return "a{sv}" * self.rng.choice((1, 10, 50))
        return random_signature(self.rng, self.rng.randint(1, 3))

    def basic(self, t):
        rng = self.rng
        if t == "b":
            return GLib.Variant("b", rng.random() < 0.5)
        if t in INTS:
            lo, hi = INTS[t]
            return GLib.Variant(t, rng.choice((lo, hi, 0, 1, lo + 1, hi - 1, rng.randint(lo, hi),
                                               max(lo, -1), min(hi, 255), min(hi, 256))))
        if t == "d":
            return GLib.Variant("d", rng.choice((0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"),
                                                 1e308, -1e308, 5e-324, rng.uniform(-1e9, 1e9))))
        if t == "s":
            return GLib.Variant("s", self.string())
        if t == "o":
            return GLib.Variant("o", self.path())
        if t == "g":
            return GLib.Variant("g", self.signature_value())
        raise ValueError(t)

    def value(self, t, depth=0):
        """A GLib.Variant of type t, within the budget."""
        rng = self.rng
        c = t[0]
        if c in BASIC:
            self.elems -= 1
            return self.basic(c)
        if c == "v":
            inner = random_type(rng, depth + 1) if depth < 3 else rng.choice(BASIC)
            return GLib.Variant("v", self.value(inner, depth + 1))
        if c == "(":
            return GLib.Variant.new_tuple(*[self.value(x, depth + 1) for x in split_signature(t[1:-1])])
        if c == "a":
            elem = t[1:]
            if elem == "y":
                n = self.take(rng.choice((0, 1, 8, 255, 256, 4096, 65536)))
                piece = bytes(rng.getrandbits(8) for _ in range(min(n, 256)))
                return GLib.Variant("ay", (piece * (n // 256 + 1))[:n])
            n = rng.choice((0, 0, 1, 1, 2, 3, 8, 9, 64, 1000))
            n = max(0, min(n, self.elems))
            self.elems -= n
            if elem[0] == "{":
                kt, vt = split_signature(elem[1:-1])
                kids = []
                for _ in range(n):
                    k, v = self.value(kt, depth + 1), self.value(vt, depth + 1)
                    if kt == "s" and k.get_string() == "force":
                        v = GLib.Variant("v", GLib.Variant("b", False)) if vt == "v" else v
                    kids.append(GLib.Variant.new_dict_entry(k, v))
            else:
                kids = [self.value(elem, depth + 1) for _ in range(n)]
            return GLib.Variant.new_array(GLib.VariantType.new(elem), kids)
        raise ValueError(t)

    # --- values by the argument's name (kartd's contract)

    def pin(self):
        rng = self.rng
        r = rng.random()
        f = self.fuzz
        if r < 0.2:
            return f.pin
        if r < 0.35:
            return "".join(rng.choice("0123456789") for _ in range(rng.choice((6, 7, 8))))
        if r < 0.6:
            return "".join(rng.choice("0123456789") for _ in range(rng.choice((0, 1, 5, 6, 6, 7, 8, 8, 9, 16))))
        if r < 0.65:
            return rng.choice(("٠١٢٣٤٥", "１２３４５６", "১২৩৪৫৬", "123456\n", " 123456", "12345a", "abcdef",
                               "12345678\x01", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667", f.pin + f.pin))
        if r < 0.75:
            return "1" * self.take(rng.choice((254, 255, 256, 1024, 65536)))
        return self.string()

    def options(self):
        rng = self.rng
        r = rng.random()
        entries = []
        if r < 0.4:
            pass
        elif r < 0.55:
            entries = [("force", GLib.Variant("b", False))]
        elif r < 0.7:
            # force with a type other than b: never to be taken for true
            entries = [("force", rng.choice((
                GLib.Variant("i", 1), GLib.Variant("u", 1), GLib.Variant("y", 1), GLib.Variant("s", "true"),
                GLib.Variant("s", "yes"), GLib.Variant("as", ["true"]), GLib.Variant("v", GLib.Variant("b", False)),
                GLib.Variant("a{sv}", {}), GLib.Variant("d", 1.0), GLib.Variant("(b)", (False,)))))]
        elif r < 0.8:
            entries = [("force", GLib.Variant("b", False))] * rng.choice((2, 8, 9))
        else:
            n = rng.choice((1, 2, 7, 8, 9, 64, 300))
            for _ in range(n):
                k = rng.choice(("", "Force", "FORCE", "force ", "x" * 64, "x" * 65, "\u0130", self.string()[:100]))
                if k == "force":
                    k = "forc"
                entries.append((k, self.value(rng.choice(("s", "b", "i", "as", "a{sv}", "v", "ay", "(ss)")))))
        kids = [GLib.Variant.new_dict_entry(GLib.Variant("s", k), GLib.Variant("v", v)) for k, v in entries]
        return GLib.Variant.new_array(GLib.VariantType.new("{sv}"), kids)

    def code(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            # malformed for the CA's service: no wrong try is counted for
            # the card (doc/backend-protocol.md), so the real codes keep working
            return rng.choice(("", "A", "ABCDE", "a" * 33, "ABCD_EFGH_JKLM", "ABCD EFGH JKLM", "ÄBCD-EFGH-JKLM",
                               "abcd-efgh-jklm-", "1" * 64, "1" * 65, "-" * 6, "ABCD-EFGH-JKL1-"))
        if r < 0.45:
            return "-".join("".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4)) for _ in range(2))
        return self.string()

    def secret(self):
        rng = self.rng
        f = self.fuzz
        r = rng.random()
        if r < 0.2 and f.password:
            return f.password
        if r < 0.3:
            code = f.sms_code()
            if code:
                return code
        if r < 0.5:
            return "".join(rng.choice("0123456789") for _ in range(rng.choice((0, 5, 6, 7))))
        if r < 0.6:
            return "p" * self.take(rng.choice((256, 257, 1024, 1025, 65536)))
        return self.string()

    def word(self, choices):
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return rng.choice(choices)
        if r < 0.7 and self.fuzz.strings:
            return rng.choice(self.fuzz.strings)
        return self.string()

    def by_hint(self, t, hint, context):
        """A value for argument `hint` of type t, or None for a plain one."""
        rng = self.rng
        f = self.fuzz
        if rng.random() < 0.1:
            return None
        h = (hint or "").lower()
        if t == "s" and "pin" in h:
            return GLib.Variant("s", self.pin())
        if t == "a{sv}" and h == "options":
            return self.options()
        if t == "s" and h == "verification_code":
            return GLib.Variant("s", self.code())
        if t == "s" and h == "serial":
            return GLib.Variant("s", self.word(["4b41525400000001", "4B41525400000001", "", "00", "ff" * 64,
                                                "4b415254000000010", "4b4152540000000"]))
        if t == "s" and h == "id":
            return GLib.Variant("s", rng.choice(f.cert_ids) if rng.random() < 0.4 else
                                self.word(f.cert_ids + ["", "00", "0", "ff", "FF", "010", "1" * 64, "zz"]))
        if t == "s" and h == "method":
            return GLib.Variant("s", self.word(["sms", "password", "sms", "password", "", "SMS", "otp"]))
        if t == "s" and h == "secret":
            return GLib.Variant("s", self.secret())
        if t == "s" and h in ("cert", "confirm_serial"):
            return GLib.Variant("s", rng.choice(f.cert_serials) if f.cert_serials and rng.random() < 0.4 else
                                self.word(f.cert_serials + ["", "00", "ZZ", "1" * 64, "1" * 65]))
        if t == "s" and h == "reason":
            return GLib.Variant("s", self.word(["unspecified", "keyCompromise", "affiliationChanged", "superseded",
                                                "cessationOfOperation", "certificateHold", "removeFromCRL", ""]))
        if t == "s" and "interface" in h:
            return GLib.Variant("s", self.word(sorted(f.all_ifaces) + ["", "org.kartd.Kartd1", "org.kartd.Kartd1.Nope",
                                                                        "org..x", "x" * 300]))
        if t == "s" and "property" in h:
            return GLib.Variant("s", self.word(sorted(f.all_props) + ["", "pinstate", "Nope", "x" * 300]))
        return None

    def args(self, in_args, context):
        return GLib.Variant.new_tuple(*[self.by_hint(t, n, context) or self.value(t) for t, n in in_args])

# ------------------------------------------------------------------ the fuzzer


def contains_force_true(v):
    """True if v holds a dict entry "force" -> b true (through variants)."""
    t = v.get_type_string()
    if "v" not in t and "{sb}" not in t:
        return False
    if t == "v":
        return contains_force_true(v.get_variant())
    if t.startswith("{"):
        k = v.get_child_value(0)
        val = v.get_child_value(1)
        if k.get_type_string() == "s" and k.get_string() == "force":
            inner = val
            while inner.get_type_string() == "v":
                inner = inner.get_variant()
            if inner.get_type_string() == "b" and inner.get_boolean():
                return True
        return contains_force_true(val)
    if t[0] in "a(":
        return any(contains_force_true(v.get_child_value(i)) for i in range(v.n_children()))
    return False


def connect():
    """A private connection to the system bus: unlike the shared one, it
    does not end the process when the bus closes it."""
    return Gio.DBusConnection.new_for_address_sync(
        Gio.dbus_address_get_for_bus_sync(Gio.BusType.SYSTEM, None),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


class Fuzz:
    def __init__(self, opts):
        self.o = opts
        self.rng = random.Random(opts.seed)
        self.gen = Gen(self.rng, self)
        self.timeout_ms = int(opts.timeout * 1000)
        self.bus = connect()
        self.objects = {}     # path -> {iface: {"methods": {name: (in [(t, n)], out sig)}, "props": {name: t}}}
        self.paths = set()
        self.strings = []
        self.all_ifaces = set()
        self.all_props = set()
        self.cert_ids = ["01", "02", "03"]
        self.cert_serials = []
        self.pin = opts.pin
        self.password = opts.password
        self.codes = []
        if opts.codes:
            with open(opts.codes) as f:
                self.codes = [tuple(line.split()) for line in f if len(line.split()) == 2]
        self.calls = 0
        self.by_error = {}
        self.unexpected = []
        self.unexpected_n = 0
        self.timeouts = []
        self.slowest = []
        self.set_accepted = []
        self.bad_reply = []
        self.guarded_ok = []
        self.called_ok_sig = set()    # iface.member called with the right signature
        self.props_read = set()
        self.known_methods = set()
        self.known_props = set()
        self.sessions_made = 0
        self.sessions_seen = set()
        self.pin_min = None
        self.puk_min = None
        self.pin_zero = []
        self.kartd_gone = None
        self.kartd_pid = self.owner_pid()
        self.kinds = {}
        self.internal = []
        self.internal_n = 0
        self.examples = {}
        self.force_skipped = 0
        self.trace = open(opts.trace, "w") if opts.trace else None
        self.guide_confirm = False
        self.per_method = {}
        self.call_seconds = 0.0

    # --- helpers

    def owner_pid(self):
        try:
            r = self.bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "GetConnectionUnixProcessID", GLib.Variant("(s)", (NAME,)), None,
                                   Gio.DBusCallFlags.NONE, 5000, None)
            return r.unpack()[0]
        except GLib.Error:
            return None

    def cardsim(self, cmd):
        if not self.o.cardsim_ctl:
            return None
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(self.o.cardsim_ctl)
            s.sendall((cmd + "\n").encode())
            data = b""
            while b"\n" not in data:
                k = s.recv(256)
                if not k:
                    break
                data += k
            return data.decode().split()
        finally:
            s.close()

    def watch_card(self, why):
        got = self.cardsim("pin-tries")
        if not got or got[0] != "ok":
            return
        pin, puk = int(got[1]), int(got[2])
        self.pin_min = pin if self.pin_min is None else min(self.pin_min, pin)
        self.puk_min = puk if self.puk_min is None else min(self.puk_min, puk)
        if pin == 0 and len(self.pin_zero) < 10:
            self.pin_zero.append(why)
        got = self.cardsim("get-pin")
        if got and got[0] == "ok" and len(got) > 1:
            self.pin = got[1]

    def sms_code(self):
        try:
            with open(self.o.sms_outbox) as f:
                lines = f.read().split("\n")
            for line in reversed(lines):
                if line.split()[2:3]:
                    return line.split()[2]
        except (OSError, TypeError, IndexError):
            pass
        return None

    def harvest(self, v):
        """Paths, serials, IDs from an answer, for later arguments."""
        t = v.get_type_string()
        if t in ("s", "o"):
            s = v.get_string()
            if t == "o":
                self.paths.add(s)
            if len(s) <= 200 and len(self.strings) < 600 and s not in self.strings:
                self.strings.append(s)
            return
        if t == "v":
            return self.harvest(v.get_variant())
        if t[0] in "a({":
            for i in range(min(v.n_children(), 200)):
                self.harvest(v.get_child_value(i))

    # --- discovery

    def discover(self):
        seen = set()
        todo = ["/"]
        objects = {}
        while todo and len(seen) < 200:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            try:
                r = self.bus.call_sync(NAME, path, "org.freedesktop.DBus.Introspectable", "Introspect", None,
                                       GLib.VariantType("(s)"), Gio.DBusCallFlags.NONE, self.timeout_ms, None)
            except GLib.Error:
                continue
            try:
                root = ET.fromstring(r.unpack()[0])
            except ET.ParseError:
                self.bad_reply.append(f"{path}: Introspect gave XML that does not parse")
                continue
            ifaces = {}
            for i in root.findall("interface"):
                name = i.get("name")
                methods = {}
                for m in i.findall("method"):
                    ins = [(a.get("type"), a.get("name")) for a in m.findall("arg") if a.get("direction", "in") == "in"]
                    outs = "".join(a.get("type") for a in m.findall("arg") if a.get("direction") == "out")
                    methods[m.get("name")] = (ins, outs)
                    self.known_methods.add(f"{name}.{m.get('name')}")
                props = {p.get("name"): p.get("type") for p in i.findall("property")}
                for p in props:
                    self.known_props.add(f"{name}.{p}")
                    self.all_props.add(p)
                self.all_ifaces.add(name)
                ifaces[name] = {"methods": methods, "props": props}
            objects[path] = ifaces
            self.paths.add(path)
            for n in root.findall("node"):
                child = n.get("name")
                if child:
                    todo.append(path.rstrip("/") + "/" + child)
        for p in objects:
            if "/session/" in p:
                self.sessions_seen.add(p)
        self.objects = objects

    def sessions(self):
        return [p for p, i in self.objects.items() if OWN_PREFIX + "Session" in i]

    def cards(self):
        return [p for p, i in self.objects.items() if OWN_PREFIX + "Card" in i]

    # --- one call

    def record(self, what, err, elapsed, label):
        self.calls += 1
        self.call_seconds += elapsed
        if self.trace:
            print(f"{self.calls} {elapsed:.3f} {label} -> {err or 'ok'} {what[:120]}", file=self.trace, flush=True)
        key = err or "ok"
        self.by_error[key] = self.by_error.get(key, 0) + 1
        member = label.split(" ")[1].split("(")[0] if " " in label else label
        pm = self.per_method.setdefault(member, {})
        pm[key] = pm.get(key, 0) + 1
        if key not in self.examples:
            self.examples[key] = f"{label}: {what}"[:300]
        if len(self.slowest) < 5 or elapsed > self.slowest[-1][0]:
            self.slowest.append((elapsed, label))
            self.slowest.sort(key=lambda x: -x[0])
            del self.slowest[5:]
        if err is None:
            return
        if err in ("timeout", "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout",
                   "org.freedesktop.DBus.Error.TimedOut"):
            self.timeouts.append(f"{label}: {err} after {elapsed:.1f} s")
        if err in ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
                   "disconnected") and not self.kartd_gone:
            self.kartd_gone = f"call {self.calls} ({label}): {err}"
        if err not in ALLOWED_ERRORS:
            self.unexpected_n += 1
            if len(self.unexpected) < 30:
                self.unexpected.append(f"{err} from {label}: {what}")

    @staticmethod
    def error_name(e):
        name = Gio.DBusError.get_remote_error(e)
        if name:
            return name
        if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
            return "timeout"
        if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED):
            return "disconnected"
        return f"local:{e.domain}:{e.code}:{e.message}"

    def label(self, path, iface, member, params):
        sig = params.get_type_string() if params is not None else "()"
        return f"{path} {iface}.{member}{sig}"

    def call(self, path, iface, member, params, kind, expect_out=None, check=None):
        """One synchronous call; returns the answer (Variant) or None."""
        if params is not None and contains_force_true(params):
            self.force_skipped += 1     # (not sent: never force=true)
            return None, "not sent", ""
        flags = Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION if self.rng.random() < 0.3 else Gio.DBusCallFlags.NONE
        label = self.label(path, iface, member, params)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        t0 = time.monotonic()
        err, msg, reply = None, "", None
        try:
            if iface is None:
                # (call_sync wants an interface; the message does not)
                m = Gio.DBusMessage.new_method_call(NAME, path, None, member)
                if params is not None:
                    m.set_body(params)
                ans, _ = self.bus.send_message_with_reply_sync(m, Gio.DBusSendMessageFlags.NONE, self.timeout_ms, None)
                ans.to_gerror()
                reply = ans.get_body() or GLib.Variant.new_tuple()
            else:
                reply = self.bus.call_sync(NAME, path, iface, member, params, None, flags, self.timeout_ms, None)
        except GLib.Error as e:
            err, msg = self.error_name(e), e.message
        elapsed = time.monotonic() - t0
        self.record(msg[:200], err, elapsed, label)
        if err == "disconnected":
            self.bus = connect()
        if err == "org.freedesktop.DBus.Error.UnknownObject" or (err is None and member == "Cancel"):
            self.objects.pop(path, None)    # (a session gone: rediscovered if not)
        if reply is not None:
            self.harvest(reply)
            if expect_out is not None and reply.get_type_string() != f"({expect_out})" and len(self.bad_reply) < 20:
                self.bad_reply.append(f"{label} answered {reply.get_type_string()}, not ({expect_out})")
            if check:
                check(reply, label)
        return reply, err, msg

    # --- what to call

    def pick_object(self, iface_prefix=None):
        objs = [p for p, i in self.objects.items() if not iface_prefix or any(n.startswith(iface_prefix) for n in i)]
        if not objs:
            return None
        # sessions are rare but matter: favour them while they live
        sess = [p for p in objs if "/session/" in p]
        if sess and self.rng.random() < 0.3:
            return self.rng.choice(sess)
        return self.rng.choice(objs)

    def own_targets(self):
        return [(p, i, m) for p, ifs in self.objects.items() for i, d in ifs.items()
                if i.startswith(OWN_PREFIX) for m in d["methods"]]

    def own_method(self, wrong=False):
        """One of kartd's methods, each as likely (a live session's too)."""
        own = self.own_targets()
        if not own:
            return
        path, iface, member = self.rng.choice(own)
        if member == "Cancel" and self.rng.random() < 0.7:
            path, iface, member = self.rng.choice(own)  # (so that sessions live a while)
        self.method(path, iface, member, wrong)

    def std_method(self, wrong=False):
        path = self.pick_object()
        if not path:
            return
        std = [(i, m) for i, d in self.objects[path].items() if not i.startswith(OWN_PREFIX) for m in d["methods"]]
        if not std:
            return
        iface, member = self.rng.choice(std)
        self.method(path, iface, member, wrong)

    def wrong_params(self, in_args):
        rng = self.rng
        sig = [t for t, _ in in_args]
        r = rng.random()
        if r < 0.25 and sig:
            sig = sig[:rng.randrange(len(sig))]                     # missing
        elif r < 0.5:
            sig = sig + [random_type(rng) for _ in range(rng.randint(1, 3))]   # extra
        elif r < 0.75 and sig:
            i = rng.randrange(len(sig))                                # one of another type
            sig[i] = random_type(rng)
        else:
            sig = split_signature(random_signature(rng))
        if sig == [t for t, _ in in_args]:
            sig = sig + ["s"]
        return GLib.Variant.new_tuple(*[self.gen.value(t) for t in sig])

    def method(self, path, iface, member, wrong=False):
        ins, outs = self.objects[path][iface]["methods"][member]
        name = f"{iface}.{member}"
        if wrong:
            params = self.wrong_params(ins)
            self.call(path, iface, member, params, "wrong-signature")
            return
        params = self.gen.args(ins, path)
        guided, self.guide_confirm = self.guide_confirm, False
        if guided:
            params = GLib.Variant("(ss)", ("password", self.password))
        elif iface == OWN_PREFIX + "Session" and self.rng.random() < 0.3:
            # the right second factor, a new PIN of the right form
            if member == "Confirm" and self.rng.random() < 0.5 and self.password:
                params = GLib.Variant("(ss)", ("password", self.password))
            elif member == "Confirm" and self.sms_code():
                params = GLib.Variant("(ss)", ("sms", self.sms_code()))
            elif member == "SetPin":
                params = GLib.Variant("(s)", ("".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(6, 8))),))
        check = None
        if iface == "org.freedesktop.DBus.Properties" and member == "Set":
            check = self.set_accepted_check
        reply, err, _ = self.call(path, iface, member, params, "method", expect_out=outs, check=check)
        if err not in ("org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
                       "org.freedesktop.DBus.Error.UnknownInterface", "not sent"):
            self.called_ok_sig.add(name)    # (a session gone in between is not reached)
        if err is None and name in GUARDED and self.o.label != "root":
            self.guarded_ok.append(f"{self.label(path, iface, member, params)} succeeded")
        if err is None and member in ("Unlock", "CertificateSession"):
            self.sessions_made += 1
            self.discover()
        if err is None and iface == OWN_PREFIX + "Session" and member == "ListAccountCertificates":
            for c in reply.unpack()[0]:
                if c[0] not in self.cert_serials:
                    self.cert_serials.append(c[0])
        if err is None and member == "ListCertificates":
            for c in reply.unpack()[0]:
                if c[0] not in self.cert_ids:
                    self.cert_ids.append(c[0])
        if member in CARD_METHODS or (iface.endswith("Session") and member == "Confirm"):
            self.watch_card(self.label(path, iface, member, params))
        if err is None and iface == OWN_PREFIX + "Session" and member == "Confirm" and (guided or self.rng.random() < 0.7):
            # authorized: what the session is for, at once (an unlock
            # session writes the card; a certificate one lists them)
            pin = "".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(6, 8)))
            self.call(path, iface, "SetPin", GLib.Variant("(s)", (pin,)), "method", expect_out="")
            self.watch_card(f"{path} SetPin")
            self.call(path, iface, "ListAccountCertificates", None, "method", expect_out="a(sstss)")

    def set_accepted_check(self, reply, label):
        self.set_accepted.append(f"{label} was accepted")

    def property_call(self, path=None):
        rng = self.rng
        path = path or self.pick_object()
        if not path:
            return
        ifaces = self.objects[path]
        with_props = [i for i, d in ifaces.items() if d["props"]]
        r = rng.random()
        P = "org.freedesktop.DBus.Properties"
        if with_props and r < 0.5:
            iface = rng.choice(with_props)
            prop = rng.choice(sorted(ifaces[iface]["props"]))
            t = ifaces[iface]["props"][prop]

            def check(reply, label, t=t):
                inner = reply.get_child_value(0).get_variant()
                if inner.get_type_string() != t and len(self.bad_reply) < 20:
                    self.bad_reply.append(f"{label} ({prop}) gave {inner.get_type_string()}, not {t}")
            _, err, _ = self.call(path, P, "Get", GLib.Variant("(ss)", (iface, prop)), "get", "v", check)
            if err is None:
                self.props_read.add(f"{iface}.{prop}")
        elif with_props and r < 0.7:
            iface = rng.choice(with_props)
            props = ifaces[iface]["props"]

            def check(reply, label):
                d = reply.get_child_value(0)
                for i in range(d.n_children()):
                    e = d.get_child_value(i)
                    k = e.get_child_value(0).get_string()
                    vt = e.get_child_value(1).get_variant().get_type_string()
                    if k in props and props[k] != vt and len(self.bad_reply) < 20:
                        self.bad_reply.append(f"{label}: {k} is {vt}, not {props[k]}")
                    if k in props:
                        self.props_read.add(f"{iface}.{k}")
            self.call(path, P, "GetAll", GLib.Variant("(s)", (iface,)), "getall", "a{sv}", check)
        elif r < 0.85:
            # Set: every property is read-only
            iface = rng.choice(with_props or list(ifaces) or [OWN_PREFIX + "Manager"])
            props = ifaces.get(iface, {}).get("props") or {"Nope": "s"}
            prop = rng.choice(sorted(props))
            t = props[prop] if rng.random() < 0.6 else random_type(rng)
            v = GLib.Variant("v", self.gen.value(t))
            self.call(path, P, "Set", GLib.Variant.new_tuple(GLib.Variant("s", iface), GLib.Variant("s", prop), v),
                      "set", check=self.set_accepted_check)
        else:
            # unknown interfaces and properties
            iface = rng.choice(["", "org.kartd.Kartd1.Nope", "org.freedesktop.DBus.Properties", OWN_PREFIX + "Card",
                                OWN_PREFIX + "Session", self.gen.string()[:255]])
            prop = rng.choice(["", "Nope", "pinstate", self.gen.string()[:255]])
            if rng.random() < 0.5:
                self.call(path, P, "Get", GLib.Variant("(ss)", (iface, prop)), "get-unknown")
            else:
                self.call(path, P, "GetAll", GLib.Variant("(s)", (iface,)), "getall-unknown")

    def unknown_call(self):
        rng = self.rng
        r = rng.random()
        g = self.gen
        if r < 0.3:
            path = self.pick_object() or ROOT
            iface = rng.choice(sorted(self.objects.get(path, {})) or [OWN_PREFIX + "Manager"])
            member = rng.choice(["Nope", "verifyPin", "VerifyPIN", "Get", "Introspect", "_", "X" * 255])
            self.call(path, iface, member, g.value("(" + random_signature(rng) + ")"), "unknown-member")
        elif r < 0.5:
            path = self.pick_object() or ROOT
            iface = rng.choice(["org.kartd.Kartd1.Nope", "org.kartd.Kartd1", "org.freedesktop.DBus.Nope", "a.b",
                                "org.kartd.Kartd1.Card" if "Card" not in str(self.objects.get(path)) else "a.b"])
            own = [(i, m) for d in [self.objects.get(path, {})] for i, x in d.items() for m in x["methods"]]
            member = rng.choice(own)[1] if own else "Ping"
            self.call(path, iface, member, g.value("(" + random_signature(rng) + ")"), "unknown-interface")
        elif r < 0.7:
            path = g.path()
            iface, member = rng.choice([(OWN_PREFIX + "Card", "VerifyPin"), (OWN_PREFIX + "Session", "Cancel"),
                                        ("org.freedesktop.DBus.Properties", "GetAll"),
                                        ("org.freedesktop.DBus.Introspectable", "Introspect"),
                                        (OWN_PREFIX + "Manager", "GetCardBySerial")])
            if member == "VerifyPin":
                params = GLib.Variant.new_tuple(GLib.Variant("s", g.pin()), g.options())
            elif member == "GetAll":
                params = GLib.Variant("(s)", (OWN_PREFIX + "Card",))
            elif member == "GetCardBySerial":
                params = GLib.Variant("(s)", ("4b41525400000001",))
            else:
                params = None
            self.call(path, iface, member, params, "unknown-object")
        elif r < 0.85:
            # a method of one of kartd's interfaces on an object without it
            path = self.pick_object() or ROOT
            iface, member = rng.choice([(OWN_PREFIX + "Card", "VerifyPin"), (OWN_PREFIX + "Session", "SetPin"),
                                        (OWN_PREFIX + "Manager", "GetCardBySerial"), (OWN_PREFIX + "Card", "Unlock")])
            if member == "GetCardBySerial":
                params = GLib.Variant("(s)", ("4b41525400000001",))
            elif member == "SetPin":
                params = GLib.Variant("(s)", (g.pin(),))
            else:
                params = GLib.Variant.new_tuple(GLib.Variant("s", g.pin()), g.options())
            self.call(path, iface, member, params, "misplaced")
        else:
            # no interface field: sd-bus looks the member up on the object
            path = self.pick_object() or ROOT
            own = [m for d in self.objects.get(path, {}).values() for m in d["methods"]]
            member = rng.choice(own or ["Ping"])
            self.call(path, None, member, g.value("(" + random_signature(rng) + ")"), "no-interface")

    def right_params(self, path, iface, member):
        ins, _ = self.objects[path][iface]["methods"][member]
        p = self.gen.args(ins, path)
        return p if not contains_force_true(p) else None

    def burst(self):
        """Several calls at once on one connection; waits for all."""
        rng = self.rng
        n = rng.randint(2, 8)
        targets = []
        for _ in range(n):
            path = self.pick_object(OWN_PREFIX)
            if not path:
                return
            own = [(i, m) for i, d in self.objects[path].items() for m in d["methods"]]
            if not own:
                continue
            iface, member = rng.choice(own)
            params = self.right_params(path, iface, member)
            if params is not None:
                targets.append((path, iface, member, params))
        ctx = GLib.MainContext.default()
        left = [len(targets)]

        def done(bus, res, data):
            label, t0 = data
            err, msg = None, ""
            try:
                bus.call_finish(res)
            except GLib.Error as e:
                err, msg = self.error_name(e), e.message
            self.record(msg[:200], err, time.monotonic() - t0, label)
            left[0] -= 1
        self.kinds["burst"] = self.kinds.get("burst", 0) + len(targets)
        for path, iface, member, params in targets:
            self.bus.call(NAME, path, iface, member, params, None, Gio.DBusCallFlags.NONE, self.timeout_ms, None,
                          done, (self.label(path, iface, member, params), time.monotonic()))
        while left[0] > 0:
            ctx.iteration(True)
        if any(m in CARD_METHODS for _, _, m, _ in targets):
            self.watch_card("a burst")

    def abandoned(self):
        """Calls on a connection closed before their answers."""
        rng = self.rng
        conn = connect()
        n = 0
        for _ in range(rng.randint(1, 4)):
            path = self.pick_object(OWN_PREFIX)
            if not path:
                break
            own = [(i, m) for i, d in self.objects[path].items() for m in d["methods"]]
            if not own:
                continue
            iface, member = rng.choice(own)
            params = self.right_params(path, iface, member)
            if params is None:
                continue
            msg = Gio.DBusMessage.new_method_call(NAME, path, iface, member)
            msg.set_body(params)
            conn.send_message(msg, Gio.DBusSendMessageFlags.NONE)
            n += 1
        conn.flush_sync(None)
        conn.close_sync(None)
        self.kinds["abandoned"] = self.kinds.get("abandoned", 0) + n
        self.calls += n

    def with_fd(self):
        """A call carrying a file descriptor: dbus-daemon's NotSupported."""
        path = self.pick_object(OWN_PREFIX) or ROOT
        own = [(i, m) for i, d in self.objects.get(path, {}).items() for m in d["methods"]]
        if not own:
            return
        iface, member = self.rng.choice(own)
        fds = Gio.UnixFDList.new()
        fd = os.open("/dev/null", os.O_RDONLY)
        fds.append(fd)
        os.close(fd)
        params = GLib.Variant.new_tuple(GLib.Variant("h", 0)) if self.rng.random() < 0.5 else self.right_params(path, iface, member)
        label = self.label(path, iface, member, params)
        # On a connection of its own: dbus-daemon 1.14 keeps a pending
        # reply for each call it refuses for its descriptor, and after 128
        # (max_replies_per_connection) it refuses every call of that
        # connection with LimitsExceeded.
        conn = connect()
        t0 = time.monotonic()
        err, msg = None, ""
        try:
            conn.call_with_unix_fd_list_sync(NAME, path, iface, member, params, None, Gio.DBusCallFlags.NONE,
                                             self.timeout_ms, fds, None)
        except GLib.Error as e:
            err, msg = self.error_name(e), e.message
        conn.close_sync(None)
        self.kinds["fd"] = self.kinds.get("fd", 0) + 1
        self.record(msg[:200], err, time.monotonic() - t0, label + " +fd")

    def keep_session(self):
        """While codes are left and no session lives: open one with a real code."""
        if not self.codes or self.sessions() or not self.cards():
            return False
        purpose, code = self.codes.pop(0)
        card = self.rng.choice(self.cards())
        member = "Unlock" if purpose == "unblock" else "CertificateSession"
        reply, err, _ = self.call(card, OWN_PREFIX + "Card", member,
                                  GLib.Variant("(sa{sv})", (code, {})), "session-start",
                                  expect_out="o")
        self.called_ok_sig.add(OWN_PREFIX + "Card." + member)
        if err is None:
            self.sessions_made += 1
            self.discover()
            if self.password and self.rng.random() < 0.5:
                # half of them go the whole way at once: a second factor,
                # then (in method()) the new PIN or the certificates
                path = reply.unpack()[0]
                if path in self.objects:
                    self.guide_confirm = True
                    self.method(path, OWN_PREFIX + "Session", "Confirm")
        return True

    def run(self):
        self.discover()
        t_start = time.monotonic()
        step = 0
        while self.calls < self.o.calls:
            step += 1
            if self.kartd_gone:
                break
            if step % 40 == 0:
                self.discover()
            self.gen.reset()
            if self.rng.random() < 0.2 and self.keep_session():
                continue
            r = self.rng.random()
            try:
                if r < 0.42:
                    self.own_method()
                elif r < 0.56:
                    self.own_method(wrong=True)
                elif r < 0.70:
                    self.property_call()
                elif r < 0.76:
                    self.std_method(wrong=self.rng.random() < 0.4)
                elif r < 0.86:
                    self.unknown_call()
                elif r < 0.93:
                    self.burst()
                elif r < 0.97:
                    self.abandoned()
                else:
                    self.with_fd()
            except Exception as e:  # the fuzzer's own bug: reported, and on
                self.internal_n += 1
                if len(self.internal) < 10:
                    self.internal.append(f"call {self.calls}: {type(e).__name__}: {e}")
                if self.internal_n > 50:
                    break
        self.watch_card("the end")
        self.discover()
        return time.monotonic() - t_start

    def report(self, seconds):
        own_methods = {m for m in self.known_methods if m.startswith(OWN_PREFIX)}
        own_props = {p for p in self.known_props if p.startswith(OWN_PREFIX)}
        return {
            "label": self.o.label, "seed": self.o.seed, "calls": self.calls, "wanted": self.o.calls,
            "seconds": round(seconds, 1), "seconds_in_calls": round(self.call_seconds, 1), "kartd_pid_start": self.kartd_pid, "kartd_pid_end": self.owner_pid(),
            "kartd_gone": self.kartd_gone, "internal_errors": self.internal, "by_error": dict(sorted(self.by_error.items())), "kinds": self.kinds,
            "examples": self.examples, "force_true_not_sent": self.force_skipped, "per_method": self.per_method, "unexpected_count": self.unexpected_n, "unexpected": self.unexpected, "timeouts": self.timeouts,
            "slowest": [f"{s:.2f} s {lab}" for s, lab in self.slowest],
            "set_accepted": self.set_accepted, "bad_reply": self.bad_reply, "guarded_ok": self.guarded_ok,
            "methods_not_reached": sorted(own_methods - self.called_ok_sig),
            "props_not_read": sorted(own_props - self.props_read),
            "sessions_made": self.sessions_made, "sessions_seen": len(self.sessions_seen),
            "pin_tries_min": self.pin_min, "puk_tries_min": self.puk_min, "pin_zero_after": self.pin_zero,
        }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--codes")
    ap.add_argument("--password")
    ap.add_argument("--sms-outbox")
    ap.add_argument("--cardsim-ctl")
    ap.add_argument("--pin", default="123456")
    ap.add_argument("--timeout", type=float, default=25.0)
    ap.add_argument("--trace", help="every call and its answer, one line each")
    opts = ap.parse_args()
    f = Fuzz(opts)
    seconds = f.run()
    rep = f.report(seconds)
    with open(opts.report, "w") as out:
        json.dump(rep, out, indent=1, ensure_ascii=False)
    print(f"# {opts.label}: {rep['calls']} calls in {rep['seconds']} s (seed {opts.seed}); answers: "
          + ", ".join(f"{k.replace('org.freedesktop.DBus.Error.', 'DBus.').replace(ERROR_PREFIX, '')} {v}"
                      for k, v in rep["by_error"].items()))
    print(f"# {opts.label}: {rep['seconds_in_calls']} s of it waiting for answers; one answer of each kind:")
    for k, v in rep["examples"].items():
        print(f"#   {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
