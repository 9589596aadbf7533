/*
 * core/remote/module.c - a process-isolated module as the runtime sees it.
 *
 * The runtime holds a FacetModule whose factory is an object of this
 * file: it stands for the module's factory in facet-host, the process
 * host this file starts (spawn_*.c), and keeps what the runtime reads of
 * the module (its info and classes) so that they outlive any one child.
 * CreateInstance goes to the child's factory through its proxy and
 * returns the proxy of the object made there. When the child dies, the
 * connection hears it (a call in flight returns FACET_E_CRASHED, later
 * ones FACET_E_DISCONNECTED), the host's log callback gets a line with the
 * cause, and the next CreateInstance starts a new child, as the module's
 * "restart" says (docs/isolation.md).
 */
#include <string.h>

#include "remote.h"
#include "sandbox.h"

#if !defined(__linux__) && !defined(_WIN32)

FacetResult facet__remote_module_open(FacetModule **out, FacetRuntime *rt,
                                      const FacetManifest *mf, const char *library)
{
    (void)rt;
    (void)mf;
    *out = NULL;
    return facet__error(FACET_E_NOTIMPL,
                        "%s: the module is to run in a process of its own (\"isolation\": "
                        "\"process\"), and process isolation is not available on this system "
                        "in this build of libfacet; set \"isolation\": \"in-process\" for it "
                        "under modules in the host's configuration to load it in this process",
                        library);
}

FacetResult facet_proxy_stubs_load(const char *path)
{
    FACET_CHECK_ARG(path, "facet_proxy_stubs_load");
    return facet__error(FACET_E_NOTIMPL,
                        "%s: proxies and stubs serve process isolation, which is not available "
                        "on this system in this build of libfacet",
                        path);
}

#else

#include <stdio.h>

/* Lanes of each direction, and the room of each lane's buffer (sparse:
 * pages exist once a message uses them). */
#define DOWN_LANES 16u
#define UP_LANES 16u
#define LANE_CAPACITY (4u << 20)
/* How long a child that was asked to end may take before it is killed. */
#define SHUTDOWN_GRACE_MS 1000u
/* The bound on starting the process host and loading the module in it,
 * when the module has a call_timeout_ms shorter than this. */
#define BOOT_TIMEOUT_MS 30000u
/* Backoff: the delay after the second death in a row, doubled after each
 * next one up to the last; a child that lived this long resets it. */
#define BACKOFF_FIRST_MS 1000u
#define BACKOFF_MAX_MS 30000u
#define BACKOFF_RESET_MS 60000u

typedef struct Remote Remote;

/* One facet-host and what the host holds of it. */
typedef struct Running {
    Remote *owner;
    FacetConn *conn;
    FacetChild *child;
    IFacetFactory *factory;     /* the proxy of the child's */
    uint64_t started_ms;
    uint32_t closing;           /* the host let go of it: its end is no news */
} Running;

struct Remote {
    IFacetFactory itf;
    uint32_t refs;              /* atomic */
    FacetRuntime *rt;
    FacetModule *m;
    const char *name;           /* the manifest's, for log lines */
    char *exe;
    char *library;
    uint32_t timeout_ms;
    uint32_t restart;           /* FACET_RESTART_* */
    FacetSync *starting;        /* one start at a time */
    FacetSync *sync;            /* cur, deaths, retry_at, last_end */
    Running *cur;
    uint32_t deaths;            /* in a row */
    uint64_t retry_at;          /* backoff: no new child before */
    char last_end[320];         /* how the last child ended */
    const FacetManifest *mf;    /* the module's, for its sandbox's policy */
    FacetHostObject *host;      /* the module's, held while its broker is set */
    FacetChild *net_child;      /* where IFacetNet's sockets go (sync) */
    uint32_t net_tokens;        /* the last token handed out (atomic) */
    FacetArena arena;           /* info and classes */
    FacetModuleInfo info;
    uint32_t class_count;
    FacetClassInfo *classes;
};

static const char *const restart_names[] = {"on-create", "never", "backoff"};

/* ---- The child's hooks ------------------------------------------------------ */

