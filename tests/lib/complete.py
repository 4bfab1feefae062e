#!/usr/bin/env python3
"""Drives an interactive bash, zsh or fish in a pty, with sandbox's completion loaded, and checks
what Tab offers. Used by tests/e2e/completions.sh.

    complete.py SHELL COMPLETION_FILE CASES_JSON

CASES_JSON is a list of cases, each {"desc": ..., "type": "line"|"list", "typed": ...,
"want": [...], "unwanted": [...]}: "line" types the text and one Tab and checks that the command
line then starts with each of "want"; "list" types the text and Tab (twice for bash) and checks
that each word of "want" is offered and none of "unwanted". Prints one `ok - ` or `FAIL - ` line
per check; exits 1 if any failed."""
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import fcntl
import time

shell, compfile, cases_file = sys.argv[1:4]
cases = json.load(open(cases_file))
PROMPT = "PS1-READY> "
failures = 0
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78MDEc]|\r|\x07")


def check(ok, desc, detail=""):
    global failures
    print(("ok - " if ok else "FAIL - ") + shell + ": " + desc, flush=True)
    if not ok:
        failures += 1
        for line in detail.splitlines()[-25:]:
            print("#   " + repr(line), flush=True)


env = {k: os.environ[k] for k in ("PATH", "HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
                                   "XDG_RUNTIME_DIR", "LANG") if k in os.environ}
env.update(TERM="xterm", PS1=PROMPT, COLUMNS="250", LINES="400")
argv = {"bash": ["bash", "--norc", "--noprofile", "-i"],
        "zsh": ["zsh", "-f", "-i"],
        "fish": ["fish", "--no-config", "-i"]}[shell]
pid, fd = pty.fork()
if pid == 0:
    os.environ.clear()
    os.environ.update(env)
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 400, 250, 0, 0))
buf = ""


def read_some(timeout):
    """Reads what arrives within timeout seconds (stops early after 0.3 s of silence)."""
    global buf
    deadline = time.monotonic() + timeout
    got = ""
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], min(0.3, max(0.0, deadline - time.monotonic())))
        if not r:
            if got:
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        got += data.decode("utf-8", "replace")
    buf += got
    return got


def read_until(pattern, timeout=10.0):
    global buf
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        m = re.search(pattern, ANSI.sub("", seen), re.S)
        if m:
            return True, ANSI.sub("", seen)
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            seen += data.decode("utf-8", "replace")
    return False, ANSI.sub("", seen)


def send(s):
    os.write(fd, s.encode())


marks = 0


def run(command, timeout=10.0):
    """Runs a shell command and returns what it printed (up to a mark printed after it: the
    typed line itself never holds the mark, so a late echo is never taken for the output)."""
    global marks
    marks += 1
    send("%s; printf 'MARK-%%s\\n' %d\r" % (command, marks))
    ok, out = read_until(r"MARK-%d\n" % marks, timeout)
    read_until(re.escape(PROMPT), 2)
    return ok, out


# The shell, with its prompt and our completion loaded.
if shell == "fish":
    send("function fish_prompt; printf 'PS1-READY> '; end\r")
ok, out = read_until(re.escape(PROMPT), 20)
check(ok, "the shell starts with its prompt", out)
if shell == "bash":
    setup = ["source '%s'" % compfile, "bind 'set show-all-if-ambiguous off'",
             "bind 'set completion-query-items 100000'", "bind 'set page-completions off'",
             "bind 'set bell-style none'"]
elif shell == "zsh":
    setup = ["fpath=('%s' $fpath)" % os.path.dirname(compfile), "autoload -Uz compinit",
             "compinit -u -D", "LISTMAX=100000", "setopt nolistbeep nobeep",
             "zstyle ':completion:*' list-prompt ''", "zstyle ':completion:*' select-prompt ''"]
else:
    setup = ["source '%s'" % compfile, "set -g fish_autosuggestion_enabled 0"]
for line in setup:
    ok, out = run(line)
    check(ok and "not found" not in out and "rror" not in out, "setup: " + line, out)
ok, out = run("complete -p sandbox" if shell == "bash" else
              "echo ${_comps[sandbox]}" if shell == "zsh" else "complete -c sandbox | head -n 1")
check(ok and re.search(r"_sandbox|complete (-c )?sandbox", out), "the completion is loaded for sandbox", out)

for case in cases:
    desc, typed = case["desc"], case["typed"]
    if case["type"] == "line":
        # Tab, then go to the start of the line and turn it into an echo of itself.
        send(typed + "\t")
        read_some(2.0)
        send("\x01echo '<<' \x05\r")
        ok, out = read_until(r"<< (.*?)\n.*" + re.escape(PROMPT), 10)
        m = re.search(r"\n<< (.*?)\n", "\n" + out)
        line = m.group(1).rstrip() if m else ""
        for want in case["want"]:
            check(line.startswith(want), "%s: '%s<Tab>' becomes '%s...'" % (desc, typed, want),
                  "line: %r\noutput: %s" % (line, out))
        read_some(0.5)
    else:
        send(typed + "\t")
        if shell == "bash":
            time.sleep(0.5)
            send("\t")
        time.sleep(1.0)
        # Redraws move the cursor with CR and BS: read them as separators.
        got = ANSI.sub("", re.sub(r"[\r\x08]", "\n", read_some(3.0)))
        # Paths are listed by their last component, or whole (fish): compare the last one.
        words = set(w[2:] if w.startswith("./") else w for w in re.findall(r"[^\s]+", got))
        missing = [w for w in case["want"] if w not in words and not any(x.startswith(w + "=") or x.startswith(w + "/") for x in words)]
        check(not missing, "%s: '%s<Tab>' offers %s" % (desc, typed, " ".join(case["want"][:6]) + (" ..." if len(case["want"]) > 6 else "")),
              "missing: %s\noffered: %s" % (missing, got))
        present = [w for w in case.get("unwanted", []) if w in words]
        if case.get("unwanted"):
            check(not present, "%s: ... and not %s" % (desc, " ".join(case["unwanted"])), "offered: %s" % got)
        # Abandon the line.
        send("\x03")
        read_until(re.escape(PROMPT), 5)
        read_some(0.3)

send("exit\r")
time.sleep(0.3)
try:
    os.kill(pid, 9)
except OSError:
    pass
os.waitpid(pid, 0)
sys.exit(1 if failures else 0)
