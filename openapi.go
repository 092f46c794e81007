// Package advise is the root of the workload placement advisor module. It holds
// the OpenAPI document of the HTTP service, embedded so the server can publish
// the same contract its tests check live responses against.
package advise

import _ "embed"

// OpenAPI is the text of openapi.yaml, the HTTP contract of the service.
//
//go:embed openapi.yaml
var OpenAPI []byte