static void dead(void *payload, FacetResult why, const char *text)
{
    Running *run = payload;
    Remote *rm = run->owner;
    /* A child that died is reaped by its watch, which reads how it ended;
     * one that passed its deadline or broke the format is killed here. */
    if (run->child != NULL && why != FACET_E_CRASHED)
        facet__child_kill(run->child);
    if (facet__atomic_load32(&run->closing))
        return;
    if (why == FACET_E_TIMEOUT)
        facet__runtime_log(rm->rt, FACET_LOG_ERROR, rm->name,
                           "a call into the process host (pid %llu) passed its "
                           "call_timeout_ms of %u ms: %s; the process is killed",
                           (unsigned long long)(run->child ? facet__child_pid(run->child) : 0),
                           (unsigned)rm->timeout_ms, text);
    else if (why == FACET_E_CONTRACT)
        facet__runtime_log(rm->rt, FACET_LOG_ERROR, rm->name,
                           "the process host sent a malformed message (%s); it is killed", text);
}

static void ended(void *payload, const FacetChildEnd *end)
{
    Running *run = payload;
    Remote *rm = run->owner;
    uint64_t now = facet__os_now_ms(), delay = 0;
    char cause[192];
    facet__child_end_name(cause, sizeof(cause), end);
    facet__sync_lock(rm->sync);
    snprintf(rm->last_end, sizeof(rm->last_end), "the process host (pid %llu) %s",
             (unsigned long long)facet__child_pid(run->child), cause);
    if (facet__atomic_load32(&run->closing)) {
        facet__sync_unlock(rm->sync);
        return;
    }
    if (now - run->started_ms >= BACKOFF_RESET_MS)
        rm->deaths = 0;
    rm->deaths++;
    if (rm->restart == FACET_RESTART_BACKOFF && rm->deaths > 1) {
        uint32_t shift = rm->deaths - 2 > 16 ? 16 : rm->deaths - 2;
        delay = (uint64_t)BACKOFF_FIRST_MS << shift;
        if (delay > BACKOFF_MAX_MS)
            delay = BACKOFF_MAX_MS;
    }
    rm->retry_at = now + delay;
    facet__sync_unlock(rm->sync);
    if (rm->restart == FACET_RESTART_NEVER)
        facet__runtime_log(rm->rt, FACET_LOG_ERROR, rm->name,
                           "%s; its objects are disconnected, and it is not started again "
                           "(\"restart\": \"never\")",
                           rm->last_end);
    else if (delay > 0)
        facet__runtime_log(rm->rt, FACET_LOG_ERROR, rm->name,
                           "%s (%u deaths in a row); its objects are disconnected, and a create "
                           "starts it again after %llu ms (\"restart\": \"backoff\")",
                           rm->last_end, (unsigned)rm->deaths, (unsigned long long)delay);
    else
        facet__runtime_log(rm->rt, FACET_LOG_ERROR, rm->name,
                           "%s; its objects are disconnected, and the next create starts it "
                           "again",
                           rm->last_end);
}

static const FacetPsInterface *find_ps(void *payload, const FacetGuid *iid)
{
    Running *run = payload;
    const FacetPsInterface *ps = facet__ps_builtin(iid);
    (void)run;
    return ps != NULL ? ps : facet__remote_find_ps(iid);
}

static const FacetConnHooks hooks = {dead, find_ps};

/* BOOT: the proxy/stub libraries, the module's library, the host object. */
static FacetResult encode_boot(FacetMarshal *msg, void *ctx)
{
    Running *run = ctx;
    Remote *rm = run->owner;
    IFacetHost *host = NULL;
    FacetResult r;
    facet__remote_put_ps_paths(msg);
    facet__wire_put_string(msg, rm->library);
    r = IFacetUnknown_QueryInterface(facet__host_unknown(rm->m->host), &IID_IFacetHost,
                                     (void **)&host);
    if (FACET_FAILED(r))
        return r;
    facet__wire_put_interface(msg, host, &IID_IFacetHost);
    IFacetHost_Release(host);
    return msg->error;
}

static FacetResult decode_boot(FacetMarshal *msg, void *ctx)
{
    Running *run = ctx;
    Remote *rm = run->owner;
    const char *sandbox, *put;
    facet__wire_get_interface(msg, (void **)&run->factory, &IID_IFacetFactory, NULL);
    sandbox = facet__wire_get_string(msg);
    if (msg->bad != NULL || run->factory == NULL)
        return FACET_E_CONTRACT;
    /* Where the spawner put the wall up (Windows), what it did, then what
     * the child sees of it. */
    put = facet__child_wall(run->child);
    if (sandbox == NULL)
        sandbox = "";
    if (sandbox[0] != '\0' || put[0] != '\0') {
        int warn = strstr(sandbox, "refused") != NULL || strstr(sandbox, "no Landlock") != NULL ||
                   strstr(sandbox, "not enforced") != NULL || strstr(put, "given up") != NULL;
        facet__runtime_log(rm->rt, warn ? FACET_LOG_WARN : FACET_LOG_INFO, rm->name,
                           "facet-host, pid %llu, runs in its sandbox: %s%s%s",
                           (unsigned long long)facet__child_pid(run->child), put,
                           put[0] != '\0' && sandbox[0] != '\0' ? "; it reports: " : "",
                           sandbox);
    }
    return FACET_OK;
}

