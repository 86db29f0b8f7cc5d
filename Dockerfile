# Build a static binary: modwatch uses a pure-Go SQLite, so no C toolchain is needed.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN mkdir -p /out/data && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/modwatch ./cmd/modwatch

# The runtime image holds the binary, CA certificates for VK and Telegram, and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/modwatch /usr/local/bin/modwatch
COPY configs/modwatch.example.yaml /etc/modwatch/modwatch.example.yaml
# The database lives on a volume owned by the non-root user (uid 65532), so the daemon can
# create it with mode 0600 without running as root.
COPY --from=build --chown=65532:65532 /out/data /var/lib/modwatch
VOLUME ["/var/lib/modwatch"]
USER nonroot:nonroot
# New goroutines start with the smallest stack: most of the daemon's are asleep, and
# starting them at the average size (which SQLite's deep frames inflate) leaves the
# collector less room under the memory limit (daemon.StackGODEBUG).
ENV GODEBUG=adaptivestackstart=0
# The image has no shell and no curl: `modwatch health` asks the daemon's /healthz at the
# config's health.listen (set it, like 127.0.0.1:9464) and fails unless it answers 200.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
  CMD ["/usr/local/bin/modwatch", "health", "--config", "/etc/modwatch/modwatch.yaml"]
ENTRYPOINT ["/usr/local/bin/modwatch"]
# SIGHUP (docker kill --signal HUP) reloads the config; SIGTERM (docker stop) stops.
CMD ["run", "--config", "/etc/modwatch/modwatch.yaml"]
