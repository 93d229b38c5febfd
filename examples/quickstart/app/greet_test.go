package main

import "testing"

func TestGreeting(t *testing.T) {
	if got := Greeting(""); got != "hello from slipway" {
		t.Errorf("Greeting(\"\") = %q", got)
	}
	if got := Greeting("hi"); got != "hi" {
		t.Errorf("Greeting(\"hi\") = %q", got)
	}
}
