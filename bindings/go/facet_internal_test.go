package facet

import (
	"testing"

	"facet.dev/facet/abi"
)

// abi's names and sentences are libfacet's, code for code.
func TestResultNamesAreLibfacets(t *testing.T) {
	codes := abi.Results()
	if len(codes) < 39 {
		t.Fatalf("abi knows %d codes", len(codes))
	}
	for _, r := range append(codes, abi.Result(-12345)) {
		if got, want := r.Name(), resultName(r); got != want {
			t.Errorf("0x%08X: abi says %s, libfacet %s", uint32(r), got, want)
		}
		if r == abi.Result(-12345) {
			continue
		}
		if got, want := r.Description(), resultDescription(r); got != want {
			t.Errorf("%s: abi says %q, libfacet %q", r.Name(), got, want)
		}
	}
}
