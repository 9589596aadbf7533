/*
 * core/remote/remote.h - the process-isolation layer of libfacet: what its
 * files share. Not installed.
 *
 * It sits above the runtime (it makes host objects and registers modules)
 * and below discovery (which decides what is isolated). Its parts:
 *
 *   transport.h, shm_*.c   the bytes between two processes (lanes)
 *   wire.c                 the wire format and the marshaling engine, which
 *                          reads and writes messages by the tables of
 *                          <facet/proxystub.h>
 *   conn.c                 a connection: lanes per thread, calls, nested
 *                          calls, dispatch, death
 *   objects.c              the tables of exported objects and of proxies,
 *                          and the proxies themselves
 *   registry.c             which proxy/stub code serves which IID
 *   module.c               a process-isolated module as the runtime sees it
 *   child.c                facet-host's side (facet_process_host_main)
 *   spawn_*.c, sync_*.c    the platform parts: starting, watching and
 *                          killing the child; locks and threads
 *
 * docs/isolation.md describes the whole; the wire format below is binding
 * between a host and the facet-host it starts (they are of one build).
 */
#ifndef FACET_CORE_REMOTE_H
#define FACET_CORE_REMOTE_H

#include "../runtime/runtime.h"
#include "facet/proxystub.h"
#include "transport.h"

typedef struct FacetExports FacetExports;
typedef struct FacetProxies FacetProxies;
typedef struct FacetProxyManager FacetProxyManager;

/* ---- Locks, waits and threads (sync_posix.c, sync_win32.c) -------------- */

/* A recursive mutex with a condition variable. */
typedef struct FacetSync FacetSync;

FacetResult facet__sync_new(FacetSync **out);
void facet__sync_free(FacetSync *s);
void facet__sync_lock(FacetSync *s);
void facet__sync_unlock(FacetSync *s);
/* Waits for a broadcast, holding the lock once (not recursively);
 * timeout_ms 0 waits for ever. Spurious wake-ups happen: look again. */
void facet__sync_wait(FacetSync *s, uint32_t timeout_ms);
void facet__sync_broadcast(FacetSync *s);


/* ---- The wire format ----------------------------------------------------- */

/* Every message starts with this header, little-endian, at an offset of
 * the lane's buffer that is a multiple of 8 (docs/isolation.md, "The
 * wire format"). */
typedef struct FacetWireHeader {
    uint32_t length;       /* bytes of the message, header included */
    uint32_t call_id;      /* a reply carries its request's */
    uint64_t object_id;    /* the receiver's exported object; 0: the connection */
    uint32_t interface_id; /* the interface's index in that object's export */
    uint16_t method;       /* the vtable slot (3 and up), or FACET_CTL_* on object 0 */
    uint16_t flags;        /* FACET_WIRE_* */
    int32_t status;        /* a reply: the method's FacetResult */
    uint32_t reserved;     /* 0 */
} FacetWireHeader;

typedef char facet_wire_header_is_32[sizeof(FacetWireHeader) == 32 ? 1 : -1];

#define FACET_WIRE_REQUEST 0x0001u
#define FACET_WIRE_REPLY 0x0002u
#define FACET_WIRE_NESTED 0x0004u  /* a request made while a call is in flight on the lane */
#define FACET_WIRE_NO_OUTS 0x0008u /* a reply without out-values (they could not be sent) */
#define FACET_WIRE_FLAGS 0x000Fu

/* Methods of object 0, the connection itself. */
#define FACET_CTL_BOOT 1u     /* host -> child: load the module, answer its factory */
#define FACET_CTL_RELEASE 2u  /* drop references the sender holds on an exported object */
#define FACET_CTL_QUERY 3u    /* QueryInterface on an exported object */
#define FACET_CTL_SHUTDOWN 4u /* host -> child: release everything and exit */

/* How an interface pointer crosses (the tag before it). */
#define FACET_WIRE_ITF_NULL 0u
#define FACET_WIRE_ITF_REF 1u    /* an object of the sender: its id, index, IID */
#define FACET_WIRE_ITF_STRING 2u /* an IFacetString, as its text */
#define FACET_WIRE_ITF_BLOB 3u   /* an IFacetBlob, as its bytes */
#define FACET_WIRE_ITF_YOURS 4u  /* an object of the receiver's coming back: its id, index */

