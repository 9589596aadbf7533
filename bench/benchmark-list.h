/*
 * bench/benchmark-list.h - the one list of benchmarks, as libuv's
 * test/benchmark-list.h. Each row belongs to one program (its area, built
 * as bench_<area>); its baseline is another row of the same area, measured
 * in the same process and the same run, so the ratio compares like with
 * like. bench/run runs the areas in the order they first appear here.
 *
 * X(area, name, unit, baseline, flags, what)
 *   unit      "ns" (per operation), "us", "bytes", "KiB"
 *   baseline  the row the ratio divides by, or NULL
 *   flags     BENCH_INSTR: counted by bench/run --instructions (callgrind)
 *             BENCH_FIXED: a fixed count per run (files, memory), not timed
 *                          to a target duration
 *   For a peer.* row the baseline is the peer doing the same work: a ratio
 *   below 1 means Facet is faster.
 */
#define FACET_BENCH_LIST(X)                                                                        \
    X(call, "call.direct", "ns", NULL, BENCH_INSTR,                                                \
      "direct call of a function in the host")                                                     \
    X(call, "call.indirect", "ns", "call.direct", BENCH_INSTR,                                     \
      "the same function through a function pointer")                                              \
    X(call, "call.cpp_virtual", "ns", NULL, BENCH_INSTR,                                           \
      "C++ virtual call through a class compiled without Facet headers: the interface floor")     \
    X(call, "call.vtable", "ns", "call.cpp_virtual", BENCH_INSTR,                                  \
      "IBenchAdder_Add through the vtable, object from the runtime")                               \
    X(call, "call.vtable_cpp", "ns", "call.cpp_virtual", BENCH_INSTR,                              \
      "the same call from C++ through facet::Ptr<IBenchAdder>")                                    \
    X(call, "call.cross_compiler", "ns", "call.cpp_virtual", BENCH_INSTR,                          \
      "the same call into a module built by the other compiler")                                   \
    X(refcount, "atomic.pair", "ns", NULL, BENCH_INSTR,                                            \
      "bare atomic increment + decrement in the host")                                             \
    X(refcount, "refcount.pair", "ns", "atomic.pair", BENCH_INSTR,                                 \
      "AddRef + Release through the vtable")                                                       \
    X(refcount, "qi.present", "ns", "refcount.pair", BENCH_INSTR,                                  \
      "QueryInterface hit + Release, middle IID of a 5-interface object")                          \
    X(refcount, "qi.absent", "ns", "refcount.pair", BENCH_INSTR,                                   \
      "QueryInterface miss on a 5-interface object")                                               \
    X(refcount, "qi.1.first", "ns", "refcount.pair", BENCH_INSTR,                                  \
      "QueryInterface hit + Release, 1-interface object")                                          \
    X(refcount, "qi.1.absent", "ns", "refcount.pair", BENCH_INSTR,                                 \
      "QueryInterface miss, 1-interface object")                                                   \
    X(refcount, "qi.5.first", "ns", "refcount.pair", BENCH_INSTR,                                  \
      "QueryInterface hit + Release, first IID of a 5-interface object")                           \
    X(refcount, "qi.20.first", "ns", "refcount.pair", BENCH_INSTR,                                 \
      "QueryInterface hit + Release, first IID of a 20-interface object")                          \
    X(refcount, "qi.20.middle", "ns", "refcount.pair", BENCH_INSTR,                                \
      "QueryInterface hit + Release, 10th IID of a 20-interface object")                           \
    X(refcount, "qi.20.absent", "ns", "refcount.pair", BENCH_INSTR,                                \
      "QueryInterface miss, 20-interface object")                                                  \
    X(refcount, "atomic.pair.contended", "ns", NULL, 0,                                            \
      "bare atomic pair on one counter from 2 threads (per pair per thread)")                      \
    X(refcount, "refcount.pair.contended", "ns", "atomic.pair.contended", 0,                       \
      "AddRef + Release on one object from 2 threads (per pair per thread)")                       \
    X(create, "create.factory", "ns", NULL, BENCH_INSTR,                                           \
      "IFacetFactory::CreateInstance + Release, factory held by the host")                         \
    X(create, "create.by_clsid", "ns", "create.factory", BENCH_INSTR,                              \
      "facet_create_instance + Release")                                                           \
    X(create, "create.by_name", "ns", "create.factory", BENCH_INSTR,                               \
      "facet_create_instance_by_name with the contract name + Release")                            \
    X(create, "create.by_alias", "ns", "create.factory", BENCH_INSTR,                              \
      "facet_create_instance_by_name with an alias from facet.conf.json + Release")                \
    X(load, "load.dlopen", "us", NULL, 0,                                                          \
      "dlopen + dlsym + facet_module_entry + GetModuleInfo of the module file")                    \
    X(load, "load.module", "us", "load.dlopen", 0,                                                 \
      "facet_module_load of the same file (image checks, entry, factory, classes)")                \
    X(load, "load.manifest", "us", "load.dlopen", 0,                                               \
      "first facet_create_instance of a scanned class: load, manifest check, create")             \
    X(load, "reload.call", "us", "load.dlopen", 0,                                                 \
      "facet_runtime_reload of the same file: manifest, private copy, load, checks, swap")        \
    X(load, "reload.latency", "us", "load.dlopen", BENCH_FIXED,                                    \
      "rename of a new build into a watched folder to the first instance from it (300 ms quiet)") \
    X(load, "reload.latency.10ms", "us", "load.dlopen", BENCH_FIXED,                               \
      "the same with a quiet time of 10 ms: what the reload costs beyond the wait")               \
    X(scan, "scan.read.10000", "ms", NULL, BENCH_FIXED,                                            \
      "open + read + close of 10,000 manifests: the I/O floor of a scan")                          \
    X(scan, "scan.parse.10000", "ms", NULL, BENCH_FIXED,                                           \
      "list, read and json_loadb of 10,000 manifests, no Facet code: the parse floor")             \
    X(scan, "scan.10000", "ms", "scan.parse.10000", BENCH_FIXED,                                   \
      "facet_scan of a folder of 10,000 manifests into a new runtime, no scan index")              \
    X(scan, "scan.first.10000", "ms", "scan.10000", BENCH_FIXED,                                   \
      "the same, scan index on and none yet: parses, then writes the index")                       \
    X(scan, "scan.stat.10000", "ms", NULL, BENCH_FIXED,                                            \
      "list the folder and stat each of 10,000 manifests: the floor of an unchanged rescan")       \
    X(scan, "scan.warm.10000", "ms", "scan.stat.10000", BENCH_FIXED,                               \
      "facet_scan into a new runtime of the unchanged folder, through its scan index")             \
    X(scan, "scan.warm.10000.changed100", "ms", "scan.stat.10000", BENCH_FIXED,                    \
      "the same after 100 of the manifests were touched: 100 parsed, the index rewritten")         \
    X(scan, "memory.host", "KiB", NULL, BENCH_FIXED,                                               \
      "resident size of a new host process with a runtime and no plugins")                         \
    X(scan, "memory.scan.10000", "KiB", "memory.host", BENCH_FIXED,                                \
      "resident size of the same process after scanning 10,000 manifests")                         \
    X(scan, "memory.scan.per_plugin", "bytes", NULL, BENCH_FIXED,                                  \
      "(memory.scan.10000 - memory.host) / 10,000: resident bytes per scanned plugin")             \
    X(startup, "startup.1000.cold", "ms", NULL, BENCH_FIXED,                                       \
      "new process: runtime, config of 1,000 plugins, 1 object from each of 10; no scan index")    \
    X(startup, "startup.1000.warm", "ms", "startup.1000.cold", BENCH_FIXED,                        \
      "the same new process with the scan index of an earlier start")                              \
    X(manifest, "manifest.json.20500", "ms", NULL, BENCH_FIXED,                                    \
      "json_loadb of a 1 MiB manifest of 20,500 classes: jansson's parse, the floor")              \
    X(manifest, "manifest.parse.20500", "ms", "manifest.json.20500", BENCH_FIXED,                  \
      "facet_manifest_parse of the same text: every field checked, clsids unique")                 \
    X(memory, "memory.dlopen", "bytes", NULL, BENCH_FIXED,                                         \
      "heap the C library's dlopen takes for one module")                                          \
    X(memory, "memory.module", "bytes", "memory.dlopen", BENCH_FIXED,                              \
      "heap facet_module_load takes for one module, dlopen's share included")                      \
    X(memory, "memory.class", "bytes", NULL, BENCH_FIXED,                                          \
      "heap of the runtime per registered class (1000-class module vs 1-class)")                   \
    X(memory, "memory.object.factory", "bytes", NULL, BENCH_FIXED,                                 \
      "heap per live object created by the factory directly")                                      \
    X(memory, "memory.object", "bytes", "memory.object.factory", BENCH_FIXED,                      \
      "heap per live object created by facet_create_instance")                                     \
    X(oop, "oop.floor.1core", "us", NULL, 0,                                                       \
      "64-byte round trip to a child, shared memory + spin + futex, both on one CPU")              \
    X(oop, "oop.floor.2core", "us", NULL, 0,                                                       \
      "the same, each process on a CPU of its own")                                                \
    X(oop, "oop.futex.1core", "us", "oop.floor.1core", 0,                                          \
      "the same channel never spinning (futex only), one CPU")                                     \
    X(oop, "oop.futex.2core", "us", "oop.floor.2core", 0,                                          \
      "the same channel never spinning (futex only), two CPUs")                                    \
    X(oop, "oop.spin.1core", "us", "oop.floor.1core", 0,                                           \
      "the same channel busy-waiting on both sides (up to 1 ms a wait), one CPU")                  \
    X(oop, "oop.spin.2core", "us", "oop.floor.2core", 0,                                           \
      "the same channel busy-waiting on both sides, two CPUs")                                     \
    X(oop, "oop.pipe.1core", "us", "oop.floor.1core", 0,                                           \
      "64-byte round trip through a pair of pipes, one CPU")                                       \
    X(oop, "oop.pipe.2core", "us", "oop.floor.2core", 0,                                           \
      "64-byte round trip through a pair of pipes, two CPUs")                                      \
    X(oop, "oop.socket.1core", "us", "oop.floor.1core", 0,                                         \
      "64-byte round trip through a Unix socketpair, one CPU")                                     \
    X(oop, "oop.socket.2core", "us", "oop.floor.2core", 0,                                         \
      "64-byte round trip through a Unix socketpair, two CPUs")                                    \
    X(oop, "oop.floor.threads2", "us", "oop.floor.2core", 0,                                       \
      "2 calling threads, a lane each, 2 serving threads, both processes on 2 CPUs; per call")     \
    X(oop, "oop.futex.threads2", "us", "oop.floor.threads2", 0,                                    \
      "the same, futex only")                                                                      \
    X(oop, "oop.spin.threads2", "us", "oop.floor.threads2", 0,                                     \
      "the same, all 4 threads busy-waiting")                                                      \
    X(oop, "oop.roundtrip.1core", "us", "oop.floor.1core", 0,                                      \
      "IBenchAdder::Add through generated proxy and stub to a child (forked), one CPU")         \
    X(oop, "oop.roundtrip.2core", "us", "oop.floor.2core", 0,                                      \
      "the same, each process on a CPU of its own")                                                \
    X(oop, "oop.roundtrip.64b", "us", "oop.floor.2core", 0,                                        \
      "IBenchBuffers::Echo, a 64-byte [in] array there and [out] array back, two CPUs")           \
    X(oop, "oop.memcpy.1mib", "us", NULL, 0,                                                       \
      "memcpy of 1 MiB in this process: the least a hand-over of it costs")                       \
    X(oop, "oop.buffer.1mib", "us", "oop.memcpy.1mib", 0,                                          \
      "IBenchBuffers::Take of a 1 MiB [in] array through proxy and stub, two CPUs")               \
    X(oop, "oop.roundtrip.sandboxed", "us", "oop.roundtrip.2core", 0,                              \
      "oop.roundtrip.2core with the child behind the process host's sandbox")                     \
    X(oop, "oop.threads.2", "us", "oop.roundtrip.2core", 0,                                        \
      "2 host threads calling IBenchAdder::Add at once through one proxy; per call of all")       \
    X(oop, "oop.spawn.bare", "us", NULL, BENCH_FIXED,                                              \
      "posix_spawn of a trivial program + one 64-byte round trip over pipes")                      \
    X(oop, "oop.spawn", "us", "oop.spawn.bare", BENCH_FIXED,                                       \
      "first facet_create_instance_by_name of a process-isolated class + its first call")         \
    X(oop, "oop.spawn.sandboxed", "us", "oop.spawn", BENCH_FIXED,                                  \
      "oop.spawn with facet-host's sandbox up before the module loads")                           \
    X(oop, "oop.death.bare", "us", NULL, BENCH_FIXED,                                              \
      "kill -9 of a forked child in pause() to its pidfd's POLLIN: the kernel's part, no Facet")  \
    /* oop.disconnect against oop.death.bare: most of it is the kernel     \
     * tearing the process down and saying so, the part no design can     \
     * skip; the floor's round trip would compare with a live peer's. */   \
    X(oop, "oop.disconnect", "us", "oop.death.bare", BENCH_FIXED,                                  \
      "kill -9 of a process-isolated module's process to the next call's CRASHED/DISCONNECTED")   \
    X(net, "net.connect.plain", "us", NULL, 0,                                                     \
      "socket + connect + close on loopback in the host: the floor")                               \
    X(net, "net.connect.broker", "us", "net.connect.plain", 0,                                     \
      "IFacetNet::Connect from a process-isolated module: checked, connected, passed by SCM_RIGHTS") \
    X(peer_gobject, "gobject.call", "ns", NULL, BENCH_INSTR,                                       \
      "GObject interface method through G_TYPE_INSTANCE_GET_INTERFACE")                            \
    X(peer_gobject, "peer.gobject.call", "ns", "gobject.call", BENCH_INSTR,                        \
      "Facet interface method call, same work")                                                    \
    X(peer_gobject, "gobject.create", "ns", NULL, 0,                                               \
      "g_object_new + g_object_unref of a GObject with one interface")                             \
    X(peer_gobject, "peer.gobject.create", "ns", "gobject.create", 0,                              \
      "facet_create_instance + Release, same work")                                                \
    X(peer_libpeas, "libpeas.load", "us", NULL, BENCH_FIXED,                                       \
      "peas_engine_load_plugin of a C plugin (a fresh copy each time)")                            \
    X(peer_libpeas, "peer.libpeas.load", "us", "libpeas.load", BENCH_FIXED,                        \
      "facet_module_load of a module (a fresh copy each time)")                                    \
    X(peer_libpeas, "libpeas.scan", "ms", NULL, BENCH_FIXED,                                       \
      "peas_engine_add_search_path of a folder of 1,000 .plugin files (libpeas reads them)")       \
    X(peer_libpeas, "peer.libpeas.scan", "ms", "libpeas.scan", BENCH_FIXED,                        \
      "facet_scan of a folder of 1,000 manifests")                                                 \
    X(peer_libpeas, "libpeas.startup", "ms", NULL, BENCH_FIXED,                                    \
      "new process: PeasEngine, 1,000 .plugin files, 10 loaded, one GObject of each type")         \
    X(peer_libpeas, "peer.libpeas.startup", "ms", "libpeas.startup", BENCH_FIXED,                  \
      "startup.1000.warm's process: runtime, config of 1,000 plugins, 10 objects, scan index")     \
    X(peer_grpc, "grpc.unary", "us", NULL, 0,                                                      \
      "unary gRPC call (C++, synchronous) to a server process on 127.0.0.1, empty messages")       \
    X(peer_grpc, "grpc.unary.64b", "us", NULL, 0,                                                  \
      "the same call with 64 bytes each way")                                                      \
    X(peer_grpc, "peer.grpc.roundtrip", "us", "grpc.unary", 0,                                    \
      "IBenchAdder::Add on a process-isolated adder in facet-host, through the runtime")          \
    X(go, "go.cgo_call", "ns", NULL, 0,                                                            \
      "a Go host's plain cgo call of a C function doing IBenchAdder_Add's work")                   \
    X(go, "go.call", "ns", "go.cgo_call", 0,                                                       \
      "IBenchAdder.Add from a Go host through facet.dev/facet, object from the runtime")           \
    X(peer_goplugin, "goplugin.netrpc", "us", NULL, 0,                                             \
      "go-plugin call into a plugin process over net/rpc (its default), 64 bytes each way")        \
    X(peer_goplugin, "goplugin.grpc", "us", NULL, 0,                                               \
      "the same call over go-plugin's gRPC protocol")                                              \
    X(peer_goplugin, "peer.goplugin.roundtrip", "us", "goplugin.netrpc", 0,                        \
      "IBenchAdder::Add on a process-isolated adder in facet-host, through the runtime")
