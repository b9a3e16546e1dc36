# The app as a container image, from a release build made beforehand:
#
#   cargo leptos build --release
#   podman build -t centralauth-starter .        (or docker build)
#   podman run -p 8080:8080 -e APP_ORIGIN=https://app.example \
#     -e AUTH_ORGANIZATION_ID=… -e AUTH_SECRET=… centralauth-starter
#
# Build the server for production without the development provider first
# (docs/deploying.md); this image also refuses to start without CentralAuth
# credentials, since it listens on 0.0.0.0. scripts/container.sh builds and
# starts it as part of scripts/test.sh.
FROM docker.io/library/debian:bookworm-slim

# CA certificates: the CentralAuth client trusts the system's store.
# A user of its own, never root.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
# hash.txt beside the binary names the bundle's content-hashed files.
COPY target/release/centralauth-starter target/release/hash.txt /app/
COPY target/site /app/site

ENV LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_ADDR=0.0.0.0:8080 \
    LEPTOS_ENV=PROD \
    LOG_FORMAT=json

USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=6s --start-period=10s --retries=3 \
  CMD ["/app/centralauth-starter", "healthcheck"]
ENTRYPOINT ["/app/centralauth-starter"]
