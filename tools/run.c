/*
 * tools/run.c - `facet run NAME [ARGS...]`: load the modules named, create
 * class NAME (a contract name, alias or clsid) and call its IFacetRunnable.
 */
#include <string.h>

#include "tool.h"

static const char usage[] =
    "usage: facet run [--json] [--config FILE] [--module FILE | --dir DIR]... NAME [ARGS...]\n"
    "\n"
    "Loads the host configuration and the modules given (in this process),\n"
    "creates class NAME (a contract name, an alias of the configuration, or a\n"
    "clsid) and calls IFacetRunnable::Run with NAME and ARGS; or says why it\n"
    "cannot (no such class, no IFacetRunnable, a module that does not load).\n"
    "The class's own output goes to stdout as it runs.\n"
    "\n"
    "  --json          after the run, one JSON document: {\"name\", \"ran\",\n"
    "                  \"exit_code\", \"error\"}\n"
    "  --module FILE   load this module (repeatable)\n"
    "  --dir DIR       load the module of this folder that offers NAME, found\n"
    "                  by probing each in a child process (repeatable); one\n"
    "                  whose manifest says \"isolation\": \"process\" runs in\n"
    "                  the process host, as a host would run it\n"
    "  --config FILE   a host configuration (facet.conf.json): its plugin folders\n"
    "                  are scanned (manifests only; code loads on first use), its\n"
    "                  aliases name classes, and its modules' \"isolation\" says\n"
    "                  where they run\n"
    "\n"
    "A module given by --module is loaded in this process, whatever its\n"
    "manifest says, as facet_module_load does.\n"
    "\n"
    "Exit: 0 Run returned exit code 0, 1 it returned another code or could not\n"
    "run, 2 bad usage or a module that cannot be read.\n";

typedef struct Loader {
    FacetRuntime *rt;
    const char *name;
    const char *dir; /* the --dir being looked through */
    FacetModule *modules[256];
    int count;
} Loader;

static FacetResult load_one(const char *path, void *payload)
{
    Loader *l = payload;
    if (l->count == 256)
        return FACET_OK;
    return facet_module_load(&l->modules[l->count++], l->rt, path);
}

/* Whether the manifest beside the module a probe read says
 * "isolation": "process". */
static int runs_in_process_host(const FacetReport *rep)
{
    const char *problem = NULL, *path = facet_report_manifest(rep, &problem);
    FacetManifest *m = NULL;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    int yes = 0;
    if (path == NULL || problem != NULL || FACET_FAILED(facet_manifest_load(&m, path)))
        return 0;
    yes = FACET_SUCCEEDED(facet_manifest_info(&info, m)) &&
          info.isolation == FACET_ISOLATION_PROCESS;
    facet_manifest_free(m);
    return yes;
}

/* --dir: which module offers NAME is read in a child process first
 * (facet_probe), so a module that crashes, hangs or exits when loaded is
 * never loaded into this one, and only the module that offers NAME is.
 * That one is loaded with facet_module_load_probed, whose probe must pass
 * again, and then the runtime's own checks decide: a probe's word alone
 * never puts a module in this process. A module whose manifest asks for
 * the process host is not loaded here at all: the folder is scanned
 * (manifests only), and the create of NAME starts it in facet-host. */
static FacetResult load_if_offers(const char *path, void *payload)
{
    Loader *l = payload;
    FacetReport *rep = NULL;
    uint32_t i;
    int offers = 0, isolated;
    if (facet_probe(&rep, path, NULL) != FACET_OK) {
        facet_report_free(rep);
        return FACET_OK;
    }
    for (i = 0; i < facet_report_class_count(rep) && !offers; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        if (FACET_SUCCEEDED(facet_report_class(&ci, rep, i)))
            offers = (ci.contract != NULL && strcmp(ci.contract, l->name) == 0) ||
                     strcmp(tool_guid(&ci.clsid), l->name) == 0;
    }
    isolated = offers && runs_in_process_host(rep);
    facet_report_free(rep);
    if (isolated) {
        FacetResult r = facet_scan(NULL, l->rt, l->dir);
        return r == FACET_FALSE ? FACET_OK : r; /* another manifest's problem */
    }
    if (!offers || l->count == 256)
        return FACET_OK;
    return facet_module_load_probed(&l->modules[l->count++], l->rt, path, NULL, NULL);
}

