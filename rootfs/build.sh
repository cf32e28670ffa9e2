#!/usr/bin/env bash
# `npm run rootfs`: builds the `image` root — Debian bookworm, debootstrap's minbase plus
# the packages of a manifest (default rootfs/packages.txt) — at
# ${CODEBOX_DATA_DIR:-/var/lib/codebox}/rootfs/bookworm.
#
#   rootfs/build.sh [--manifest FILE] [--dest DIR] [--mirror URL] [--security-mirror URL]
#
# Idempotent: an image whose stamp (etc/codebox-image) matches the manifest is left as it
# is. Resumable: the build happens in DEST.partial with a stamp per finished stage, and
# downloaded packages stay in the cache dir beside it (DEST/../cache; delete it to get the
# space back), so running it again after an interruption goes on where it stopped. The finished tree replaces DEST by a rename, so
# a box never sees a half-built root. Needs root (debootstrap, chroot, mount).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
manifest="$here/packages.txt"
data="${CODEBOX_DATA_DIR:-/var/lib/codebox}"
dest=""
mirror="${CODEBOX_ROOTFS_MIRROR:-http://deb.debian.org/debian}"
security="${CODEBOX_ROOTFS_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
suite=bookworm
# bump when the steps below change what they produce: a stamp from an older script is stale
recipe=2