/* The deepest nesting of calls back and forth on one lane. */
#define FACET_WIRE_MAX_DEPTH 64u

/* ---- Connections (conn.c) ------------------------------------------------ */

typedef struct FacetConn FacetConn;
typedef struct FacetApartment FacetApartment;

/* What the owner of a connection hears. */
typedef struct FacetConnHooks {
    /* The connection died: why is FACET_E_CRASHED (the peer died, or the
     * transport saw it die), FACET_E_TIMEOUT (a call passed its deadline)
     * or FACET_E_CONTRACT (the peer sent a malformed message); text says
     * what happened. Called once, on the thread that found out, before
     * any waiter is woken: the owner kills the peer here. */
    void (*dead)(void *payload, FacetResult why, const char *text);
    /* The interface tables of IIDs (host: the runtime's; child: its own). */
    const FacetPsInterface *(*find_ps)(void *payload, const FacetGuid *iid);
} FacetConnHooks;

/* A connection over tr (which it owns from here), at the host's end or
 * the child's (tr->host says). timeout_ms bounds each wait for the peer
 * (the host's: call_timeout_ms; 0 for none). */
FacetResult facet__conn_new(FacetConn **out, FacetTransport *tr, uint32_t timeout_ms,
                            const FacetConnHooks *hooks, void *payload);
/* From the next wait on: the host's bound on each wait for the peer. */
void facet__conn_set_timeout(FacetConn *c, uint32_t timeout_ms);
void facet__conn_addref(FacetConn *c);
void facet__conn_release(FacetConn *c);
/* Starts serving the lanes the peer calls on (a thread for the first;
 * each starts the next at its first message). */
FacetResult facet__conn_serve(FacetConn *c);
/* Marks the connection dead (why, text as FacetConnHooks.dead, which is
 * called unless it is dead already) and wakes every waiter. Calls in
 * flight return FACET_E_CRASHED (FACET_E_TIMEOUT on the one that timed
 * out), later ones FACET_E_DISCONNECTED. */
void facet__conn_kill(FacetConn *c, FacetResult why, const char *fmt, ...) FACET_PRINTF(3, 4);
int facet__conn_dead(const FacetConn *c);
/* The peer is gone for good: kills the connection if it is not dead yet,
 * waits for its threads (unless called from one of them), and releases
 * every object the peer held. */
void facet__conn_close(FacetConn *c);
/* Proxies alive on c (the manager of each remote object counts once). */
uint32_t facet__conn_proxies(const FacetConn *c);

/* What the engine asks of the connection it marshals for. */
FacetExports *facet__conn_exports(FacetConn *c);
FacetProxies *facet__conn_proxies_table(FacetConn *c);
const FacetPsInterface *facet__conn_find_ps(FacetConn *c, const FacetGuid *iid);
/* The apartment objects this thread exports now go to. */
FacetApartment *facet__conn_export_apartment(void);
/* FACET_E_NOINTERFACE, with a message naming iid and what to do. */
FacetResult facet__conn_no_ps(const FacetGuid *iid, const char *where);

/* Control calls. BOOT (host): sends boot (its encoder fills the body)
 * and has the child's answer decoded by booted; the boot request's body
 * is the child's to read with the decoder. */
typedef struct FacetMarshal FacetMarshal;
FacetResult facet__conn_control(FacetConn *c, uint16_t method,
                                FacetResult (*encode)(FacetMarshal *m, void *ctx),
                                FacetResult (*decode)(FacetMarshal *m, void *ctx), void *ctx);
/* The child's handler of BOOT and SHUTDOWN: decode reads the request,
 * encode writes the answer. */
typedef struct FacetConnControl {
    FacetResult (*boot)(FacetConn *c, FacetMarshal *request, FacetMarshal *reply, void *payload);
    void (*shutdown)(FacetConn *c, void *payload);
    /* Runs fn(arg) on the child's main thread and returns when it has
     * run (for FACET_THREADING_MAIN objects and for BOOT). */
    void (*on_main)(void (*fn)(void *arg), void *arg, void *payload);
    void *payload;
} FacetConnControl;
void facet__conn_set_control(FacetConn *c, const FacetConnControl *control);

