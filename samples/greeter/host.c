/*
 * host.c - the sample host.
 *
 *   greeter-host          reads facet.conf.json (built next to it): scans its
 *                         plugin folder (manifests only), offers a guest book
 *                         service to plugins granted "guestbook", starts the
 *                         plugins in dependency order, greets through the
 *                         alias "hello", and shows a banner from the second
 *                         plugin, which itself uses the greeter; then says
 *                         which compiler built each module it loaded
 *   greeter-host MODULE   loads one module by path and greets through it
 *
 * GREETER_CONFIG names another configuration: facet.process.conf.json,
 * built next to the first, runs the greeter in a process of its own
 * ("isolation": "process"), with the proxies and stubs of greeter_ps,
 * which the host loads first. GREETER_CRASH=1 then crashes that process
 * (SIGSEGV) between two greetings: the host goes on, and the next create
 * starts a new one.
 */
#ifdef __linux__
#define _POSIX_C_SOURCE 200809L /* kill, getpid */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#include <facet/facet.h>
#include <facet/proxystub.h>

#include "banner.h"
#include "greeter.h"

static int fail(const char *what, FacetResult r)
{
    fprintf(stderr, "greeter-host: %s failed: %s\n  %s\n", what, facet_result_name(r),
            facet_last_error());
    return 1;
}

/* ---- The guest book: a host service, handed only to granted plugins ---- */

static uint32_t guests;

static FacetResult FACET_CALL book_qi(IGuestBook *self, const FacetGuid *iid, void **out)
{
    *out = NULL;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, &IID_IGuestBook))
        return FACET_E_NOINTERFACE;
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL book_ref(IGuestBook *self)
{
    (void)self;
    return 1; /* static: lives as long as the host */
}
static FacetResult FACET_CALL book_sign(IGuestBook *self, const char *name, uint32_t *number)
{
    (void)self;
    printf("guest book: signed by %s\n", name);
    *number = ++guests;
    return FACET_OK;
}
static const IGuestBookVtbl book_vtbl = {book_qi, book_ref, book_ref, book_sign};
static IGuestBook guest_book = {&book_vtbl};

/* ---- Using the plugins -------------------------------------------------- */

static FacetResult greet(FacetRuntime *rt, const char *name, uint64_t *count)
{
    IGreeter *greeter;
    IGreeterStats *stats;
    IFacetRunnable *runnable = NULL;
    IFacetString *greeting;
    const char *text;
    FacetResult r = facet_create_instance_by_name((void **)&greeter, rt, name, NULL, &IID_IGreeter);
    if (FACET_FAILED(r))
        return r;
    if ((r = IGreeter_Greet(greeter, "world", &greeting)) == FACET_OK) {
        IFacetString_GetText(greeting, &text);
        printf("IGreeter::Greet(\"world\") -> \"%s\"\n", text);
        IFacetString_Release(greeting);
    }
    /* An optional interface the greeter has... */
    if (IGreeter_QueryInterface(greeter, &IID_IGreeterStats, (void **)&stats) == FACET_OK) {
        IGreeterStats_GetGreetCount(stats, count);
        printf("QueryInterface(IGreeterStats) -> yes, %llu greeting(s) so far\n",
               (unsigned long long)*count);
        IGreeterStats_Release(stats);
    }
    /* ...and one it lacks: a clean FACET_E_NOINTERFACE, *out set to NULL. */
    printf("QueryInterface(IFacetRunnable) -> %s%s\n",
           facet_result_name(IGreeter_QueryInterface(greeter, &IID_IFacetRunnable,
                                                     (void **)&runnable)),
           runnable == NULL ? ", out is NULL" : "");
    printf("releasing the greeter: %u reference(s) left\n", (unsigned)IGreeter_Release(greeter));
    return r;
}

static FacetResult show_banner(FacetRuntime *rt)
{
    IBanner *banner;
    IFacetString *text;
    const char *s;
    FacetResult r = facet_create_instance_by_name((void **)&banner, rt, "banner", NULL, &IID_IBanner);
    if (FACET_FAILED(r))
        return r;
    if ((r = IBanner_Show(banner, "plugins", &text)) == FACET_OK) {
        IFacetString_GetText(text, &s);
        printf("IBanner::Show(\"plugins\") ->\n%s\n", s);
        IFacetString_Release(text);
    }
    IBanner_Release(banner);
    return r;
}

