// Package apiclient is the typed Go client that oapi-codegen generates from
// openapi.yaml, as a team calling the service would generate its own. It
// proves the contract serves code generators: its tests regenerate it and
// compare the bytes, so it cannot drift from openapi.yaml, and drive a live
// server with it. It is internal because its names are the generator's and
// change with it; a caller outside this module generates a client from the
// published contract (GET /openapi.yaml) instead.
//
// After an edit of openapi.yaml, regenerate it with go generate
// ./internal/apiclient.
package apiclient

//go:generate go tool oapi-codegen -config oapi-codegen.yaml -o apiclient.gen.go ../../openapi.yaml
