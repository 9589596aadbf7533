// Tests of the Go binding against libfacet and real modules: a Go host
// loading C modules (the sample greeter, through the Go package facet-idl
// --lang go makes of greeter.idl, and the core's test modules), every
// kind of bad input surfacing as a Go error, references that cannot be
// misused, leaks the finalizer catches, Go objects handed to C and called
// back through their vtables, and many goroutines at once (go test -race).
//
// The environment names the modules (tests/go/CMakeLists.txt sets it):
// FACET_TEST_MODULE_DIR, FACET_GO_GREETER (the C greeter and its manifest
// beside it), FACET_GO_COMPONENT (a Go component), FACET_GO_PROXY_STUBS
// (the greeter's proxies and stubs), FACET_GO_CORPUS (the fuzz corpus of
// images).
package bindingtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"facet.dev/facet"
	"facet.dev/facet/abi"

	"facetgo/greeter"
)

var greeterClsid = abi.MustGUID("{18465FEE-7FCD-49E8-AD22-794427E9CF88}")

func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run this test through ctest (tests/go/CMakeLists.txt)", name)
	}
	return v
}

func module(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(env(t, "FACET_TEST_MODULE_DIR"), name+".so")
}

func newRuntime(t *testing.T, opts ...facet.Option) *facet.Runtime {
	t.Helper()
	rt, err := facet.NewRuntime(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return rt
}

// expect checks that err carries code and a message naming each of want.
func expect(t *testing.T, err error, code abi.Result, want ...string) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Fatalf("expected %s, got %v", code.Name(), err)
	}
	var e *abi.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not an *abi.Error", err)
	}
	if e.Code != code {
		t.Fatalf("the *abi.Error carries %s, not %s", e.Code.Name(), code.Name())
	}
	for _, w := range want {
		if !strings.Contains(e.Message, w) {
			t.Errorf("the message %q does not say %q", e.Message, w)
		}
	}
}

// noLeaks checks, at the end of a test, that every reference and every Go
// object handed to C is gone.
func noLeaks(t *testing.T) {
	refs, objects := abi.References(), abi.ObjectsAlive()
	t.Cleanup(func() {
		if n := abi.References(); n != refs {
			t.Errorf("%d references held at the start, %d at the end", refs, n)
		}
		if n := abi.ObjectsAlive(); n != objects {
			t.Errorf("%d Go objects in C at the start, %d at the end", objects, n)
		}
	})
}

