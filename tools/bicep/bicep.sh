#!/usr/bin/env bash
# The real Bicep CLI, restored from the NuGet registry into the NuGet cache on first use (BicepCli.props).
# Usage, from anywhere:  bash tools/bicep/bicep.sh lint infra/bicep/main.bicep
#                        bash tools/bicep/bicep.sh build infra/bicep/main.bicep --outdir artifacts/bicep
# ./test.sh does not need this: tests/Infra.Tests restores the same package itself.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/Bicep.CommandLine.csproj"

dotnet restore "$project" --nologo -v quiet >/dev/null
cli="$(dotnet msbuild "$project" -nologo -getProperty:BicepCliPath)"
# NuGet does not always keep the executable bit when it extracts a package.
[ -x "$cli" ] || chmod u+x "$cli"
exec "$cli" "$@"
