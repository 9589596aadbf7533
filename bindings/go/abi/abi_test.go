package abi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestGUIDText(t *testing.T) {
	g, err := ParseGUID("{c84e923a-cf4c-498b-b88b-a82197acbb01}")
	if err != nil {
		t.Fatal(err)
	}
	if g.String() != "{C84E923A-CF4C-498B-B88B-A82197ACBB01}" {
		t.Errorf("String: %s", g)
	}
	if g.Data1 != 0xC84E923A || g.Data2 != 0xCF4C || g.Data3 != 0x498B || g.Data4[0] != 0xB8 ||
		g.Data4[7] != 0x01 {
		t.Errorf("fields: %+v", g)
	}
	if h, err := ParseGUID("C84E923A-CF4C-498B-B88B-A82197ACBB01"); err != nil || h != g {
		t.Errorf("without braces: %v %v", h, err)
	}
	if GUIDFrom(g.C()) != g {
		t.Error("C and back")
	}
	for text, column := range map[string]string{
		"{C84E923A-CF4C-498B-B88B-A82197ACBB0X}": "column 37",
		"{C84E923A+CF4C-498B-B88B-A82197ACBB01}": "column 10",
		"C84E923A":                               "36 characters",
		"":                                       "36 characters",
	} {
		_, err := ParseGUID(text)
		var e *Error
		if !errors.As(err, &e) || e.Code != ErrBadGUID || !strings.Contains(e.Message, column) {
			t.Errorf("%q: %v (expected ErrBadGUID naming %s)", text, err, column)
		}
	}
}

func TestErrorsCarryTheirCode(t *testing.T) {
	err := fmt.Errorf("loading: %w", NewError(ErrNoEntry, "x.so: no symbol"))
	if !errors.Is(err, ErrNoEntry) || errors.Is(err, ErrNoInterface) {
		t.Error("errors.Is does not find the code")
	}
	var e *Error
	if !errors.As(err, &e) || e.Message != "x.so: no symbol" {
		t.Error("errors.As does not find the *Error")
	}
	if e.Error() != "FACET_E_NOENTRY: x.so: no symbol" {
		t.Errorf("Error(): %s", e.Error())
	}
	if ResultOf(nil) != OK || ResultOf(err) != ErrNoEntry || ResultOf(ErrPointer) != ErrPointer ||
		ResultOf(errors.New("other")) != ErrFail || ResultOf(fmt.Errorf("w: %w", False)) != False {
		t.Error("ResultOf")
	}
	if Check(OK) != nil || Check(False) != nil || Check(ErrFail) != ErrFail {
		t.Error("Check")
	}
	if ErrNoInterface.Error() != "FACET_E_NOINTERFACE (no such interface)" ||
		Result(-7).Name() != "FACET_E_UNKNOWN" {
		t.Error("names")
	}
}
