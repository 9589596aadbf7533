//go:build race

package bindingtest

// raceEnabled: built with -race, which runs far slower; tests do less.
const raceEnabled = true
