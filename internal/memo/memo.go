// Package memo is a bounded memo for values that are looked up on every
// request from every core and added rarely: rule texts quoted for JSON,
// confidences computed with OPA's builtins, what each factor package finds
// for a key of its fields.
//
// Readers load an immutable map without a lock. Additions go to a second
// map under a mutex, which replaces the immutable one once readers have
// missed it as many times as it holds entries; the next addition copies it.
// That is sync.Map's scheme: a copy costs O(entries) but comes only after as
// many misses, so an addition costs O(1) amortised however large the memo
// grows, and once additions stop every read is lock-free.
package memo

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Map memoises values by key, up to Max entries; the zero Map (Max 0) keeps
// nothing. A key keeps the first value stored for it. It is safe for
// concurrent use.
type Map[K comparable, V any] struct {
	Max  int
	read atomic.Pointer[map[K]V] // immutable once stored

	mu sync.Mutex
	// dirty, when not nil, holds every entry of read and the additions
	// since; amended reports that it holds some read does not.
	dirty   map[K]V
	amended atomic.Bool
	misses  int
}

// Load returns the value remembered for k.
func (m *Map[K, V]) Load(k K) (V, bool) {
	if p := m.read.Load(); p != nil {
		if v, ok := (*p)[k]; ok {
			return v, true
		}
	}
	var zero V
	if !m.amended.Load() {
		return zero, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.read.Load(); p != nil {
		if v, ok := (*p)[k]; ok {
			return v, true
		}
	}
	v, ok := m.dirty[k]
	m.missLocked()
	return v, ok
}

// Store remembers v for k, unless k has a value already or the memo is
// full.
func (m *Map[K, V]) Store(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var read map[K]V
	if p := m.read.Load(); p != nil {
		read = *p
	}
	if _, ok := read[k]; ok {
		return
	}
	if _, ok := m.dirty[k]; ok {
		return
	}
	if m.dirty == nil {
		if len(read) >= m.Max {
			return
		}
		m.dirty = maps.Clone(read)
		if m.dirty == nil {
			m.dirty = map[K]V{}
		}
	}
	if len(m.dirty) >= m.Max {
		return
	}
	m.dirty[k] = v
	m.amended.Store(true)
}

// Len is how many values the memo holds.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dirty != nil {
		return len(m.dirty)
	}
	if p := m.read.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// missLocked counts a read that had to take the lock, and makes dirty the
// read map once they add up to its size.
func (m *Map[K, V]) missLocked() {
	m.misses++
	if m.misses < len(m.dirty) {
		return
	}
	read := m.dirty
	m.read.Store(&read)
	m.dirty, m.misses = nil, 0
	m.amended.Store(false)
}
