package chip

import (
	"context"
	"strings"
	"testing"
)

// The progress observer sees the steps go by and the end; a run whose
// memory estimate exceeds its bound is refused before anything is built,
// with the size and the limit in the message.
func TestRunProgressAndBound(t *testing.T) {
	t.Parallel()
	ch := compileSrc(t, `
[oscillators]
count = 4
[run]
cycles = 40000
model = "phase"
`)
	var calls, last, total int
	res, err := ch.Run(context.Background(), nil, RunOptions{Progress: func(d, n int) { calls++; last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if want := res.Steps / ProgressEvery; calls != want+1 || last != res.Steps || total != res.Steps {
		t.Errorf("progress called %d times, last (%d, %d); want %d calls ending at (%d, %d)", calls, last, total, want+1, res.Steps, res.Steps)
	}
	_, err = ch.Run(context.Background(), make([]Input, 1000), RunOptions{TraceEvery: 1, MaxBytes: 1 << 30})
	if err == nil || !strings.Contains(err.Error(), "of memory, more than the 1.074GB allowed") {
		t.Errorf("got %v, want a memory bound error", err)
	}
}
