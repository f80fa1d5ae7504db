# syntax=docker/dockerfile:1
# HubSyncWorker: one image for the worker (default) and its one-shot verbs:
#   docker run IMAGE                     # the worker (webhooks, queue consumer, schedules) on port 8080
#   docker run IMAGE resync --dry-run    # a full resync, then exit
# Configuration comes from the environment (HubSpot__AccessToken, Webhooks__ClientSecret, Redis__ConnectionString, ...):
# nothing secret is baked into the image. scripts/container-smoke.sh runs the same publish step without a Docker engine.

# ---- build: runs on the build machine's platform and cross-targets the image's architecture ----
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /source

# Restore layer: only what restore reads, so it stays cached until a project or a package version changes.
COPY global.json Directory.Build.props Directory.Packages.props HubSyncWorker.sln ./
COPY src/HubSyncWorker/HubSyncWorker.csproj src/HubSyncWorker/
COPY src/HubSyncWorker.HubSpot/HubSyncWorker.HubSpot.csproj src/HubSyncWorker.HubSpot/
COPY src/HubSyncWorker.Qualification/HubSyncWorker.Qualification.csproj src/HubSyncWorker.Qualification/
COPY src/HubSyncWorker.Sandbox/HubSyncWorker.Sandbox.csproj src/HubSyncWorker.Sandbox/
RUN dotnet restore src/HubSyncWorker -a $TARGETARCH

# Build layer: the sources (and the analyzer settings the build enforces).
COPY .editorconfig ./
COPY src/ src/
RUN dotnet publish src/HubSyncWorker -c Release -a $TARGETARCH -o /app --no-restore

# ---- runtime: chiseled Ubuntu (no shell, no package manager), non-root user 'app' (uid 1654) ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "HubSyncWorker.dll"]