/* The broker: a socket the module's IFacetNet connected goes to the
 * current child, with the token its Connect answers. */
static FacetResult hand_socket(void *ctx, uint64_t socket, uint64_t *token)
{
    Remote *rm = ctx;
    FacetResult r;
    do /* 0 is no record's: the child reads it as none */
        *token = facet__atomic_inc32(&rm->net_tokens);
    while (*token == 0);
    facet__sync_lock(rm->sync);
    r = facet__child_send_socket(rm->net_child, socket, *token);
    facet__sync_unlock(rm->sync);
    return r;
}

/* The module's sandbox, unless it is off here: its policy, for the
 * spawner (*policy), and facet-host's arguments (*out). */
static FacetResult sandbox_args(Remote *rm, char ***out, FacetSandboxPolicy **policy)
{
    const char *off = facet__sandbox_disabled();
    FacetResult r;
    *out = NULL;
    *policy = NULL;
    if (off != NULL) {
        facet__runtime_log(rm->rt, FACET_LOG_WARN, rm->name,
                           "the process host runs without its sandbox (%s)", off);
        return FACET_OK;
    }
    r = facet__sandbox_policy(rm->rt, rm->name, rm->mf, rm->library, policy);
    if (FACET_SUCCEEDED(r))
        r = facet__sandbox_args(*policy, out);
    if (FACET_FAILED(r)) {
        facet__sandbox_policy_free(*policy);
        *policy = NULL;
    }
    return r;
}

/* Lets go of a child: asks it to end, closes the connection, waits for it. */
static void running_free(Running *run)
{
    if (run == NULL)
        return;
    facet__sync_lock(run->owner->sync);
    if (run->owner->net_child == run->child)
        run->owner->net_child = NULL;
    facet__sync_unlock(run->owner->sync);
    /* a child that is alive when let go ends as asked: no news */
    if (!facet__conn_dead(run->conn))
        facet__atomic_store32(&run->closing, 1u);
    if (run->factory != NULL)
        IFacetFactory_Release(run->factory);
    if (!facet__conn_dead(run->conn))
        facet__conn_control(run->conn, FACET_CTL_SHUTDOWN, NULL, NULL, NULL);
    facet__conn_close(run->conn);
    facet__child_free(run->child, SHUTDOWN_GRACE_MS);
    facet__conn_release(run->conn);
    facet__free(run);
}