usage() { echo "usage: rootfs/build.sh [--manifest FILE] [--dest DIR] [--mirror URL] [--security-mirror URL]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest) [ $# -ge 2 ] || usage; manifest="$2"; shift 2 ;;
    --dest) [ $# -ge 2 ] || usage; dest="$2"; shift 2 ;;
    --mirror) [ $# -ge 2 ] || usage; mirror="$2"; shift 2 ;;
    --security-mirror) [ $# -ge 2 ] || usage; security="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "rootfs/build.sh: unknown argument $1" >&2; usage ;;
  esac
done
dest="${dest:-$data/rootfs/$suite}"
case "$dest" in /*) ;; *) dest="$PWD/$dest" ;; esac
[ -r "$manifest" ] || { echo "rootfs/build.sh: cannot read manifest $manifest" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "rootfs/build.sh: must run as root (debootstrap, chroot, mount)" >&2; exit 2; }

# the package names: comments and blank lines dropped
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]\+$//' -e '/^[[:space:]]*$/d' -e 's/^[[:space:]]*//' "$manifest")
for p in "${packages[@]}"; do
  [[ "$p" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || { echo "rootfs/build.sh: $manifest: not a package name: '$p'" >&2; exit 2; }
done
stamp="recipe=$recipe suite=$suite packages=$(printf '%s\n' "${packages[@]}" | sort | tr '\n' ' ')"

# boxes run as unprivileged uids and reach the image through its parent directories: the
# ones this build owns (the data dir's rootfs/, and the data dir itself, which an older
# `npm start` made 0700 for Redis's files) must let them through
mkdir -p "$(dirname "$dest")"
for d in "$(dirname "$(dirname "$dest")")" "$(dirname "$dest")"; do
  if [ -d "$d" ] && [ "$(( 0$(stat -c %a "$d") & 1 ))" = 0 ]; then
    chmod o+x "$d"
    echo "rootfs: $d was closed to the box users; made it o+x (they read the image through it)"
  fi
done

if [ -f "$dest/etc/codebox-image" ] && [ "$(head -1 "$dest/etc/codebox-image")" = "$stamp" ]; then
  echo "rootfs: $dest is up to date ($(du -sh "$dest" | cut -f1)); nothing to do"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "rootfs: installing debootstrap"
  apt-get install -y -qq debootstrap >/dev/null || { echo "rootfs/build.sh: debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
fi

# everything mounted below (the chroot's /proc) lives in a mount namespace of its own, so
# it is gone when this script ends, also after a crash or a ^C
if [ -z "${CODEBOX_ROOTFS_UNSHARED:-}" ]; then
  export CODEBOX_ROOTFS_UNSHARED=1
  exec unshare --mount --propagation private -- bash "$0" --manifest "$manifest" --dest "$dest" --mirror "$mirror" --security-mirror "$security"
fi

partial="$dest.partial"
cache="$(dirname "$dest")/cache"
mkdir -p "$cache" "$(dirname "$dest")"
t0=$SECONDS
stage() { echo "== rootfs [$1/4] $2 (at ${SECONDS}s)"; }

if [ ! -f "$partial/.stage-bootstrap" ]; then
  stage 1 "debootstrap --variant=minbase $suite into $partial (packages cached in $cache)"
  rm -rf "$partial"
  debootstrap --variant=minbase --cache-dir="$cache" "$suite" "$partial" "$mirror"
  touch "$partial/.stage-bootstrap"
else
  stage 1 "minbase already there, resuming"
fi

stage 2 "installing ${#packages[@]} packages: ${packages[*]}"
cat > "$partial/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
# no docs, man pages or translations: nothing in a box reads them
cat > "$partial/etc/dpkg/dpkg.cfg.d/01-codebox-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$partial/etc/apt/apt.conf.d/01-codebox"
# no service starts inside the chroot during installation
printf '#!/bin/sh\nexit 101\n' > "$partial/usr/sbin/policy-rc.d"
chmod 755 "$partial/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$partial/etc/resolv.conf"
mount -t proc proc "$partial/proc"
# apt's downloads go to the cache beside the image too: an interrupted install resumes
# without downloading again
mkdir -p "$cache/apt/partial"
mount --bind "$cache/apt" "$partial/var/cache/apt/archives"
# the host's own apt settings for the mirror (a proxy; a snapshot mirror's expired Release)
aptopts=()
while IFS= read -r line; do aptopts+=(-o "$line"); done < <(apt-config dump | sed -n -e 's/^\(Acquire::Check-Valid-Until\) "\(.*\)";$/\1=\2/p' -e 's/^\(Acquire::https\?::Proxy\) "\(.*\)";$/\1=\2/p')
# an earlier run cut off mid-install leaves dpkg half done: finish that first (a no-op otherwise)
chroot "$partial" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  dpkg --configure -a
chroot "$partial" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  apt-get "${aptopts[@]}" -q update
chroot "$partial" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  apt-get "${aptopts[@]}" -y -q -o Dpkg::Use-Pty=0 install "${packages[@]}"
umount "$partial/var/cache/apt/archives" "$partial/proc"

stage 3 "trimming: apt lists and caches, setuid bits"
rm -rf "$partial"/var/lib/apt/lists/* "$partial"/var/cache/apt/*.bin "$partial"/var/log/* "$partial/usr/sbin/policy-rc.d" "$partial/.stage-bootstrap"
rm -f "$partial/etc/resolv.conf"
# a box binds its own passwd, group, hosts and nsswitch.conf over the image's: each needs a
# file to bind onto in the read-only image (debootstrap makes no hosts, and without it
# localhost did not resolve in a box)
for f in passwd group hosts nsswitch.conf; do [ -e "$partial/etc/$f" ] || : > "$partial/etc/$f"; done
# setuid is already useless in a box (no_new_privs, a user namespace); this is a second wall
find "$partial" -xdev -type f -perm /6000 -exec chmod ug-s {} +
{
  echo "$stamp"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $mirror by codebox rootfs/build.sh"
} > "$partial/etc/codebox-image"

stage 4 "replacing $dest"
if [ -e "$dest" ]; then
  rm -rf "$dest.old"
  mv "$dest" "$dest.old"
fi
mv "$partial" "$dest"
rm -rf "$dest.old"
echo "rootfs: built $dest: $(du -sh "$dest" | cut -f1) on disk, $((SECONDS - t0)) s, ${#packages[@]} packages (+ minbase)"
