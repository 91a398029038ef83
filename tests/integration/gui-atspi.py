#!/usr/bin/python3
# What a screen reader gets from an application's windows, read from the
# accessibility bus (AT-SPI): one line per object, "WINDOW<TAB>ROLE<TAB>TEXT",
# TEXT being the object's name, or its contents for a text object.
# Waits up to TIMEOUT seconds until some window has an object whose text
# contains WANT (when given); exit status 0 when found.
# Usage: gui-atspi.py APP-NAME TIMEOUT [WANT]
#
# Or drives the application as a user would, through the same bus:
# gui-atspi.py --drive APP-NAME STEP... where STEP is
#   type:NAME=TEXT     puts TEXT into the text field named NAME
#   press:LABEL        presses the button whose name contains LABEL
#   press:LABEL@NAME   ... the one next to the text field named NAME
#   press:=LABEL       ... whose label is LABEL
#   check:LABEL        activates the check box (a switch), radio or toggle button named LABEL
#   wait:TEXT          waits until some object shows TEXT
# Each step waits up to 15 s for its object; the first that fails ends the
# run with exit status 1.
import sys
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

# libatspi gives a method call 0.8 s by default: on a loaded machine the
# application answers a press later (it opens a dialog first), the press
# then looks failed and would be repeated - a second dialog. Wait longer.
Atspi.set_timeout(20000, 20000)


def walk(node, window, out, depth=0):
    if node is None or depth > 60:
        return
    try:
        role = node.get_role_name()
        name = node.get_name()
        if name:
            out.append((window, role, name))
        if 'Text' in node.get_interfaces():
            text = Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node))
            if text and text != name:
                out.append((window, role, text))
        for i in range(node.get_child_count()):
            walk(node.get_child_at_index(i), window, out, depth + 1)
    except gi.repository.GLib.GError:
        pass  # the object went away meanwhile


def snapshot(app_name):
    desktop = Atspi.get_desktop(0)
    out = []
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is None or app.get_name() != app_name:
            continue
        for j in range(app.get_child_count()):
            win = app.get_child_at_index(j)
            if win is not None:
                walk(win, win.get_name(), out)
    return out


def objects(node, out, depth=0):
    if node is None or depth > 60:
        return out
    try:
        out.append(node)
        for i in range(node.get_child_count()):
            objects(node.get_child_at_index(i), out, depth + 1)
    except gi.repository.GLib.GError:
        pass
    return out


def app_objects(app_name):
    desktop = Atspi.get_desktop(0)
    out = []
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == app_name:
            objects(app, out)
    return out


def find(app_name, role, pred, near=None):
    for obj in app_objects(app_name):
        try:
            if obj.get_role_name() != role or not pred(obj.get_name() or ''):
                continue
            if near is not None:
                parent = obj.get_parent()
                if not any(c.get_name() == near and 'EditableText' in c.get_interfaces()
                           for c in objects(parent, [])):
                    continue
            return obj
        except gi.repository.GLib.GError:
            continue
    return None


def press(obj):
    """Presses a button once it can be pressed: one greyed out (a dialog
    waiting for kartd's answer) or already gone (a page rebuilt) is retried."""
    if obj is None:
        return False
    try:
        states = obj.get_state_set()
        if not states.contains(Atspi.StateType.SENSITIVE):  # (GTK 4.8 under Xvfb sets no SHOWING)
            return False
        return Atspi.Action.do_action(obj, 0)
    except gi.repository.GLib.GError:
        return False


def step(app_name, spec):
    kind, _, arg = spec.partition(':')
    if kind == 'type':
        name, _, text = arg.partition('=')
        obj = None
        for o in app_objects(app_name):
            try:
                if o.get_name() == name and 'EditableText' in o.get_interfaces():
                    obj = o
                    break
            except gi.repository.GLib.GError:
                continue
        try:
            return obj is not None and Atspi.EditableText.set_text_contents(obj, text)
        except gi.repository.GLib.GError:
            return False
    if kind == 'press':
        label, _, near = arg.partition('@')
        if label.startswith('='):  # the whole label (GTK 4.8 names it "MNEMONIC LABEL")
            label = label[1:]
            obj = find(app_name, 'push button', lambda n: n == label or n.endswith(' ' + label), near or None)
        else:
            obj = find(app_name, 'push button', lambda n: label in n, near or None)
        return press(obj)
    if kind == 'check':
        obj = None
        for role in ('check box', 'radio button', 'toggle button', 'push button'):  # GTK 4.8: toggle = push
            obj = obj or find(app_name, role, lambda n: n == arg)
        return press(obj)
    if kind == 'wait':
        return any(arg in t for _, _, t in snapshot(app_name))
    raise SystemExit('unknown step ' + spec)


def drive(app_name, steps):
    for spec in steps:
        deadline = time.time() + 15
        while not step(app_name, spec):
            if time.time() > deadline:
                for window, role, text in snapshot(app_name):
                    print('%s\t%s\t%s' % (window, role, text.replace('\n', ' ')))
                print('step failed: ' + spec)  # (last: a log's tail shows it)
                sys.exit(1)
            time.sleep(0.3)
        print('step done: ' + spec)
        time.sleep(0.2)


def main():
    if sys.argv[1] == '--drive':
        drive(sys.argv[2], sys.argv[3:])
        return
    name, timeout = sys.argv[1], float(sys.argv[2])
    want = sys.argv[3] if len(sys.argv) > 3 else None
    deadline = time.time() + timeout
    while True:
        lines = snapshot(name)
        found = bool(lines) and (want is None or any(want in t for _, _, t in lines))
        if found or time.time() > deadline:
            break
        time.sleep(0.3)
    for window, role, text in lines:
        print('%s\t%s\t%s' % (window, role, text.replace('\n', ' ')))
    sys.exit(0 if found else 1)


main()
