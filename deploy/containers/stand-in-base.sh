#!/usr/bin/env bash
# Makes an OFFLINE STAND-IN for the images' published base (mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra),
# for machines that cannot pull it: Debian bookworm (debootstrap --variant=minbase from the apt mirror this machine
# already uses) with ICU, OpenSSL, CA certificates and time zones, the ASP.NET Core runtime copied from the installed
# .NET SDK, and the user app (uid 1654) the published base has. It is NOT the published base: Debian instead of
# Ubuntu chiseled, so it has a shell and a package database, and it is bigger.
#
#   deploy/containers/stand-in-base.sh [IMAGE]    (default localhost:5000/notejam-aspnet-stand-in:10.0)
#
# It needs a Docker engine that answers and, when IMAGE names a registry, that registry; it imports the image and
# pushes it there, which is where `dotnet publish /t:PublishContainer -p:ContainerBaseImage=IMAGE` reads a base from.
set -euo pipefail
image=${1:-localhost:5000/notejam-aspnet-stand-in:10.0}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { echo "stand-in-base.sh: debootstrap is missing (apt-get install -y debootstrap)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "stand-in-base.sh: no Docker engine answers" >&2; exit 1; }

root=$(mktemp -d /tmp/notejam-stand-in.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "stand-in-base.sh: making an OFFLINE STAND-IN base (Debian bookworm + ASP.NET Core $runtime from this SDK), not the published chiseled base"
debootstrap --variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata bookworm "$root/fs" "$mirror" >"$root.log" 2>&1 ||
  { tail -n 20 "$root.log" >&2; echo "stand-in-base.sh: debootstrap failed" >&2; exit 1; }
rm -f "$root.log"
mkdir -p "$root/fs/usr/share/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$root/fs/usr/share/dotnet/"
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$root/fs/usr/share/dotnet/shared/$framework"
  cp -a "$dotnet_root/shared/$framework/$runtime" "$root/fs/usr/share/dotnet/shared/$framework/"
done
ln -sf /usr/share/dotnet/dotnet "$root/fs/usr/bin/dotnet"
chroot "$root/fs" groupadd --gid 1654 app
chroot "$root/fs" useradd --uid 1654 --gid 1654 --no-create-home --home-dir /app --shell /usr/sbin/nologin app
mkdir -p "$root/fs/app"
rm -rf "$root/fs/var/cache/apt/archives/"*.deb "$root/fs/var/lib/apt/lists/"*
tar -C "$root/fs" -c . | docker import \
  --change 'ENV APP_UID=1654 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_VERSION='"$runtime"' ASPNET_VERSION='"$runtime" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'WORKDIR /app' --change 'USER 1654' - "$image" >/dev/null
if [[ $image == */* && ${image%%/*} == *[.:]* ]]; then
  docker push -q "$image" >/dev/null
fi
echo "stand-in-base.sh: $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')): OFFLINE STAND-IN, Debian bookworm, ASP.NET Core $runtime"