/* ---- Apartments: where an exported object's calls run (conn.c) --------- */

#define FACET_APT_ANY 0u    /* on the lane's thread, concurrently */
#define FACET_APT_SINGLE 1u /* on the lane's thread, one call at a time (a lock) */
#define FACET_APT_MAIN 2u   /* on the child's main thread */

FacetResult facet__apartment_new(FacetApartment **out, uint32_t kind);
void facet__apartment_free(FacetApartment *apt);
/* The apartment objects exported from now on by this thread get, until
 * the next call (NULL: that of the call being served, or "any"). */
void facet__apartment_set(FacetApartment *apt);

/* ---- The marshaling engine (wire.c) ---------------------------------------- */

/* One message being written or read. */
struct FacetMarshal {
    FacetConn *conn;
    unsigned char *buf;       /* the message's first byte (its header) */
    size_t pos;               /* bytes written, or read */
    size_t len;               /* reading: the message's length; writing: the room there is */
    FacetArena *arena;        /* reading a request: where its values go */
    struct FacetProxyManager *keep; /* reading a reply: where borrowed out-values go */
    int writing;
    FacetResult error;        /* the first failure; FACET_OK while none */
    const char *bad;          /* reading: what was malformed (the peer broke the format) */
    /* Reading a request: interfaces handed to the callee, released after
     * the call; writing: objects exported into the message, taken back
     * if it is not sent. */
    struct FacetMarshalRef *refs;
};

/* Writing: room for n bytes aligned to align (a power of two up to 8),
 * or NULL (m->error set) when the message would not fit. Reading: the
 * next n bytes so aligned, or NULL (m->bad set) when the message ends
 * first. */
void *facet__wire_put(FacetMarshal *m, size_t n, size_t align);
const void *facet__wire_get(FacetMarshal *m, size_t n, size_t align);
void facet__wire_put_u32(FacetMarshal *m, uint32_t v);
void facet__wire_put_u64(FacetMarshal *m, uint64_t v);
uint32_t facet__wire_get_u32(FacetMarshal *m);
uint64_t facet__wire_get_u64(FacetMarshal *m);
/* A string (NULL crosses as NULL) of 8-bit units. Read, it points into
 * the message or the arena, NUL-terminated, with no NUL inside. */
void facet__wire_put_string(FacetMarshal *m, const char *s);
const char *facet__wire_get_string(FacetMarshal *m);
/* Marks the message malformed: what the peer sent breaks the format. */
void facet__wire_bad(FacetMarshal *m, const char *why);
/* An interface pointer of IID iid (NULL crosses as NULL). Read, *out
 * holds a reference the caller owns; iid NULL takes any (*actual says
 * which it is), another IID than iid is malformed. */
void facet__wire_put_interface(FacetMarshal *m, void *itf, const FacetGuid *iid);
void facet__wire_get_interface(FacetMarshal *m, void **out, const FacetGuid *iid,
                               FacetGuid *actual);

/* The arguments of method slot of interface ps: the proxy writes the
 * in-values of args (a request), the stub reads them (into args, whose
 * values it allocates in m->arena), the stub writes the out-values (a
 * reply), the proxy reads them into the caller's memory. */
void facet__wire_put_ins(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args);
void facet__wire_get_ins(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args);
void facet__wire_put_outs(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args);
void facet__wire_get_outs(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args);
/* After a failed call, or a reply without out-values: the out interface
 * and string pointers of args set to NULL. */
void facet__wire_clear_outs(const FacetPsInterface *ps, uint32_t slot, void **args);
/* Releases what a finished message still holds: the references handed
 * to a callee (done reading), or the exports of a message never sent
 * (undo). */
void facet__wire_finish(FacetMarshal *m, int undo);
/* Checks a received header: the flags, the reserved word, the length
 * against what the transport says arrived. */
int facet__wire_check_header(const FacetWireHeader *h, size_t got, const char **why);

/* The text of an interface for messages: "IGreeter", or its IID. */
const char *facet__ps_name(const FacetGuid *iid, const FacetPsInterface *ps, char *buf,
                           size_t size);

