package main

// Greeting is what web answers: the configured greeting, or a default.
func Greeting(configured string) string {
	if configured == "" {
		return "hello from slipway"
	}
	return configured
}