/* Starts a child and boots the module in it. */
static FacetResult running_start(Remote *rm, Running **out)
{
    char **args = NULL;
    FacetSandboxPolicy *policy = NULL;
    FacetTransport *tr = NULL;
    Running *run;
    FacetResult r;
    int t;

    *out = NULL;
    r = sandbox_args(rm, &args, &policy);
    if (FACET_FAILED(r))
        return r;
    run = facet__calloc(1, sizeof(*run));
    if (run == NULL) {
        facet__sandbox_args_free(args);
        facet__sandbox_policy_free(policy);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory starting a process host");
    }
    run->owner = rm;
    run->started_ms = facet__os_now_ms();
    t = facet__shm_create(&tr, DOWN_LANES, UP_LANES, LANE_CAPACITY);
    if (t != FACET_TR_OK) {
        facet__sandbox_args_free(args);
        facet__sandbox_policy_free(policy);
        facet__free(run);
        return facet__error(FACET_E_FAIL, "%s: cannot make the shared memory of its process "
                                          "host (%s)",
                            rm->name, t == FACET_TR_SYSTEM ? "a system call failed" : "refused");
    }
    /* Starting the process and loading the module is no call of the
     * host's: it has its own, longer bound, and call_timeout_ms applies
     * from the first call on. */
    r = facet__conn_new(&run->conn, tr,
                        rm->timeout_ms && rm->timeout_ms < BOOT_TIMEOUT_MS ? BOOT_TIMEOUT_MS
                                                                          : rm->timeout_ms,
                        &hooks, run);
    if (FACET_FAILED(r)) {
        facet__sandbox_args_free(args);
        facet__sandbox_policy_free(policy);
        facet__free(run);
        return r;
    }
    {
        static const char *const no_args[] = {NULL};
        r = facet__child_spawn(&run->child, rm->exe,
                               args != NULL ? (const char *const *)args : no_args, policy, tr,
                               run->conn, ended, run);
    }
    facet__sandbox_args_free(args);
    facet__sandbox_policy_free(policy);
    if (FACET_FAILED(r)) {
        facet__atomic_store32(&run->closing, 1u);
        facet__conn_close(run->conn);
        facet__conn_release(run->conn);
        facet__free(run);
        return facet__error_prefix("%s", rm->name);
    }
    facet__shm_release_handle(tr);
    /* the module may connect from its first line of code on */
    facet__sync_lock(rm->sync);
    rm->net_child = run->child;
    facet__sync_unlock(rm->sync);
    r = facet__conn_serve(run->conn);
    if (FACET_SUCCEEDED(r))
        r = facet__conn_control(run->conn, FACET_CTL_BOOT, encode_boot, decode_boot, run);
    if (FACET_FAILED(r)) {
        char message[1024];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        running_free(run);
        facet__sync_lock(rm->sync);
        if (rm->last_end[0] != '\0' && (r == FACET_E_CRASHED || r == FACET_E_DISCONNECTED))
            snprintf(message, sizeof(message), "%s", rm->last_end);
        facet__sync_unlock(rm->sync);
        return facet__error(r, "%s: the process host could not load %s: %s (%s; its standard "
                               "error says more)",
                            rm->name, rm->library, facet_result_name(r), message);
    }
    facet__conn_set_timeout(run->conn, rm->timeout_ms);
    *out = run;
    return FACET_OK;
}

/* The factory of a running child, AddRef'd, starting one as "restart"
 * says. Starts are one at a time (starting); sync guards the state, and is
 * never held while a child is waited for, since its watch takes it. */
static FacetResult current_factory(Remote *rm, IFacetFactory **out)
{
    Running *old = NULL, *run = NULL;
    FacetResult r = FACET_OK;
    uint64_t now;
    *out = NULL;
    facet__sync_lock(rm->starting);
    facet__sync_lock(rm->sync);
    if (rm->cur != NULL && !facet__conn_dead(rm->cur->conn)) {
        *out = rm->cur->factory;
        IFacetFactory_AddRef(*out);
        facet__sync_unlock(rm->sync);
        facet__sync_unlock(rm->starting);
        return FACET_OK;
    }
    old = rm->cur;
    rm->cur = NULL;
    facet__sync_unlock(rm->sync);
    /* the old child is waited for first: how it ended counts below */
    running_free(old);
    facet__sync_lock(rm->sync);
    now = facet__os_now_ms();
    if (rm->deaths > 0 && rm->restart == FACET_RESTART_NEVER) {
        r = facet__error(FACET_E_DISCONNECTED,
                         "%s: its process host is gone (%s), and its configuration says "
                         "\"restart\": \"never\"",
                         rm->name, rm->last_end[0] ? rm->last_end : "it died");
    } else if (now < rm->retry_at) {
        r = facet__error(FACET_E_DISCONNECTED,
                         "%s: its process host died %u times in a row (last: %s); "
                         "\"restart\": \"backoff\" starts it again in %llu ms",
                         rm->name, (unsigned)rm->deaths, rm->last_end,
                         (unsigned long long)(rm->retry_at - now));
    }
    facet__sync_unlock(rm->sync);
    if (FACET_FAILED(r)) {
        facet__sync_unlock(rm->starting);
        return r;
    }
    if (old != NULL)
        facet__runtime_log(rm->rt, FACET_LOG_INFO, rm->name,
                           "starting its process host again (\"restart\": \"%s\")",
                           restart_names[rm->restart]);
    r = running_start(rm, &run);
    if (FACET_SUCCEEDED(r)) {
        facet__sync_lock(rm->sync);
        rm->cur = run;
        facet__sync_unlock(rm->sync);
        *out = run->factory;
        IFacetFactory_AddRef(*out);
    }
    facet__sync_unlock(rm->starting);
    return r;
}

/* ---- The factory the runtime holds ---------------------------------------- */

static Remote *remote_of(IFacetFactory *self)
{
    return (Remote *)self;
}

static void remote_free(Remote *rm);

