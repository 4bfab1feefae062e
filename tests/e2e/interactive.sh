#!/usr/bin/env bash
# Interactive use on a terminal: a shell in the sandbox reads what is typed, Ctrl-C stops the
# foreground command and returns to the prompt, Ctrl-Z and fg work (job control), a window
# resize is seen inside, and the shell's exit status is the launcher's. Driven through a pty by
# Python, for the busybox image and for Alpine.
source "$(dirname "$0")/../lib/common.sh"
require_sandbox

root=$WORK/root
make_busybox_image "$root"
img=$WORK/img.tar.gz
make_tar "$root" "$img"
images=("$img")
if [ -f "$SANDBOX_ALPINE" ]; then
        require_alpine
        images+=("$SANDBOX_ALPINE")
fi

for image in "${images[@]}"; do
        label=busybox
        [ "$image" = "$img" ] || label=alpine
        rc=0
        python3 - "$SANDBOX" "$image" "$label" >"$WORK/pty.out" 2>&1 <<'EOF' || rc=$?
import fcntl, os, pty, re, select, signal, struct, sys, termios, time

sandbox, image, label = sys.argv[1:]
PROMPT = "sbx-prompt> "
failures = 0


def check(ok, desc, detail=""):
    global failures
    print(("ok - " if ok else "FAIL - ") + label + ": " + desc, flush=True)
    if not ok:
        failures += 1
        for line in detail.splitlines()[-15:]:
            print("#   " + repr(line), flush=True)


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


pid, fd = pty.fork()
if pid == 0:
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "TMPDIR", "XDG_CACHE_HOME") if k in os.environ}
    os.environ.clear()
    os.environ.update(keep, TERM="xterm")
    os.execv(sandbox, [sandbox, "--env", "PS1=" + PROMPT, image, "/bin/sh"])
set_size(fd, 24, 80)
buf = ""


def read_until(pattern, timeout=10.0):
    """Reads from the pty until the regex matches what came since the last match."""
    global buf
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, buf, re.S)
        if m:
            buf = buf[m.end():]
            return True, m
        left = deadline - time.monotonic()
        if left <= 0:
            return False, None
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                return bool(re.search(pattern, buf, re.S)), None
            buf += data.decode("utf-8", "replace")


def send(s):
    os.write(fd, s.encode())


def step(send_text, pattern, desc, timeout=10.0):
    seen_before = buf
    if send_text is not None:
        send(send_text)
    ok, m = read_until(pattern, timeout)
    check(ok, desc, seen_before + buf)
    return m


step(None, re.escape(PROMPT), "a prompt appears", 20)
step("echo hi-$((40 + 2))\r", r"\nhi-42\r?\n.*" + re.escape(PROMPT), "typed input runs (echo)")

send("sleep 100\r")
time.sleep(0.7)
t0 = time.monotonic()
step("\x03", re.escape(PROMPT), "Ctrl-C stops sleep 100 and returns to the prompt", 5)
check(time.monotonic() - t0 < 5, "... promptly")
step("echo rc=$?\r", r"rc=130", "the interrupted command's status is 130")
read_until(re.escape(PROMPT), 5)

send("cat\r")
time.sleep(0.7)
step("\x1a", r"Stopped", "Ctrl-Z stops cat (job control)", 5)
read_until(re.escape(PROMPT), 5)
step("jobs\r", r"cat.*" + re.escape(PROMPT), "jobs lists the stopped cat")
send("fg\r")
time.sleep(0.7)
step("typed-after-fg\r", r"typed-after-fg\r?\n.*typed-after-fg", "fg resumes cat in the foreground (it echoes a line)")
step("\x04", re.escape(PROMPT), "Ctrl-D ends cat", 5)
step("echo fgrc=$?\r", r"fgrc=0", "cat ended with status 0")
read_until(re.escape(PROMPT), 5)

step("stty size\r", r"\n24 80\r?\n", "the initial window size (24 80) is seen inside")
read_until(re.escape(PROMPT), 5)
set_size(fd, 33, 121)  # as a terminal emulator does; the kernel sends SIGWINCH
time.sleep(0.5)
step("stty size\r", r"\n33 121\r?\n", "a resize (33 121) is seen inside")
read_until(re.escape(PROMPT), 5)

send("exit 7\r")
status = None
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
    try:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            os.read(fd, 4096)
    except OSError:
        time.sleep(0.1)
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7,
      "exit 7 in the shell: the launcher exits 7", "status: %r" % (status,))
sys.exit(1 if failures else 0)
EOF
        cat "$WORK/pty.out"
        T_CHECKS=$((T_CHECKS + $(grep -c -e '^ok - ' -e '^FAIL - ' "$WORK/pty.out" || true)))
        T_FAILED=$((T_FAILED + $(grep -c '^FAIL - ' "$WORK/pty.out" || true)))
        if [ "$rc" -ne 0 ] && ! grep -q '^FAIL - ' "$WORK/pty.out"; then
                fail "$label: the pty driver ran to the end" "status $rc"
        fi
done
