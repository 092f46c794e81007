package api

import (
	"encoding/json"
	"fmt"
)

// Apply returns a copy of the request with each change applied, as if the
// caller had sent the new values. A change whose value is nil removes the
// field, so it takes its default (or, for the optional numbers, no value).
// The result is not validated; call Validate on it.
func (r Request) Apply(changes ...Change) (Request, error) {
	fields := make(map[string]any, 24)
	raw, err := json.Marshal(r)
	if err != nil {
		return r, fmt.Errorf("apply changes: %w", err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return r, fmt.Errorf("apply changes: %w", err)
	}
	for _, c := range changes {
		if c.Value == nil {
			delete(fields, c.Field)
			continue
		}
		fields[c.Field] = c.Value
	}
	raw, err = json.Marshal(fields)
	if err != nil {
		return r, fmt.Errorf("apply changes: %w", err)
	}
	return DecodeRequest(raw)
}
