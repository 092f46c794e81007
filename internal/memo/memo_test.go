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