/* ---- Exported objects and proxies (objects.c) ------------------------------ */

FacetResult facet__exports_new(FacetExports **out);
/* Releases every object (the peer is gone), then the table. */
void facet__exports_free(FacetExports *x);
/* Adds a reference the peer will hold on interface itf (of IID iid, whose
 * tables are ps) of the object whose identity QueryInterface gives, in
 * apt; returns its object id and the interface's index. */
FacetResult facet__exports_add(FacetExports *x, void *itf, const FacetGuid *iid,
                               const FacetPsInterface *ps, FacetApartment *apt, uint64_t *object_id,
                               uint32_t *index);
/* Takes back count of those references (undo, or the peer's RELEASE);
 * FACET_E_INVALIDARG for an id, or a count, the table does not have. */
FacetResult facet__exports_drop(FacetExports *x, uint64_t object_id, uint64_t count);
/* The interface index of object_id, AddRef'd, with its tables and
 * apartment; FACET_E_INVALIDARG (and *why) for an id or index it does
 * not have. */
FacetResult facet__exports_get(FacetExports *x, uint64_t object_id, uint32_t index, void **itf,
                               const FacetPsInterface **ps, FacetApartment **apt, const char **why);
/* QueryInterface on object_id for iid, exported with one more reference. */
FacetResult facet__exports_query(FacetExports *x, uint64_t object_id, const FacetGuid *iid,
                                 const FacetPsInterface *ps, uint32_t *index);

/* What a proxy asks of its connection, as COM's proxies ask their channel:
 * the connection hands it to the proxy table it makes, and the proxies
 * reach the connection through it alone. */
typedef struct FacetChannel {
    void (*addref)(FacetConn *c);
    void (*release)(FacetConn *c);
    FacetProxies *(*proxies)(FacetConn *c);
    const FacetPsInterface *(*find_ps)(FacetConn *c, const FacetGuid *iid);
    FacetResult (*query)(FacetConn *c, uint64_t object_id, const FacetGuid *iid,
                         const FacetPsInterface *ps, void **out);
    void (*send_release)(FacetConn *c, uint64_t object_id, uint64_t count);
} FacetChannel;

FacetResult facet__proxies_new(FacetProxies **out, const FacetChannel *channel);
/* The peer is gone: managers still held stay, disconnected. */
void facet__proxies_free(FacetProxies *p);
/* The proxy of interface index (IID iid, tables ps) of the peer's object
 * object_id, with one more reference of the peer's object taken over,
 * AddRef'd for the caller. */
FacetResult facet__proxies_get(FacetConn *c, FacetProxies *p, uint64_t object_id, uint32_t index,
                               const FacetGuid *iid, const FacetPsInterface *ps, void **out);
/* Drops every object the peer held (it is gone), keeping the table. */
void facet__exports_clear(FacetExports *x);
/* Proxy managers alive in p. */
uint32_t facet__proxies_live(const FacetProxies *p);
/* Where the proxy self calls: its connection, remote object, interface
 * index, tables and manager. */
void facet__proxy_target(void *self, FacetConn **conn, uint64_t *object_id, uint32_t *index,
                         const FacetPsInterface **ps, FacetProxyManager **mgr);
/* The tables of IFacetUnknown, for a remote object's identity. */
extern const FacetPsInterface facet__ps_unknown;
/* Sends the peer RELEASE of count references on its object_id (on the
 * calling thread's lane; nothing once the connection is dead). */
void facet__conn_send_release(FacetConn *c, uint64_t object_id, uint64_t count);
/* QueryInterface on the peer's object_id, for iid (tables ps): its proxy. */
FacetResult facet__conn_query(FacetConn *c, uint64_t object_id, const FacetGuid *iid,
                              const FacetPsInterface *ps, void **out);
/* If itf is a proxy of c's, its object id and interface index. */
int facet__proxy_of(FacetConn *c, void *itf, uint64_t *object_id, uint32_t *index);
/* Keeps len bytes for as long as manager m lives; NULL when out of
 * memory. The same bytes kept twice are kept once. */
const void *facet__proxy_keep(FacetProxyManager *m, const void *data, size_t len);

/* ---- Proxy/stub tables by IID (registry.c) -------------------------------- */

