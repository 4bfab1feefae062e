#!/usr/bin/env python3
"""Builds hostile rootfs tarballs for tests/e2e/hostile.sh.

    mkhostile.py --base ROOTFS --victim DIR [--tag TAG] OUTDIR

Each tarball is the base rootfs (a directory, e.g. from make_busybox_image, so that /bin/sh
runs) followed by the entries of one attack, owned by root. Entries that try to escape aim
at VICTIM, a directory the test user can write to (and at the literal paths the attack is
known by, such as /evil or /tmp), so that an unpacker that follows them leaves a trace the
test can see. Every file an attack hopes to create is named `pwned-...-TAG`.

Prints one line per tarball: NAME PATH. Names and what they carry:
  abs             /evil (an absolute member name)
  abs-victim      /VICTIM/pwned-abs-TAG
  dotdot          ../../pwned-dotdot-TAG
  dotdot-deep     ../(x30)VICTIM/pwned-dotdot-TAG
  dotdot-inner    ./etc/../../(x30)VICTIM/pwned-dotdot2-TAG
  symlink-tmp     tmplnk -> /tmp, then tmplnk/pwned-tmp-TAG
  symlink-victim  lnk -> VICTIM, then lnk/pwned-symlink-TAG
  symlink-up      up -> ../../.., then up/pwned-up-TAG
  symlink-deep    deep -> ../(x30), then deep/VICTIM/pwned-deep-TAG
  symlink-chain   b -> ../(x30)VICTIM, a -> b, then a/pwned-chain-TAG
  hardlink-passwd hl-passwd => /etc/passwd, then a file hl-passwd
  hardlink-victim hl => /VICTIM/secret, then a file hl
  hardlink-up     hl-up => ../../x
  hardlink-deep   hl-deep => ../(x30)VICTIM/secret2, then a file hl-deep
  devnodes        evil-mem (char 1:1), evil-disk (block 8:0), evil-fifo
  setuid          opt/suid/id (busybox, 04755 root), opt/sgid/id (02755 root)
  longname        a 300-byte name
  longpath        a 6000-byte path of 200-byte directories
  proc-symlink    proc -> /tmp (no proc directory)
  dev-symlink     dev -> /etc (no dev directory)
  devnull-symlink dev/null -> /etc/passwd
"""
import argparse
import io
import os
import tarfile

UP = "../" * 30


def base_entries(tar, base, skip_top=()):
    def add(rel):
        full = os.path.join(base, rel) if rel else base
        ti = tar.gettarinfo(full, arcname="./" + rel if rel else ".")
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        if ti.isreg():
            with open(full, "rb") as f:
                tar.addfile(ti, f)
        else:
            tar.addfile(ti)

    add("")
    for top, dirs, files in os.walk(base):
        rel_top = os.path.relpath(top, base)
        if rel_top == ".":
            dirs[:] = [d for d in dirs if d not in skip_top]
            files = [f for f in files if f not in skip_top]
        dirs.sort()
        for name in sorted(dirs + files):
            add(os.path.normpath(os.path.join(rel_top, name)))