func TestGreetTheCGreeter(t *testing.T) {
	noLeaks(t)
	var lines []string
	var mu sync.Mutex
	rt := newRuntime(t, facet.WithLog(func(level uint32, module, message string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf("%d %s %s", level, module, message))
	}))
	m, err := rt.Load(env(t, "FACET_GO_GREETER"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Info()
	if err != nil || info.Name != "org.example.greeter" || info.Version != "1.0.0" ||
		info.ABIVersion != 1 {
		t.Fatalf("Info: %+v, %v", info, err)
	}
	if !strings.HasSuffix(m.Path(), "greeter.so") {
		t.Errorf("Path %q", m.Path())
	}
	var g greeter.IGreeterPtr
	if err := rt.CreateByName(&g, "org.example.greeter"); err != nil {
		t.Fatal(err)
	}
	text, err := g.Greet("Go")
	if err != nil || text != "Hello, Go!" {
		t.Fatalf("Greet: %q, %v", text, err)
	}
	var stats greeter.IGreeterStatsPtr
	if err := g.QueryInterface(&stats); err != nil {
		t.Fatal(err)
	}
	if n, err := stats.GetGreetCount(); err != nil || n != 1 {
		t.Errorf("GetGreetCount: %d, %v", n, err)
	}
	// By clsid, and by the clsid's text.
	var g2, g3 greeter.IGreeterPtr
	if err := rt.Create(&g2, greeterClsid); err != nil {
		t.Fatal(err)
	}
	if err := rt.CreateByName(&g3, greeterClsid.String()); err != nil {
		t.Fatal(err)
	}
	if c, err := rt.Lookup("org.example.greeter"); err != nil || c != greeterClsid {
		t.Errorf("Lookup: %s, %v", c, err)
	}
	for _, r := range []abi.Ref{g.Ref, stats.Ref, g2.Ref, g3.Ref} {
		if err := r.Release(); err != nil {
			t.Error(err)
		}
	}
	if err := m.Unload(); err != nil {
		t.Errorf("Unload with every object released: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "org.example.greeter greeted someone") {
		t.Errorf("the module's log lines did not reach WithLog: %q", lines)
	}
}

func TestConfigAliasesAndScan(t *testing.T) {
	noLeaks(t)
	dir := t.TempDir()
	lib, err := os.ReadFile(env(t, "FACET_GO_GREETER"))
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(strings.TrimSuffix(env(t, "FACET_GO_GREETER"), ".so") + ".facet.json")
	if err != nil {
		t.Fatal(err)
	}
	plugins := filepath.Join(dir, "plugins")
	must(t, os.Mkdir(plugins, 0o755))
	must(t, os.WriteFile(filepath.Join(plugins, "greeter.so"), lib, 0o755))
	must(t, os.WriteFile(filepath.Join(plugins, "greeter.facet.json"), manifest, 0o644))
	must(t, os.WriteFile(filepath.Join(plugins, "broken.facet.json"), []byte("{\"name\": 7}"), 0o644))
	conf := filepath.Join(dir, "facet.conf.json")
	must(t, os.WriteFile(conf, []byte(`{"plugin_folders": ["plugins"], "aliases": {"hello": "org.example.greeter"}}`), 0o644))

	rt := newRuntime(t)
	report, err := rt.LoadConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Modules) != 1 || report.Modules[0].Name != "org.example.greeter" ||
		report.Modules[0].State != facet.ScanAvailable {
		t.Errorf("modules: %+v", report.Modules)
	}
	if len(report.Problems) != 1 || report.Problems[0].Code != abi.ErrBadManifest ||
		!strings.Contains(report.Problems[0].Message, "broken.facet.json:1:") {
		t.Errorf("problems: %+v", report.Problems)
	}
	var g greeter.IGreeterPtr
	if err := rt.CreateByName(&g, "hello"); err != nil {
		t.Fatal(err)
	}
	if text, err := g.Greet("alias"); err != nil || text != "Hello, alias!" {
		t.Errorf("Greet: %q, %v", text, err)
	}
	must(t, g.Release())
	_, err = rt.LoadConfig(conf)
	expect(t, err, abi.ErrState)

	classes, err := rt.ClassesImplementing(greeter.IID_IGreeter)
	if err != nil || len(classes) != 1 || classes[0].CLSID != greeterClsid ||
		classes[0].Module != "org.example.greeter" ||
		!strings.HasSuffix(classes[0].Manifest, "greeter.facet.json") {
		t.Errorf("ClassesImplementing(IGreeter): %+v, %v", classes, err)
	}
	classes, err = rt.ClassesImplementing(abi.MustGUID("{7A000001-0000-4000-8000-0000000000FF}"))
	if err != nil || len(classes) != 0 {
		t.Errorf("ClassesImplementing(nobody's): %+v, %v", classes, err)
	}

	m, err := facet.LoadManifest(filepath.Join(plugins, "greeter.facet.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "org.example.greeter" || m.Runtime != facet.RuntimeNative || len(m.Classes) != 1 ||
		m.Classes[0].CLSID != greeterClsid || len(m.Classes[0].Interfaces) != 2 {
		t.Errorf("manifest: %+v", m)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Each kind of bad input libfacet refuses is a Go error with its code and
// libfacet's message.
func TestBadInputIsAGoError(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, data, 0o644))
		return p
	}
	alpha, err := os.ReadFile(module(t, "alpha"))
	must(t, err)
	corpus := env(t, "FACET_GO_CORPUS")
	cases := []struct {
		name string
		path string
		code abi.Result
		says []string
	}{
		{"missing", filepath.Join(dir, "nothing.so"), abi.ErrFileNotFound, []string{"nothing.so", "no such file"}},
		{"folder", dir, abi.ErrNotAFile, []string{dir}},
		{"empty", write("empty.so", nil), abi.ErrEmptyFile, []string{"empty.so", "empty"}},
		{"text", write("text.so", []byte("#!/bin/sh\necho not a library\n")), abi.ErrNotLibrary, []string{"text file"}},
		{"truncated", write("cut.so", alpha[:len(alpha)/3]), abi.ErrTruncated, []string{"cut.so", "truncated"}},
		{"another machine", filepath.Join(corpus, "elf32_i386.so"), abi.ErrWrongArch, []string{"i386"}},
		{"no entry", module(t, "bad_no_entry"), abi.ErrNoEntry, []string{"facet_module_entry"}},
		{"ABI refused", module(t, "bad_refuse_abi"), abi.ErrABIMismatch, []string{"ABI version"}},
		{"API level", module(t, "bad_api_level"), abi.ErrAPILevel, []string{"API level"}},
		{"NULL factory", module(t, "bad_null_factory"), abi.ErrContract, []string{"no factory"}},
		{"small info", module(t, "bad_small_info"), abi.ErrStructSize, []string{"FacetModuleInfo"}},
		{"class count", module(t, "bad_class_count"), abi.ErrContract, []string{"DescribeClass"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := rt.Load(c.path)
			if m != nil {
				t.Error("a failed Load gave a module")
			}
			expect(t, err, c.code, c.says...)
		})
	}
	// Positive control: the module those were made from loads.
	m, err := rt.Load(module(t, "alpha"))
	must(t, err)

	var g greeter.IGreeterPtr
	expect(t, rt.CreateByName(&g, "org.example.nobody"), abi.ErrClassNotReg, "org.example.nobody")
	expect(t, rt.CreateByName(&g, "test.alpha.counter"), abi.ErrNoInterface,
		"does not implement interface", greeter.IID_IGreeter.String())
	if g.Valid() {
		t.Error("a failed create left a reference")
	}
	_, err = rt.Lookup("{not a guid")
	expect(t, err, abi.ErrClassNotReg)
	must(t, m.Unload())
	expect(t, m.Unload(), abi.ErrState, "already unloaded")

	_, err = facet.LoadManifest(write("bad.facet.json", []byte("{\"name\": \"x\", \"version\": \"1\"}")))
	expect(t, err, abi.ErrBadManifest, "bad.facet.json:1:", "$.version")
	_, err = facet.LoadManifest(write("go.facet.json", []byte(`{"name": "x", "version": "1.0.0", "library": "x.so", "classes": [], "runtime": "java"}`)))
	expect(t, err, abi.ErrBadManifest, "$.runtime", `expected "native" or "go"`)
	goManifest, err := facet.LoadManifest(write("go2.facet.json", []byte(`{"name": "x", "version": "1.0.0", "library": "x.so", "classes": [], "runtime": "go"}`)))
	if err != nil || goManifest.Runtime != facet.RuntimeGo {
		t.Errorf("runtime go: %+v, %v", goManifest, err)
	}
	rt2 := newRuntime(t)
	_, err = rt2.LoadConfig(write("facet.conf.json", []byte("{\"plugin_folders\": [\n  1]}")))
	expect(t, err, abi.ErrBadConfig, "facet.conf.json:2:3")
	_, err = rt2.Scan(filepath.Join(dir, "no-such-folder"))
	if err == nil {
		t.Error("a scan of a missing folder succeeded")
	}
}

// A Go host loads no Go module: a process has one Go runtime.
func TestGoModuleInAGoHost(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	m, err := rt.Load(env(t, "FACET_GO_COMPONENT"))
	if m != nil {
		t.Error("a Go module loaded into a Go host")
	}
	expect(t, err, abi.ErrConflict, "written in Go", "this program is written in Go too",
		"process isolation")
}

// LoadProxyStubs: a file that is not there is a Go error that names it; the
// greeter's library of proxies and stubs loads.
func TestLoadProxyStubs(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no_ps.so")
	err := facet.LoadProxyStubs(missing)
	var e *abi.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, missing) {
		t.Errorf("LoadProxyStubs(%q) = %v; expected an *abi.Error naming the file", missing, err)
	}
	if err := facet.LoadProxyStubs(env(t, "FACET_GO_PROXY_STUBS")); err != nil {
		t.Errorf("LoadProxyStubs: %v", err)
	}
}

func TestReferencesCannotBeMisused(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	m, err := rt.Load(env(t, "FACET_GO_GREETER"))
	must(t, err)
	var g greeter.IGreeterPtr
	_, err = g.Greet("zero")
	expect(t, err, abi.ErrPointer, "empty reference")
	expect(t, g.Release(), abi.ErrPointer)
	must(t, rt.CreateByName(&g, "org.example.greeter"))
	copyOf := g // copies share the one reference
	clone, err := g.Clone()
	must(t, err)
	must(t, g.Release())
	expect(t, copyOf.Release(), abi.ErrState, "released twice")
	_, err = copyOf.Greet("after")
	expect(t, err, abi.ErrState, "after its Release")
	// The clone holds a reference of its own.
	g2 := greeter.IGreeterPtr{Ref: clone}
	if text, err := g2.Greet("clone"); err != nil || text != "Hello, clone!" {
		t.Errorf("through the clone: %q, %v", text, err)
	}
	// The module waits for the clone.
	expect(t, m.Unload(), abi.False, "live objects")
	must(t, g2.Release())
	must(t, rt.Collect())
	// A runtime after Close.
	must(t, rt.Close())
	must(t, rt.Close())
	_, err = rt.Load(env(t, "FACET_GO_GREETER"))
	expect(t, err, abi.ErrState, "closed")
	expect(t, rt.CreateByName(&g, "org.example.greeter"), abi.ErrState)
}

// A reference dropped without Release is reported, and released, by the
// finalizer; one released is not.
func TestLeaksAreCaught(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	m, err := rt.Load(env(t, "FACET_GO_GREETER"))
	must(t, err)
	leaks := make(chan abi.Leak, 4)
	old := abi.OnLeak(func(l abi.Leak) { leaks <- l })
	defer abi.OnLeak(old)

	released := &greeter.IGreeterPtr{}
	must(t, rt.CreateByName(released, "org.example.greeter"))
	must(t, released.Release())
	leak(t, rt)
	deadline := time.After(10 * time.Second)
	var got []abi.Leak
	for len(got) < 1 {
		runtime.GC()
		select {
		case l := <-leaks:
			got = append(got, l)
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("the leaked reference was never reported")
		}
	}
	runtime.GC()
	time.Sleep(100 * time.Millisecond)
	select {
	case l := <-leaks:
		t.Errorf("a second report, of a reference that was released: %+v", l)
	default:
	}
	if got[0].Interface != "IGreeter" || !strings.Contains(got[0].Where, "leak") ||
		!strings.Contains(got[0].Where, "binding_test.go") {
		t.Errorf("the report does not say what leaked and where: %+v", got[0])
	}
	// The finalizer released it: nothing keeps the module.
	if err := m.Unload(); err != nil {
		t.Errorf("Unload after the finalizer released the leak: %v", err)
	}
}

//go:noinline
func leak(t *testing.T, rt *facet.Runtime) {
	g := &greeter.IGreeterPtr{}
	must(t, rt.CreateByName(g, "org.example.greeter"))
	if _, err := g.Greet("leak"); err != nil {
		t.Fatal(err)
	}
}

// goGreeter is a Go class of greeter.idl's interfaces.
type goGreeter struct {
	count uint64
	panic bool
}

func (g *goGreeter) Greet(name string) (string, error) {
	if g.panic {
		panic("a Go method that panics")
	}
	if name == "" {
		return "", abi.NewError(abi.ErrInvalidArg, "no name")
	}
	atomic.AddUint64(&g.count, 1)
	return "Go says hello, " + name, nil
}

// A Go object handed to C is a Facet object: its calls go through its
// vtable's C trampolines into Go, QueryInterface keeps COM's rules, and a
// panic never crosses into C.
func TestGoObjectsThroughC(t *testing.T) {
	noLeaks(t)
	obj := &goGreeter{}
	p, err := abi.Export(obj, greeter.IID_IGreeter)
	must(t, err)
	again, err := abi.Export(obj, abi.IID_IFacetUnknown)
	must(t, err)
	if again != p {
		t.Errorf("one Go value is one object: %p and %p", p, again)
	}
	abi.ReleasePointer(again)
	if abi.Local(p) != obj {
		t.Error("Local does not find the Go value behind its interface pointer")
	}
	// Through the vtable, as a C host would call it.
	g := &greeter.IGreeterPtr{Ref: abi.Own(p, "IGreeter")}
	if text, err := g.Greet("C"); err != nil || text != "Go says hello, C" {
		t.Errorf("Greet through the vtable: %q, %v", text, err)
	}
	_, err = g.Greet("")
	expect(t, err, abi.ErrInvalidArg)
	var stats greeter.IGreeterStatsPtr
	expect(t, g.QueryInterface(&stats), abi.ErrNoInterface)
	_, err = abi.Export(obj, greeter.IID_IGreeterStats)
	expect(t, err, abi.ErrNoInterface, "does not implement")

	panics := 0
	old := abi.OnPanic(func(method string, value any, stack []byte) {
		panics++
		if method != "IGreeter.Greet" {
			t.Errorf("the panic names %q", method)
		}
	})
	obj.panic = true
	_, err = g.Greet("boom")
	abi.OnPanic(old)
	expect(t, err, abi.ErrUnexpected)
	if panics != 1 {
		t.Errorf("%d panics reported", panics)
	}
	must(t, g.Release())
	if atomic.LoadUint64(&obj.count) != 1 {
		t.Errorf("the Go method ran %d times", obj.count)
	}
}

// Many goroutines create, call, query and release at once, and race
// Release against calls on a shared reference: every call either works or
// fails with ErrState, never anything worse. Under -race, fewer rounds.
func TestManyGoroutines(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	m, err := rt.Load(env(t, "FACET_GO_GREETER"))
	must(t, err)
	workers, rounds := 32, 200
	if raceEnabled || testing.Short() {
		workers, rounds = 16, 40
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				var g greeter.IGreeterPtr
				if err := rt.CreateByName(&g, "org.example.greeter"); err != nil {
					errs <- err
					return
				}
				name := fmt.Sprintf("w%d-%d", w, i)
				if text, err := g.Greet(name); err != nil || text != "Hello, "+name+"!" {
					errs <- fmt.Errorf("Greet: %q, %v", text, err)
					return
				}
				var s greeter.IGreeterStatsPtr
				if err := g.QueryInterface(&s); err != nil {
					errs <- err
					return
				}
				s.Release()
				g.Release()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// One reference, many callers, and a Release in the middle of them.
	var shared greeter.IGreeterPtr
	must(t, rt.CreateByName(&shared, "org.example.greeter"))
	var ok, refused int64
	start := make(chan struct{})
	var wg2 sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			<-start
			for i := 0; i < rounds; i++ {
				_, err := shared.Greet("shared")
				switch {
				case err == nil:
					atomic.AddInt64(&ok, 1)
				case errors.Is(err, abi.ErrState):
					atomic.AddInt64(&refused, 1)
				default:
					t.Errorf("a call racing Release: %v", err)
				}
			}
		}()
	}
	close(start)
	time.Sleep(time.Millisecond)
	must(t, shared.Release())
	wg2.Wait()
	if ok+refused != int64(workers*rounds) {
		t.Errorf("%d calls worked and %d were refused, of %d", ok, refused, workers*rounds)
	}
	if err := m.Unload(); err != nil {
		t.Errorf("Unload after the goroutines: %v", err)
	}
}

func TestServices(t *testing.T) {
	noLeaks(t)
	rt := newRuntime(t)
	sid := abi.MustGUID("{0D2C9A40-62B1-4E29-9A55-6B2F7F8E0C11}")
	svc := &goGreeter{}
	must(t, rt.RegisterService(sid, svc, ""))
	expect(t, rt.RegisterService(sid, svc, ""), abi.ErrConflict)
	_, err := abi.Export(struct{}{}, abi.IID_IFacetUnknown)
	expect(t, err, abi.ErrNoInterface)
	must(t, rt.UnregisterService(sid))
	expect(t, rt.UnregisterService(sid), abi.ErrNotFound)
}
