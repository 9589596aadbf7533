//go:build !race

package bindingtest

const raceEnabled = false
