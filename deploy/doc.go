// Package deploy holds the Kubernetes manifests of "advise serve" (kustomize
// bases and overlays) and the tests of its container image recipe, the
// Dockerfile at the repository's root. It has no code of its own.
package deploy