typedef struct FacetPsRegistry FacetPsRegistry;

/* The tables libfacet has itself: those of facet.idl (generated). */
extern const FacetPsLibrary facet_ps_facet;

FacetResult facet__ps_registry_new(FacetPsRegistry **out);
void facet__ps_registry_free(FacetPsRegistry *r);
/* Adds lib's interfaces; path is the file it came from (NULL: unknown).
 * FACET_E_CONFLICT for an IID another library serves. */
FacetResult facet__ps_registry_add(FacetPsRegistry *r, const FacetPsLibrary *lib,
                                   const char *path);
const FacetPsInterface *facet__ps_registry_find(const FacetPsRegistry *r, const FacetGuid *iid);
/* The files of the libraries added, for the child to load. */
uint32_t facet__ps_registry_paths(const FacetPsRegistry *r, const char ***out);
/* The built-in tables alone, for an IID. */
const FacetPsInterface *facet__ps_builtin(const FacetGuid *iid);

/* ---- Process-isolated modules (module.c) ----------------------------------- */

/* Opens the module of manifest mf (its library file: library) in a
 * process of its own: starts facet-host, loads the module there, and makes
 * a FacetModule whose factory stands for the child's (the caller holds
 * load_lock). The module's entry in the configuration, if any, gives
 * call_timeout_ms and restart. */
FacetResult facet__remote_module_open(FacetModule **out, FacetRuntime *rt,
                                      const FacetManifest *mf, const char *library);

/* The proxy/stub libraries the process loaded (facet_proxy_stubs_load):
 * the tables of an IID, and their files written into a BOOT request
 * (u32 count, then each path). */
const FacetPsInterface *facet__remote_find_ps(const FacetGuid *iid);
void facet__remote_put_ps_paths(FacetMarshal *m);
/* The same files, copied (each and the array from facet__malloc); on a
 * failure *count says how many were copied. */
FacetResult facet__remote_ps_paths(char ***out, uint32_t *count);

/* facet-host's main: serves one process-isolated module until the host
 * lets go of it or is gone. argv holds --transport and --lifeline, the
 * handles it inherited. */
FACET_INTERNAL int facet__process_host_main(int argc, char **argv);
/* Whether this process put the sandbox's wall up (facet-host's worker). */
FACET_INTERNAL int facet__sandbox_entered(void);

/* ---- Starting and watching the child (spawn_posix.c, spawn_win32.c) -------- */

typedef struct FacetChild FacetChild;

/* How a child ended (the values of check/os/process.h, for the probe's
 * children). */
#ifndef FACET_OS_CHILD_EXITED
#define FACET_OS_CHILD_EXITED 0u   /* it returned or called exit(); code is the status */
#define FACET_OS_CHILD_SIGNALED 1u /* killed by a signal (an exception code on Windows) */
#endif

/* What the host sees of a child's end. */
typedef struct FacetChildEnd {
    uint32_t how;    /* FACET_OS_CHILD_EXITED or FACET_OS_CHILD_SIGNALED */
    int64_t code;    /* exit status, signal number or exception code */
    int32_t syscall; /* killed by SIGSYS: the system call the sandbox
                        stopped, as the child said; else -1 */
} FacetChildEnd;

struct FacetSandboxPolicy;

/* Starts the process host exe with args (NULL-terminated, argv[0]
 * excluded) and the transport's handle, in a process group (job object)
 * of its own, whose end marks conn dead at once (a watch thread, or the
 * wait itself on Windows). ended is called once, from the watch, with how
 * the child ended, after conn was marked dead.
 *
 * wall is the module's sandbox policy (sandbox.h), or NULL for none. Where
 * the wall can only be put up from outside (Windows: a process's primary
 * token cannot change once it runs, and its job is the spawner's), the
 * spawner puts it up from the policy: a restricted, low-integrity token,
 * the job's limits, an AppContainer where asked and available, and the
 * policy's paths opened to it; facet__child_wall then says what was put
 * up and what was given up, and why. Where the child puts the wall up
 * itself (Linux: the policy travels as its arguments, facet__sandbox_args),
 * the spawner does nothing with it and facet__child_wall is "". */
