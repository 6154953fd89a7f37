#!/usr/bin/env bash
# Makes the two base root filesystems the image test builds deploy/docker/Dockerfile from, where no registry is
# reachable: assembled from this machine's own files, with just what each stage needs.
#   runtime: glibc, libstdc++, libgcc_s, zlib (what the jlink runtime and Netty's epoll library link),
#            /etc/passwd with uid 65532, /tmp.
#   build:   the runtime's files, a JDK with jmods under /opt/jdk, and a POSIX shell with the few tools the
#            Dockerfile's RUN steps use (sh, test, mkdir, cp, rm, sleep, kill is built in).
# usage: local-base-rootfs.sh JAVA_HOME OUT_DIR   (writes OUT_DIR/runtime.tar and OUT_DIR/build.tar)
set -euo pipefail
java_home=$1
out=$2
work=$(mktemp -d "$out/rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT

copy_with_libs() { # ROOT FILE...: each file and the shared libraries it needs, at the same paths
  local root=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}'); do
      case "$lib" in "$java_home"/*) continue ;; esac
      if [ ! -e "$root$lib" ]; then
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
      fi
    done
  done
}

base_files() { # ROOT: directories and users every stage needs
  local root=$1
  mkdir -p "$root"/{etc,tmp,var/tmp,usr/lib,usr/lib64,usr/bin,home/nonroot}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  # usrmerge layout, as Debian bookworm: /lib64, /lib and /bin point into /usr
  [ -e "$root/lib64" ] || ln -s usr/lib64 "$root/lib64"
  [ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
  [ -e "$root/bin" ] || ln -s usr/bin "$root/bin"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  chown 65532:65532 "$root/home/nonroot"
}

runtime=$work/runtime
base_files "$runtime"
# The libraries the launcher, libjvm and the native libraries of the image's modules link.
natives=("$java_home/bin/java" "$java_home/lib/server/libjvm.so")
for n in jli java net nio zip jimage verify management management_ext extnet jsig prefs j2pkcs11 jaas; do
  for f in "$java_home/lib/lib$n.so" "$java_home/lib/jli/lib$n.so"; do [ -f "$f" ] && natives+=("$f"); done
done
copy_with_libs "$runtime" "${natives[@]}"
# The rest of glibc's runtime, as distroless/cc carries it: Netty's native epoll library links libdl and
# libpthread, which the JDK itself does not need.
# (ldconfig's list is read whole first: awk leaving a pipe early would kill ldconfig with SIGPIPE, exit 141
# under pipefail.)
ld_cache=$(ldconfig -p)
for lib in libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2; do
  f=$(awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}' <<<"$ld_cache")
  [ -n "$f" ] && copy_with_libs "$runtime" "$f"
done
rm -rf "${runtime:?}/usr/lib/jvm" "${runtime:?}${java_home}"
tar -C "$runtime" -cf "$out/runtime.tar.tmp" . && mv "$out/runtime.tar.tmp" "$out/runtime.tar"

build=$work/build
cp -a "$runtime" "$build"
tools=("$(readlink -f /bin/sh)")
for t in test mkdir cp rm sleep cat; do tools+=("$(type -P "$t")"); done
copy_with_libs "$build" "${tools[@]}"
[ -e "$build/usr/bin/sh" ] || ln -s "$(basename "$(readlink -f /bin/sh)")" "$build/usr/bin/sh"
mkdir -p "$build/opt/jdk"
(cd "$java_home" && tar -chf - --exclude=lib/src.zip bin conf jmods lib release legal) | tar -C "$build/opt/jdk" -xf -
tar -C "$build" -cf "$out/build.tar.tmp" . && mv "$out/build.tar.tmp" "$out/build.tar"
