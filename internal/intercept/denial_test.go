package intercept

import (
	"errors"
	"fmt"
	"testing"
)

// asDenial is an error that turns into a Denial by its As method.
type asDenial struct{ d *Denial }

func (e asDenial) Error() string { return "as" }
func (e asDenial) As(target any) bool {
	if p, ok := target.(**Denial); ok {
		*p = e.d
		return true
	}
	return false
}

// AsDenial finds a Denial as errors.As does: itself, wrapped, joined, or
// by an As method; and not in an error without one.
func TestAsDenial(t *testing.T) {
	d := Deny("r", "p", "")
	for _, err := range []error{
		d,
		fmt.Errorf("wrapped: %w", d),
		errors.Join(errors.New("other"), fmt.Errorf("x: %w", d)),
		asDenial{d},
		fmt.Errorf("wrapped: %w", asDenial{d}),
	} {
		got, ok := AsDenial(err)
		var want *Denial
		wantOK := errors.As(err, &want)
		if !ok || got != d || !wantOK || want != d {
			t.Errorf("AsDenial(%v) = %v, %v; errors.As: %v, %v", err, got, ok, want, wantOK)
		}
	}
	for _, err := range []error{nil, errors.New("plain"), fmt.Errorf("w: %w", errors.New("plain"))} {
		if got, ok := AsDenial(err); ok || got != nil {
			t.Errorf("AsDenial(%v) = %v, %v", err, got, ok)
		}
	}
	var typedNil *Denial
	if got, ok := AsDenial(typedNil); !ok || got != nil {
		t.Errorf("AsDenial(typed nil) = %v, %v; errors.As says true, nil", got, ok)
	}
}

// AsDenial runs on every exchange; it allocates nothing, whether it
// finds a Denial or not (errors.As's target escaped: one per call).
func TestAsDenialAllocs(t *testing.T) {
	d := Deny("r", "p", "")
	w := fmt.Errorf("wrapped: %w", d)
	plain := errors.New("plain")
	if n := testing.AllocsPerRun(100, func() {
		AsDenial(nil)
		AsDenial(plain)
		AsDenial(w)
	}); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}