static FacetResult FACET_CALL remote_query(IFacetFactory *self, const FacetGuid *iid, void **out)
{
    Remote *rm = remote_of(self);
    IFacetFactory *f = NULL;
    FacetResult r;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (FacetGuidEqual(iid, &IID_IFacetFactory) || FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        IFacetFactory_AddRef(self);
        *out = self;
        return FACET_OK;
    }
    /* what else the module's factory offers (IFacetLifecycle): the
     * running child's, through its proxy; a QueryInterface starts none */
    facet__sync_lock(rm->sync);
    if (rm->cur != NULL && !facet__conn_dead(rm->cur->conn)) {
        f = rm->cur->factory;
        IFacetFactory_AddRef(f);
    }
    facet__sync_unlock(rm->sync);
    if (f == NULL)
        return FACET_E_NOINTERFACE;
    r = IFacetFactory_QueryInterface(f, iid, out);
    IFacetFactory_Release(f);
    return r;
}

static uint32_t FACET_CALL remote_addref(IFacetFactory *self)
{
    return facet__atomic_inc32(&remote_of(self)->refs);
}

static uint32_t FACET_CALL remote_release(IFacetFactory *self)
{
    uint32_t n = facet__atomic_dec32(&remote_of(self)->refs);
    if (n == 0)
        remote_free(remote_of(self));
    return n;
}

/* Writes the fields of from that out's struct_size has room for. */
static FacetResult write_sized(void *out, const void *from, size_t size, size_t least)
{
    uint32_t have;
    memcpy(&have, out, sizeof(have));
    if (have < least)
        return FACET_E_INVALIDARG;
    memcpy((char *)out + sizeof(have), (const char *)from + sizeof(have),
           (have < size ? have : size) - sizeof(have));
    return FACET_OK;
}

static FacetResult FACET_CALL remote_info(IFacetFactory *self, FacetModuleInfo *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    return write_sized(out, &remote_of(self)->info, sizeof(*out), FACET_MODULE_INFO_V1_SIZE);
}

static FacetResult FACET_CALL remote_class_count(IFacetFactory *self, uint32_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = remote_of(self)->class_count;
    return FACET_OK;
}

static FacetResult FACET_CALL remote_describe(IFacetFactory *self, uint32_t index,
                                              FacetClassInfo *out)
{
    Remote *rm = remote_of(self);
    if (out == NULL)
        return FACET_E_POINTER;
    if (index >= rm->class_count)
        return FACET_E_INVALIDARG;
    return write_sized(out, &rm->classes[index], sizeof(*out), FACET_CLASS_INFO_V1_SIZE);
}

static FacetResult FACET_CALL remote_create(IFacetFactory *self, const FacetGuid *clsid,
                                            IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Remote *rm = remote_of(self);
    IFacetFactory *f;
    FacetResult r;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (outer != NULL)
        return facet__error(FACET_E_NOAGGREGATION,
                            "%s: its classes run in a process of their own (\"isolation\": "
                            "\"process\"), and an object of another process cannot be "
                            "aggregated; create it without an outer object",
                            rm->name);
    r = current_factory(rm, &f);
    if (FACET_FAILED(r))
        return r;
    r = IFacetFactory_CreateInstance(f, clsid, NULL, iid, out);
    IFacetFactory_Release(f);
    return r;
}

static FacetResult FACET_CALL remote_can_unload(IFacetFactory *self)
{
    Remote *rm = remote_of(self);
    FacetResult r = FACET_OK;
    facet__sync_lock(rm->sync);
    /* the factory's own proxy is one; any other is an object alive */
    if (rm->cur != NULL && !facet__conn_dead(rm->cur->conn) && facet__conn_proxies(rm->cur->conn) > 1)
        r = FACET_FALSE;
    facet__sync_unlock(rm->sync);
    return r;
}

static const IFacetFactoryVtbl remote_vtbl = {remote_query,    remote_addref,      remote_release,
                                              remote_info,     remote_class_count, remote_describe,
                                              remote_create,   remote_can_unload};

static void remote_free(Remote *rm)
{
    if (rm->host != NULL) {
        facet__host_set_net_hand(rm->host, NULL, NULL);
        IFacetUnknown_Release(facet__host_unknown(rm->host));
    }
    running_free(rm->cur);
    facet__sync_free(rm->sync);
    facet__sync_free(rm->starting);
    facet__arena_free(&rm->arena);
    facet__free(rm->exe);
    facet__free(rm->library);
    facet__free(rm);
}

