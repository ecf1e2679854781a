#!/usr/bin/env bash
# Makes an OFFLINE STAND-IN for the mail sink's image (docker.io/rnwood/smtp4dev), for machines that cannot pull it:
# the stand-in base (stand-in-base.sh: Debian bookworm with the ASP.NET Core runtime of this SDK) with smtp4dev as the
# repository's local tool has it (.config/dotnet-tools.json, the same release as the AppHost's image tag), answering as
# the published image does: its web UI on port 80, SMTP on 25, a database of its own inside the container.
#
#   deploy/containers/stand-in-smtp4dev.sh [IMAGE] [BASE]
#     IMAGE default localhost:5000/notejam-smtp4dev-stand-in:3.15.0
#     BASE  default localhost:5000/notejam-aspnet-stand-in:10.0 (made by stand-in-base.sh; it must exist already)
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-localhost:5000/notejam-smtp4dev-stand-in:3.15.0}
base=${2:-localhost:5000/notejam-aspnet-stand-in:10.0}
docker info >/dev/null 2>&1 || { echo "stand-in-smtp4dev.sh: no Docker engine answers" >&2; exit 1; }
docker image inspect "$base" >/dev/null 2>&1 || { echo "stand-in-smtp4dev.sh: the base $base is missing (make it with stand-in-base.sh)" >&2; exit 1; }

version=$(sed -n '/"rnwood.smtp4dev"/,/}/s/.*"version": *"\([^"]*\)".*/\1/p' .config/dotnet-tools.json)
[[ -n $version ]] || { echo "stand-in-smtp4dev.sh: rnwood.smtp4dev is not in .config/dotnet-tools.json" >&2; exit 1; }
dotnet tool restore >/dev/null || { echo "stand-in-smtp4dev.sh: dotnet tool restore failed" >&2; exit 1; }
packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')
tool=$(ls -d "${packages%/}"/rnwood.smtp4dev.linux-x64/"$version"/tools/net*/linux-x64 2>/dev/null | sort -V | tail -n 1)
[[ -f $tool/Rnwood.Smtp4dev.dll ]] || { echo "stand-in-smtp4dev.sh: smtp4dev $version is not in $packages after dotnet tool restore" >&2; exit 1; }

context=$(mktemp -d /tmp/notejam-stand-in-smtp4dev.XXXXXX)
trap 'rm -rf "$context"' EXIT
echo "stand-in-smtp4dev.sh: making an OFFLINE STAND-IN smtp4dev $version image (on $base), not the published rnwood/smtp4dev"
cp -a "$tool" "$context/app"
cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
COPY --chown=1654:1654 app/ /app/
# The published image's ports (the AppHost maps 80 and 25); its state stays in the container, as there (smtp4dev
# keeps it under the working directory, and /app is not the app user's to write).
ENV HOME=/tmp
WORKDIR /tmp
EXPOSE 80 25
ENTRYPOINT ["dotnet", "/app/Rnwood.Smtp4dev.dll", "--urls=http://*:80", "--smtpport=25", "--imapport=", "--pop3port=", "--db="]
DOCKERFILE
docker build -q -t "$image" "$context" >"$context/build.log" 2>&1 ||
  { tail -n 20 "$context/build.log" >&2; echo "stand-in-smtp4dev.sh: docker build failed" >&2; exit 1; }
if [[ $image == */* && ${image%%/*} == *[.:]* ]]; then
  docker push -q "$image" >/dev/null
fi
echo "stand-in-smtp4dev.sh: $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')): OFFLINE STAND-IN, smtp4dev $version on the stand-in base"