#ifdef __linux__
/* Crashes the process hosts this program started, as a bug in a plugin
 * would: SIGSEGV to each of its children. */
static int crash_children(void)
{
    char path[64];
    long pid;
    int n = 0;
    FILE *f;
    snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fscanf(f, "%ld", &pid) == 1) {
        /* the supervisor forwards how its worker ended; crash the worker */
        char kids[64];
        FILE *g;
        long worker;
        snprintf(kids, sizeof(kids), "/proc/%ld/task/%ld/children", pid, pid);
        g = fopen(kids, "r");
        while (g != NULL && fscanf(g, "%ld", &worker) == 1)
            n += kill((pid_t)worker, SIGSEGV) == 0;
        if (g != NULL)
            fclose(g);
    }
    fclose(f);
    return n;
}

/* A greeter in a process of its own crashes; the host survives it. */
static FacetResult crash_and_restart(FacetRuntime *rt, uint64_t *count)
{
    IGreeter *greeter = NULL;
    IFacetString *text = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&greeter, rt, "hello", NULL,
                                                  &IID_IGreeter);
    if (FACET_FAILED(r))
        return r;
    printf("crashing the greeter's process (%d process(es) sent SIGSEGV)\n", crash_children());
    r = IGreeter_Greet(greeter, "after the crash", &text);
    printf("a call on the old greeter -> %s\n", facet_result_name(r));
    if (text != NULL)
        IFacetString_Release(text);
    IGreeter_Release(greeter);
    printf("the host goes on; a new greeter starts a new process:\n");
    return greet(rt, "hello", count);
}
#endif

#ifdef __linux__
/* GREETER_SANDBOX=1: the greeter, in its process host's sandbox, reads its
 * own library and the file it was granted (fs.read:greetings.txt in its
 * manifest, granted by facet.process.conf.json), and is refused the
 * configuration beside the plugins, which nobody granted. */
static FacetResult sandbox_demo(FacetRuntime *rt, const char *config)
{
    static const char *const files[] = {"plugins/greeter.so", "plugins/greetings.txt",
                                         "facet.conf.json"};
    IGreeter *greeter = NULL;
    char dir[4096], name[4200];
    const char *slash = strrchr(config, '/');
    size_t i, len = slash != NULL ? (size_t)(slash - config) : 1;
    FacetResult r = facet_create_instance_by_name((void **)&greeter, rt, "hello", NULL,
                                                  &IID_IGreeter);
    if (FACET_FAILED(r))
        return r;
    snprintf(dir, sizeof(dir), "%.*s", (int)len, slash != NULL ? config : ".");
    for (i = 0; i < sizeof(files) / sizeof(files[0]) && FACET_SUCCEEDED(r); i++) {
        IFacetString *text = NULL;
        snprintf(name, sizeof(name), "@%s/%s", dir, files[i]);
        r = IGreeter_Greet(greeter, name, &text);
        if (FACET_SUCCEEDED(r)) {
            const char *t = NULL;
            IFacetString_GetText(text, &t);
            printf("%s\n", t ? t : "");
        }
        if (text != NULL)
            IFacetString_Release(text);
    }
    IGreeter_Release(greeter);
    return r;
}
#endif

/* Scans the plugin folders of the configuration and lists what it found,
 * in *report. */
static FacetResult configure(FacetRuntime *rt, const char *path, FacetScanReport **out)
{
    static const char *const states[] = {"available", "older version", "disabled", "broken"};
    FacetScanReport *report;
    uint32_t i;
    FacetResult r = facet_runtime_load_config(out, rt, path);
    if (FACET_FAILED(r))
        return r;
    report = *out;
    for (i = 0; i < facet_scan_report_module_count(report); i++) {
        FacetScanModule m = FACET_SCAN_MODULE_INIT;
        facet_scan_report_module(&m, report, i);
        printf("found %s %s (%s), code not loaded yet\n", m.name, m.version, states[m.state]);
    }
    for (i = 0; i < facet_scan_report_problem_count(report); i++) {
        FacetScanProblem p = FACET_SCAN_PROBLEM_INIT;
        facet_scan_report_problem(&p, report, i);
        printf("problem: %s\n", p.message);
    }
    return r;
}

/* Which compiler built each module the scan found, now that the runtime
 * has loaded them: loading the library a manifest names hands out the
 * module the runtime loaded, with one more hold, which is let go again. */