/* Keeps what the first child's factory says of the module. */
static FacetResult read_module(Remote *rm, IFacetFactory *f)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    uint32_t count = 0, i;
    FacetResult r = IFacetFactory_GetModuleInfo(f, &info);
    if (FACET_SUCCEEDED(r))
        r = IFacetFactory_GetClassCount(f, &count);
    if (FACET_FAILED(r))
        return facet__error_prefix("%s: asking its factory in the process host", rm->name);
    if (count > 65536)
        return facet__error(FACET_E_CONTRACT, "%s: its factory says it has %u classes",
                            rm->name, (unsigned)count);
    rm->info = info;
#define KEEP(s) ((s) == NULL ? NULL : facet__arena_strdup(&rm->arena, (s)))
    rm->info.name = KEEP(info.name);
    rm->info.version = KEEP(info.version);
    rm->info.compiler = KEEP(info.compiler);
    rm->classes = facet__arena_alloc(&rm->arena, (count ? count : 1) * sizeof(*rm->classes));
    if (rm->classes == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    for (i = 0; i < count; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        FacetClassInfo *k = &rm->classes[i];
        r = IFacetFactory_DescribeClass(f, i, &ci);
        if (FACET_FAILED(r))
            return facet__error_prefix("%s: DescribeClass(%u) in the process host", rm->name,
                                       (unsigned)i);
        *k = ci;
        k->contract = KEEP(ci.contract);
        k->version = KEEP(ci.version);
        k->interfaces = NULL;
        if (ci.interface_count > 0 && ci.interfaces != NULL) {
            FacetGuid *iids = facet__arena_alloc(&rm->arena, ci.interface_count * sizeof(*iids));
            if (iids == NULL)
                return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
            memcpy(iids, ci.interfaces, ci.interface_count * sizeof(*iids));
            k->interfaces = iids;
        }
    }
#undef KEEP
    rm->class_count = count;
    return FACET_OK;
}

FacetResult facet__remote_module_open(FacetModule **out, FacetRuntime *rt,
                                      const FacetManifest *mf, const char *library)
{
    const FacetModuleConfig *mc = rt->config ? facet__config_module(rt->config, mf->name) : NULL;
    FacetModule *m = NULL;
    Remote *rm;
    FacetResult r;

    *out = NULL;
    rm = facet__calloc(1, sizeof(*rm));
    if (rm == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    rm->itf.lpVtbl = &remote_vtbl;
    rm->refs = 1;
    rm->rt = rt;
    rm->name = mf->name;
    rm->mf = mf;
    rm->timeout_ms = mc ? mc->call_timeout_ms : 0;
    rm->restart = mc && mc->restart ? mc->restart - 1 : FACET_RESTART_ON_CREATE;
    r = facet__sync_new(&rm->sync);
    if (FACET_SUCCEEDED(r))
        r = facet__sync_new(&rm->starting);
    if (FACET_SUCCEEDED(r))
        r = facet__host_program(&rm->exe);
    if (FACET_SUCCEEDED(r))
        r = facet__os_realpath(&rm->library, library);
    if (FACET_SUCCEEDED(r))
        r = facet__module_new(&m, rt);
    if (FACET_FAILED(r)) {
        if (rm->exe == NULL || rm->library == NULL)
            facet__error_prefix("%s", mf->path);
        remote_free(rm);
        return r;
    }
    rm->m = m;
    m->path = facet__strdup(rm->library);
    m->runtime = mf->runtime;
    if (m->path == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        goto fail;
    }
    r = facet__host_new(&m->host, rt, m->path);
    if (FACET_FAILED(r))
        goto fail;
    /* its rights go by the manifest's name, as an in-process module's do */
    facet__host_identify(m->host, mf->name, mf);
    rm->host = m->host;
    IFacetUnknown_AddRef(facet__host_unknown(rm->host));
    facet__host_set_net_hand(rm->host, hand_socket, rm);
    r = running_start(rm, &rm->cur);
    if (FACET_SUCCEEDED(r))
        r = read_module(rm, rm->cur->factory);
    if (FACET_FAILED(r))
        goto fail;
    m->factory = &rm->itf;
    rm = NULL;
    r = facet__loader_read_info(m, m->path);
    if (FACET_SUCCEEDED(r))
        r = facet__loader_read_classes(m, m->path);
    if (FACET_FAILED(r)) {
        facet__module_discard(m);
        return r;
    }
    *out = m;
    return FACET_OK;
fail:
    remote_free(rm);
    facet__module_discard(m);
    return r;
}

#endif /* __linux__ || _WIN32 */
