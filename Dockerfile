# syntax=docker/dockerfile:1

# The image of "advise serve": a static binary on a distroless base, run as a
# non-root user. Kubernetes probes /healthz and /readyz (deploy/), so the
# image has no HEALTHCHECK.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) -t advise .
#
# deploy/dockerfile_test.go runs this file's go build command and checks the
# result is static; docker itself cannot run in CI.

# The Go that builds the image: at least go.mod's go line (the test checks).
ARG GO_VERSION=1.26.8

# The build runs on the builder's own platform and cross-compiles, so a
# multi-platform build (--platform linux/amd64,linux/arm64) needs no emulation.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG REVISION=unknown
# CGO_ENABLED=0: a static binary, which needs no libc in the final image.
# -trimpath keeps the build machine's paths out of the binary; the version and
# revision are what "advise version" and advise_build_info say. The revision
# is passed in because a build context usually has no .git to read it from
# (hence -buildvcs=false).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -buildvcs=false \
	-ldflags "-s -w -X github.com/placement-advisor/advise/internal/version.Version=${VERSION} -X github.com/placement-advisor/advise/internal/version.Revision=${REVISION}" \
	-o /out/advise ./cmd/advise

# distroless/static: CA certificates, tzdata and /etc/passwd with the nonroot
# user (65532), and no shell, package manager or libc.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/advise /usr/local/bin/advise
USER 65532:65532
# "advise serve" listens on loopback unless told otherwise; in a container
# the port must be reachable from outside it.
ENV ADVISE_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/advise"]
CMD ["serve"]