FacetResult facet__child_spawn(FacetChild **out, const char *exe, const char *const *args,
                               const struct FacetSandboxPolicy *wall, FacetTransport *tr,
                               FacetConn *conn,
                               void (*ended)(void *payload, const FacetChildEnd *end),
                               void *payload);
/* What the spawner put up around the child, for the host's log ("": it
 * put nothing up itself). Valid while the child is. */
const char *facet__child_wall(const FacetChild *ch);
/* Kills the child and everything it started (once; later calls do
 * nothing). Any thread, the watch's included. */
void facet__child_kill(FacetChild *ch);
/* Waits for the child's end (killing it after grace_ms if it has not
 * ended), joins the watch and frees. Not from the watch thread. */
void facet__child_free(FacetChild *ch, uint32_t grace_ms);
uint64_t facet__child_pid(const FacetChild *ch);
/* "killed by SIGSEGV" (an exception's name on Windows), into buf. */
void facet__child_end_name(char *buf, size_t size, const FacetChildEnd *end);

/* ---- The broker of IFacetNet (broker.c, broker_posix.c, broker_win32.c) ---- *
 *
 * The host checks the module's net.connect right, connects, and hands
 * the process host the socket with the token its Connect answered; the
 * process host's Connect reads records until it finds its token. Linux:
 * the descriptor over a unix socket pair (SCM_RIGHTS); Windows:
 * WSADuplicateSocketW's WSAPROTOCOL_INFOW over a pipe only the process
 * host reads. */

/* In the host: hands the child a connected socket (closed here, whatever
 * happens) with token, without ever blocking: a child that does not take
 * its sockets makes its next Connect fail. spawn_*.c, through
 * facet__broker_send. */
FacetResult facet__child_send_socket(FacetChild *ch, uint64_t socket, uint64_t token);
/* The record of socket for token, on the host's end `to` of the broker,
 * for the process pid; unread is the read end of the pipe, the host's
 * copy, by which it counts what waits unread (Windows; -1 on Linux).
 * Closes socket whatever happens. */
FacetResult facet__broker_send(intptr_t to, intptr_t unread, uint64_t pid, uint64_t socket,
                               uint64_t token);
/* In the process host, at its start: the end of the broker it reads
 * (-1: none, and every Connect fails saying so). On Windows it is made
 * non-inheritable, so that it passes to nothing the module starts. */
void facet__broker_child_set(intptr_t handle);
/* The next record of the broker, waiting up to FACET_BROKER_WAIT_MS: its
 * token and the socket it carries (UINT64_MAX: none). A failure with
 * *token 0 is the broker's (closed: the host is gone; nothing came in
 * time); one with a token is that record's (its socket could not be
 * taken). */
FacetResult facet__broker_next(uint64_t *token, uint64_t *socket);
/* The socket the host handed over for token (tokens are never 0):
 * records for other tokens (Connects that gave up waiting) are dropped
 * on the way and their sockets closed. Under the caller's lock: one
 * Connect reads the broker at a time. */
FacetResult facet__child_receive_socket(uint64_t token, uint64_t *out);
/* How long a Connect the host answered waits for its socket (the host
 * sends it before it answers: only a host that is going away is late). */
#define FACET_BROKER_WAIT_MS 10000

/* In facet-host, first thing: where the system allows, splits into a
 * supervisor that never loads module code and kills what the module
 * starts once the worker ends or the host dies, and the worker, where it
 * returns. lifeline is the handle the host passed (its end closing means
 * the host is gone). */
void facet__child_supervise(intptr_t lifeline);

#ifdef _WIN32
/* In facet-host on Windows: the transport's section and the lifeline,
 * whose values the host put on the command line ("--transport" V
 * "--lifeline" V "--broker" V, after the args it was given).
 * FACET_E_INVALIDARG when one of the first two is missing or one is not a
 * handle's value; *broker -1 when there is none. */
FacetResult facet__child_handles(int argc, char **argv, intptr_t *transport, intptr_t *lifeline,
                                 intptr_t *broker);
#endif

/* The process host program: FACET_HOST_PROGRAM, or facet-host next to
 * libfacet (the build tree), or where the install put it. */
FacetResult facet__host_program(char **out);

#endif /* FACET_CORE_REMOTE_H */
