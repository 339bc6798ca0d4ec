package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestTrainEPBadWords: an unknown --start, --estimator or --schedule is a
// usage error naming the flag, before any data is loaded.
func TestTrainEPBadWords(t *testing.T) {
	for _, flag := range []string{"--start", "--estimator", "--schedule"} {
		var out, errb bytes.Buffer
		err := runTrainEP(context.Background(), []string{flag, "bogus", "--no-progress"}, &out, &errb)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), flag) || !strings.Contains(err.Error(), "bogus") {
			t.Errorf("%s bogus: %v, want a usage error naming the flag and the word", flag, err)
		}
	}
}