/* Reports the outcome, as text or JSON, and returns the exit code. */
static int finish(const ToolArgs *args, const char *name, int ran, int32_t exit_code,
                  const char *error, int rc)
{
    if (args->json)
        tool_print_json(json_pack("{s:o, s:b, s:i, s:o?}", "name", tool_json_text(name), "ran",
                                  ran, "exit_code", (int)exit_code, "error",
                                  tool_json_text(error)));
    else if (error != NULL)
        fprintf(stderr, "facet run: %s\n", error);
    else if (exit_code != 0)
        fprintf(stderr, "facet run: %s exited with code %d\n", name, (int)exit_code);
    return rc;
}

int tool_run(int argc, char **argv)
{
    ToolArgs args;
    Loader l;
    IFacetRunnable *runnable = NULL;
    const char **run_argv = NULL;
    int32_t exit_code = 0;
    FacetResult r;
    int i, rc = tool_parse(&args, "run", usage, TOOL_OPT_RUN, argc, argv);
    char error[2048];

    if (rc != TOOL_GO)
        return rc;
    if (args.path_count != 1 ||
        (args.module_count == 0 && args.dir_count == 0 && args.config == NULL)) {
        tool_args_free(&args);
        return tool_usage_error("run", args.path_count != 1
                                           ? "no class NAME given"
                                           : "no --config, --module or --dir given");
    }
    memset(&l, 0, sizeof(l));
    l.name = args.paths[0];
    r = facet_runtime_new(&l.rt, NULL);
    if (FACET_SUCCEEDED(r) && args.config != NULL) {
        /* FACET_FALSE: some plugin had a problem; the others are usable. */
        r = facet_runtime_load_config(NULL, l.rt, args.config);
        if (r == FACET_FALSE) {
            fprintf(stderr, "facet run: %s\n", facet_last_error());
        } else if (FACET_FAILED(r)) {
            /* A configuration that cannot be read or parsed is bad input. */
            snprintf(error, sizeof(error), "%s", facet_last_error());
            rc = finish(&args, args.paths[0], 0, 0, error, TOOL_USAGE);
            goto done;
        }
    }
    for (i = 0; FACET_SUCCEEDED(r) && i < args.module_count; i++)
        r = load_one(args.modules[i], &l);
    for (i = 0; FACET_SUCCEEDED(r) && i < args.dir_count; i++) {
        l.dir = args.dirs[i];
        r = facet_module_files(args.dirs[i], load_if_offers, &l);
    }
    if (FACET_FAILED(r)) {
        snprintf(error, sizeof(error), "%s", facet_last_error());
        rc = finish(&args, args.paths[0], 0, 0, error, tool_exit_for(r) == TOOL_USAGE
                                                           ? TOOL_USAGE : TOOL_FOUND);
        goto done;
    }
    r = facet_create_instance_by_name((void **)&runnable, l.rt, args.paths[0], NULL,
                                      &IID_IFacetRunnable);
    if (FACET_FAILED(r)) {
        if (r == FACET_E_NOINTERFACE)
            snprintf(error, sizeof(error), "%s: the class does not implement IFacetRunnable, "
                     "so there is nothing to run (%s)", args.paths[0], facet_last_error());
        else
            snprintf(error, sizeof(error), "%s", facet_last_error());
        rc = finish(&args, args.paths[0], 0, 0, error, TOOL_FOUND);
        goto done;
    }
    run_argv = (const char **)calloc((size_t)args.rest_count + 2, sizeof(char *));
    if (run_argv == NULL) {
        rc = finish(&args, args.paths[0], 0, 0, "out of memory", TOOL_FOUND);
        goto done;
    }
    run_argv[0] = args.paths[0];
    for (i = 0; i < args.rest_count; i++)
        run_argv[i + 1] = args.rest[i];
    fflush(stdout);
    r = IFacetRunnable_Run(runnable, (uint32_t)args.rest_count + 1, run_argv, &exit_code);
    fflush(stdout);
    if (FACET_FAILED(r)) {
        snprintf(error, sizeof(error), "%s: Run failed with %s (%s)", args.paths[0],
                 facet_result_name(r), facet_result_description(r));
        rc = finish(&args, args.paths[0], 0, 0, error, TOOL_FOUND);
    } else {
        rc = finish(&args, args.paths[0], 1, exit_code, NULL,
                    exit_code == 0 ? TOOL_CLEAN : TOOL_FOUND);
    }
done:
    free((void *)run_argv);
    if (runnable != NULL)
        IFacetRunnable_Release(runnable);
    for (i = l.count - 1; i >= 0; i--)
        if (l.modules[i] != NULL)
            facet_module_unload(l.modules[i]);
    facet_runtime_free(l.rt);
    tool_args_free(&args);
    return rc;
}