def entry(tar, name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, dev=(0, 0)):
    ti = tarfile.TarInfo(name)  # kept verbatim: absolute names and '..' included
    ti.type = kind
    ti.mode = mode
    ti.uid = ti.gid = 0
    ti.mtime = 1700000000
    ti.linkname = link
    ti.devmajor, ti.devminor = dev
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        tar.addfile(ti, io.BytesIO(data))
    else:
        tar.addfile(ti)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--victim", required=True)
    ap.add_argument("--tag", default="x")
    ap.add_argument("outdir")
    a = ap.parse_args()
    victim = os.path.abspath(a.victim)
    vrel = victim.lstrip("/")
    tag = a.tag
    pw = b"PWNED\n"
    os.makedirs(a.outdir, exist_ok=True)
    busybox = os.path.join(a.base, "bin/busybox")

    def suid(tar):
        # busybox copies named id, so that they run the id applet
        entry(tar, "./opt", tarfile.DIRTYPE, mode=0o755)
        for name, mode in (("./opt/suid", 0o4755), ("./opt/sgid", 0o2755)):
            entry(tar, name, tarfile.DIRTYPE, mode=0o755)
            with open(busybox, "rb") as f:
                entry(tar, name + "/id", data=f.read(), mode=mode)

    def longpath(tar):
        path = "."
        for i in range(30):
            path += "/" + ("D%03d" % i) * 50
            entry(tar, path, tarfile.DIRTYPE, mode=0o755)
        entry(tar, path + "/pwned-long-" + tag, data=pw)

    sym = tarfile.SYMTYPE
    hard = tarfile.LNKTYPE
    attacks = {
        "abs": lambda t: entry(t, "/evil", data=pw),
        "abs-victim": lambda t: entry(t, "%s/pwned-abs-%s" % (victim, tag), data=pw),
        "dotdot": lambda t: entry(t, "../../pwned-dotdot-" + tag, data=pw),
        "dotdot-deep": lambda t: entry(t, "%s%s/pwned-dotdot-%s" % (UP, vrel, tag), data=pw),
        "dotdot-inner": lambda t: entry(
            t, "./etc/../../%s%s/pwned-dotdot2-%s" % (UP, vrel, tag), data=pw
        ),
        "symlink-tmp": lambda t: (
            entry(t, "./tmplnk", sym, link="/tmp", mode=0o777),
            entry(t, "./tmplnk/pwned-tmp-" + tag, data=pw),
        ),
        "symlink-victim": lambda t: (
            entry(t, "./lnk", sym, link=victim, mode=0o777),
            entry(t, "./lnk/pwned-symlink-" + tag, data=pw),
        ),
        "symlink-up": lambda t: (
            entry(t, "./up", sym, link="../../..", mode=0o777),
            entry(t, "./up/pwned-up-" + tag, data=pw),
        ),
        "symlink-deep": lambda t: (
            entry(t, "./deep", sym, link=UP.rstrip("/"), mode=0o777),
            entry(t, "./deep/%s/pwned-deep-%s" % (vrel, tag), data=pw),
        ),
        "symlink-chain": lambda t: (
            entry(t, "./b", sym, link=UP + vrel, mode=0o777),
            entry(t, "./a", sym, link="b", mode=0o777),
            entry(t, "./a/pwned-chain-" + tag, data=pw),
        ),
        "hardlink-passwd": lambda t: (
            entry(t, "./hl-passwd", hard, link="/etc/passwd"),
            entry(t, "./hl-passwd", data=pw),
        ),
        "hardlink-victim": lambda t: (
            entry(t, "./hl", hard, link=victim + "/secret"),
            entry(t, "./hl", data=pw),
        ),
        "hardlink-up": lambda t: entry(t, "./hl-up", hard, link="../../x"),
        "hardlink-deep": lambda t: (
            entry(t, "./hl-deep", hard, link=UP + vrel + "/secret2"),
            entry(t, "./hl-deep", data=pw),
        ),
        "devnodes": lambda t: (
            entry(t, "./evil-mem", tarfile.CHRTYPE, mode=0o666, dev=(1, 1)),
            entry(t, "./evil-disk", tarfile.BLKTYPE, mode=0o666, dev=(8, 0)),
            entry(t, "./evil-fifo", tarfile.FIFOTYPE, mode=0o666),
        ),
        "setuid": suid,
        "longname": lambda t: entry(t, "./" + "L" * 300, data=b"long\n"),
        "longpath": longpath,
        "proc-symlink": lambda t: entry(t, "./proc", sym, link="/tmp", mode=0o777),
        "dev-symlink": lambda t: entry(t, "./dev", sym, link="/etc", mode=0o777),
        "devnull-symlink": lambda t: entry(t, "./dev/null", sym, link="/etc/passwd", mode=0o777),
    }
    skip = {"proc-symlink": ("proc",), "dev-symlink": ("dev",)}
    for name, attack in attacks.items():
        out = os.path.join(a.outdir, name + ".tar")
        fmt = tarfile.PAX_FORMAT if name.startswith("long") else tarfile.GNU_FORMAT
        with tarfile.open(out, "w", format=fmt) as tar:
            base_entries(tar, a.base, skip.get(name, ()))
            entry(tar, "./etc/hostile-base", data=(name + "\n").encode())
            attack(tar)
        print(name, out)


if __name__ == "__main__":
    main()