static void show_compilers(FacetRuntime *rt, const FacetScanReport *report)
{
    uint32_t i;
    for (i = 0; i < facet_scan_report_module_count(report); i++) {
        FacetScanModule m = FACET_SCAN_MODULE_INIT;
        FacetManifestInfo mi = FACET_MANIFEST_INFO_INIT;
        FacetModuleInfo info = FACET_MODULE_INFO_INIT;
        FacetManifest *manifest;
        FacetModule *module;
        const char *slash, *back;
        char library[1024];
        facet_scan_report_module(&m, report, i);
        if (facet_manifest_load(&manifest, m.manifest) != FACET_OK)
            continue;
        facet_manifest_info(&mi, manifest);
        slash = strrchr(m.manifest, '/');
        back = strrchr(m.manifest, '\\'); /* Windows: either separator */
        if (back != NULL && (slash == NULL || back > slash))
            slash = back;
        snprintf(library, sizeof(library), "%.*s%s", slash ? (int)(slash - m.manifest + 1) : 0,
                 m.manifest, mi.library);
        facet_manifest_free(manifest);
        if (facet_module_load(&module, rt, library) != FACET_OK)
            continue;
        facet_module_info(&info, module);
        printf("%s %s was built by %s\n", info.name, info.version, info.compiler);
        facet_module_unload(module);
    }
}

int main(int argc, char **argv)
{
    FacetRuntime *rt;
    FacetModule *module = NULL;
    FacetScanReport *report = NULL;
    uint64_t count = 0;
    FacetResult r;

    /* Plugins log to stderr; keep this program's lines in step with theirs. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((r = facet_runtime_new(&rt, NULL)) != FACET_OK)
        return fail("facet_runtime_new", r);
#ifdef FACET_SAMPLE_PROXY_STUBS
    /* The proxies and stubs of greeter.idl and banner.idl, for a greeter
     * that runs in a process of its own (the build names their library). */
    if ((r = facet_proxy_stubs_load(FACET_SAMPLE_PROXY_STUBS)) != FACET_OK)
        printf("(no process isolation: %s)\n", facet_last_error());
#endif
    if (argc > 1) {
        FacetModuleInfo info = FACET_MODULE_INFO_INIT;
        if ((r = facet_module_load(&module, rt, argv[1])) != FACET_OK)
            return fail("facet_module_load", r);
        facet_module_info(&info, module);
        printf("loaded %s %s, built by %s\n", info.name, info.version, info.compiler);
    } else {
        r = facet_service_register(rt, &IID_IGuestBook, (IFacetUnknown *)&guest_book, "guestbook");
        if (r != FACET_OK)
            return fail("facet_service_register", r);
        const char *config = getenv("GREETER_CONFIG");
        if (FACET_FAILED(r = configure(rt, config ? config : FACET_SAMPLE_CONFIG_PATH, &report)))
            return fail("facet_runtime_load_config", r);
        /* Init and Start, the banner after the greeter it requires. */
        if ((r = facet_runtime_start(rt)) != FACET_OK)
            return fail("facet_runtime_start", r);
    }
    if ((r = greet(rt, module ? "org.example.greeter" : "hello", &count)) != FACET_OK)
        return fail("greeting", r);
    /* The same interfaces from the plugin written in C++. */
    if (module == NULL && (r = greet(rt, "org.example.polite", &count)) != FACET_OK)
        return fail("the polite greeting", r);
    if (module == NULL && (r = show_banner(rt)) != FACET_OK)
        return fail("the banner", r);
#ifdef __linux__
    if (module == NULL && getenv("GREETER_SANDBOX") != NULL &&
        (r = sandbox_demo(rt, getenv("GREETER_CONFIG") ? getenv("GREETER_CONFIG")
                                                       : FACET_SAMPLE_CONFIG_PATH)) != FACET_OK)
        return fail("the sandbox's greetings", r);
    if (module == NULL && getenv("GREETER_CRASH") != NULL &&
        (r = crash_and_restart(rt, &count)) != FACET_OK)
        return fail("the greeting after the crash", r);
#endif
    if (report != NULL) {
        show_compilers(rt, report);
        facet_scan_report_free(report);
    }
    if (module != NULL)
        printf("unloading the module -> %s\n", facet_result_name(facet_module_unload(module)));
    if ((r = facet_runtime_free(rt)) != FACET_OK) /* stops the plugins too */
        return fail("facet_runtime_free", r);
    printf("done\n");
    return count >= 1 ? 0 : 1;
}
