// The greeter in Go: a Go type implementing greeter.idl's IGreeter and
// IGreeterStats (through the Go package facet-idl --lang go makes of
// greeter.idl), built as a Facet module:
//
//	go build -buildmode=c-shared -o greeter-go.so
//
// A C, C++ or Rust host loads it in-process; a Go host, or a process that
// runs another Go module already, cannot (one Go runtime per process).
package main

import (
	"sync/atomic"

	"facet.dev/facet/abi"
	"facet.dev/facet/component"

	"facetgo/greeter"
)

// Greeter is the class: its methods are IGreeter's and IGreeterStats'.
type Greeter struct {
	count atomic.Uint64
}

func (g *Greeter) Greet(name string) (string, error) {
	g.count.Add(1)
	component.Log(abi.LogInfo, "greeted %s", name)
	return "Go says hello, " + name + "!", nil
}

func (g *Greeter) GetGreetCount() (uint64, error) { return g.count.Load(), nil }

// Both interfaces, checked when this builds.
var (
	_ greeter.IGreeter      = (*Greeter)(nil)
	_ greeter.IGreeterStats = (*Greeter)(nil)
)

func init() {
	component.Define(component.Module{
		Name:    "org.example.greeter.go",
		Version: "1.0.0",
		Classes: []component.Class{
			component.NewClass(component.ClassInfo{
				CLSID:    abi.MustGUID("{2B8D41F6-0C7A-4E39-9D52-6A1E83F07C24}"),
				Contract: "org.example.greeter.go",
			}, func() (*Greeter, error) { return &Greeter{}, nil }),
		},
	})
}

func main() {}
