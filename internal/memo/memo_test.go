package memo_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/placement-advisor/advise/internal/memo"
)

func TestMapRemembersUpToMax(t *testing.T) {
	m := memo.Map[string, int]{Max: 3}
	for i := range 5 {
		m.Store(fmt.Sprint(i), i)
	}
	for i := range 5 {
		v, ok := m.Load(fmt.Sprint(i))
		if want := i < 3; ok != want || (ok && v != i) {
			t.Errorf("Load(%d) = %d, %v; want %v", i, v, ok, want)
		}
	}
	var zero memo.Map[string, int]
	zero.Store("a", 1)
	if _, ok := zero.Load("a"); ok {
		t.Error("the zero Map kept a value")
	}
}

func TestMapIsSafeForConcurrentUse(t *testing.T) {
	m := memo.Map[int, int]{Max: 100}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if v, ok := m.Load(i % 50); ok && v != i%50 {
					t.Errorf("goroutine %d: Load(%d) = %d", g, i%50, v)
				}
				m.Store(i%50, i%50)
			}
		})
	}
	wg.Wait()
	for i := range 50 {
		if v, ok := m.Load(i); !ok || v != i {
			t.Errorf("Load(%d) = %d, %v after every goroutine stored it", i, v, ok)
		}
	}
}

// TestMapKeepsEntriesAcrossPromotions loads and stores in turns, so the
// additions move to the lock-free map and are copied back several times,
// and checks that nothing is lost or added past Max on the way.
func TestMapKeepsEntriesAcrossPromotions(t *testing.T) {
	m := memo.Map[int, int]{Max: 600}
	for i := range 1000 {
		for j := range i {
			if v, ok := m.Load(j); ok != (j < 600) || (ok && v != j) {
				t.Fatalf("after %d stores: Load(%d) = %d, %v", i, j, v, ok)
			}
		}
		m.Store(i, i)
		m.Store(i, -1) // a key keeps its first value
	}
	if n := m.Len(); n != 600 {
		t.Errorf("Len() = %d, want 600", n)
	}
}
