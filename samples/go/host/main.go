// The Go host of the greeter sample: scans a folder of plugins written in
// C, Rust and Go, and greets through each one's IGreeter, from Go,
// through facet.dev/facet and the Go package facet-idl --lang go makes of
// greeter.idl.
//
//	go-greeter-host [PLUGIN-FOLDER [PROXY-STUBS]]
//
// The C and Rust greeters load into this process. The Go greeter cannot:
// this program runs Go already, and a process has one Go runtime. Facet
// knows that before its code is mapped, runs it in a process of its own
// (facet-host), and logs why; its calls cross through the proxies and
// stubs of greeter.idl, greeter_ps.so, which this program loads from
// beside itself (or PROXY-STUBS). Without them the Go greeter is refused.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"facet.dev/facet"
	"facet.dev/facet/abi"

	"facetgo/greeter"
)

func main() {
	dir, stubs := "plugins", "greeter_ps.so"
	if exe, err := os.Executable(); err == nil {
		dir = filepath.Join(filepath.Dir(exe), "plugins")
		stubs = filepath.Join(filepath.Dir(exe), "greeter_ps.so")
	}
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if len(os.Args) > 2 {
		stubs = os.Args[2]
	}
	if err := facet.LoadProxyStubs(stubs); err != nil {
		fmt.Println("no proxies and stubs, so no process host:", err)
	}
	if err := run(dir); err != nil {
		fmt.Fprintln(os.Stderr, "go-greeter-host:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	rt, err := facet.NewRuntime(facet.WithLog(func(level uint32, module, message string) {
		fmt.Printf("  [%s] %s\n", module, message)
	}))
	if err != nil {
		return err
	}
	defer rt.Close()

	report, err := rt.Scan(dir)
	if err != nil {
		return err
	}
	for _, m := range report.Modules {
		fmt.Printf("found %s %s (%s)\n", m.Name, m.Version, filepath.Base(m.Manifest))
	}
	for _, p := range report.Problems {
		fmt.Printf("problem: %s\n", p.Message)
	}

	for _, name := range []string{"org.example.greeter", "org.example.greeter.rust",
		"org.example.greeter.go"} {
		fmt.Printf("%s:\n", name)
		if err := greet(rt, name); err != nil {
			var e *abi.Error
			if errors.As(err, &e) && errors.Is(err, abi.ErrConflict) {
				fmt.Printf("  refused (%s): %s\n", e.Code.Name(), e.Message)
				continue
			}
			// A greeter the folder does not hold (the Rust one where there
			// is no Rust toolchain for the platform) is said, and skipped.
			if errors.As(err, &e) && errors.Is(err, abi.ErrClassNotReg) {
				fmt.Printf("  not installed (%s)\n", e.Code.Name())
				continue
			}
			return err
		}
	}
	return nil
}

// greet creates the greeter by its contract name and greets twice.
func greet(rt *facet.Runtime, name string) error {
	var g greeter.IGreeterPtr
	if err := rt.CreateByName(&g, name); err != nil {
		return err
	}
	defer g.Release()
	for _, who := range []string{"Gopher", "Ferris"} {
		text, err := g.Greet(who)
		if err != nil {
			return err
		}
		fmt.Printf("  %s\n", text)
	}
	var stats greeter.IGreeterStatsPtr
	if err := g.QueryInterface(&stats); err != nil {
		return err
	}
	defer stats.Release()
	n, err := stats.GetGreetCount()
	if err != nil {
		return err
	}
	fmt.Printf("  %d greetings\n", n)
	return nil
}
