// Package memo is a bounded memo for values that are looked up on every
// request from every core and added rarely: rule texts quoted for JSON,
// confidences computed with OPA's builtins. Readers load an immutable map
// without a lock; an addition copies it, which is cheap because additions
// stop once the memo is full.
package memo

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Map memoises values by key, up to Max entries; the zero Map (Max 0) keeps
// nothing. It is safe for concurrent use.
type Map[K comparable, V any] struct {
	Max int
	mu  sync.Mutex // serialises the copies
	m   atomic.Pointer[map[K]V]
}

// Load returns the value remembered for k.
func (m *Map[K, V]) Load(k K) (V, bool) {
	if p := m.m.Load(); p != nil {
		v, ok := (*p)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// Store remembers v for k, unless the memo is full.
func (m *Map[K, V]) Store(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var old map[K]V
	if p := m.m.Load(); p != nil {
		old = *p
	}
	if len(old) >= m.Max {
		return
	}
	next := make(map[K]V, len(old)+1)
	maps.Copy(next, old)
	next[k] = v
	m.m.Store(&next)
}
