/*
 * tools/scan.c - `facet scan DIR`: the modules of a folder and their
 * manifests; with --probe, the modules without a manifest are read in a
 * child process through the probe cache (facet_probe_cache_get), so a
 * rescan runs only what changed and a module that failed stays
 * quarantined until it changes. With --interface IID, the classes whose
 * manifests declare IID (facet_classes_implementing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#define make_dir(p) _mkdir(p)
#else
#define make_dir(p) mkdir(p, 0777)
#endif

#include "tool.h"

static const char usage[] =
    "usage: facet scan [--json] [--interface IID] [--probe [--write-manifest [--force]]]\n"
    "                  [--cache FILE] [--timeout MS] DIR\n"
    "\n"
    "Reads the manifests (<module>.facet.json) of DIR without loading code, as\n"
    "facet_scan does, and reports each module and each bad manifest; lists the\n"
    "modules that have no manifest. With --probe, each module without a manifest is\n"
    "loaded in a child process with a timeout and its module and class info\n"
    "read. Probe results go to a cache keyed by path, size, modification time\n"
    "and content hash, so a rescan probes only what changed; a module that\n"
    "does not load, crashes, hangs or exits while probed is quarantined with\n"
    "the reason and skipped until it changes (so is one that writes more than\n"
    "16 MiB to stdout or stderr, or damages the probe's report).\n"
    "\n"
    "  --json          one JSON document: {\"dir\", \"cache\", \"manifests\",\n"
    "                  \"problems\", \"modules\", \"probed\", \"cached\",\n"
    "                  \"quarantined\", \"with_manifest\", \"unprobed\"}; each of\n"
    "                  \"manifests\" lists its \"classes\" with their \"interfaces\"\n"
    "  --interface IID list only the classes whose manifests declare IID\n"
    "                  ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}), of the version\n"
    "                  of each module that is chosen and usable; none is not an\n"
    "                  error. With --json, adds \"interface\" and \"classes\":\n"
    "                  [{\"contract\", \"clsid\", \"module\", \"version\",\n"
    "                  \"manifest\"}]\n"
    "  --probe         probe modules that have no manifest\n"
    "  --write-manifest  with --probe, write <module>.facet.json next to each\n"
    "                  module that probed clean; the next scan reads it instead\n"
    "  --force         with --write-manifest, replace a manifest that is there\n"
    "                  but unreadable instead of leaving it\n"
    "  --cache FILE    the probe cache (default: $FACET_PROBE_CACHE, else\n"
    "                  $XDG_CACHE_HOME/facet/probe-cache.json, else\n"
    "                  ~/.cache/facet/probe-cache.json)\n"
    "  --timeout MS    kill a module whose probe takes longer (default 10000)\n"
    "\n"
    "Exit: 0 nothing wrong, 1 a bad manifest or a quarantined module, 2 bad\n"
    "usage or a folder or cache that cannot be read.\n";

typedef struct Scan {
    ToolArgs *args;
    FacetGuid iid;       /* --interface */
    json_t *classes;     /* the classes that declare it */
    json_t *manifests;   /* what facet_scan read */
    json_t *problems;    /* and the problems it met */
    unsigned problem_count;
    FacetProbeCache *cache;
    json_t *modules;
    unsigned probed, cached, quarantined, with_manifest, unprobed;
    int failed;
} Scan;

/* The default cache file, its folders made; static buffer. */
static const char *default_cache(void)
{
    static char buf[4096];
    const char *env = getenv("FACET_PROBE_CACHE"), *base;
    char dir[4000];
    if (env != NULL && env[0] != '\0')
        return env;
#ifdef _WIN32
    base = getenv("LOCALAPPDATA");
    if (base == NULL)
        return NULL;
    snprintf(dir, sizeof(dir), "%s", base);
#else
    base = getenv("XDG_CACHE_HOME");
    if (base != NULL && base[0] != '\0') {
        snprintf(dir, sizeof(dir), "%s", base);
    } else {
        base = getenv("HOME");
        if (base == NULL)
            return NULL;
        snprintf(dir, sizeof(dir), "%s/.cache", base);
        make_dir(dir);
    }
#endif
    snprintf(buf, sizeof(buf), "%s/facet", dir);
    if (make_dir(buf) != 0 && errno != EEXIST)
        return NULL;
    snprintf(buf, sizeof(buf), "%s/facet/probe-cache.json", dir);
    return buf;
}

static FacetResult scan_one(const char *path, void *payload)
{
    Scan *s = payload;
    const char *manifest = tool_manifest_of(path), *status;
    FacetReport *rep = NULL;
    json_t *doc;
    int probed = 0;
    FacetResult r;

    if (manifest != NULL || !s->args->probe) {
        status = manifest != NULL ? "manifest" : "no-manifest";
        if (manifest != NULL)
            s->with_manifest++;
        else
            s->unprobed++;
        if (s->args->json)
            json_array_append_new(s->modules,
                                  json_pack("{s:o, s:s, s:o?}", "path", tool_json_text(path),
                                            "status", status, "manifest",
                                            tool_json_text(manifest)));
        else if (manifest == NULL) /* the manifest's module is listed above */
            printf("  %-12s %s\n", status, path);
        return FACET_OK;
    }
    r = facet_probe_cache_get(&rep, &probed, s->cache, path, &s->args->check);
    if (rep == NULL) {
        fprintf(stderr, "facet scan: %s\n", facet_last_error());
        s->failed = tool_exit_for(r);
        return FACET_OK;
    }
    if (facet_report_outcome(rep) != FACET_OUTCOME_OK) {
        status = "quarantined";
        s->quarantined++;
    } else {
        status = probed ? "probed" : "cached";
    }
    if (probed)
        s->probed++;
    else
        s->cached++;
    if (s->args->json) {
        doc = tool_module_json(rep);
        json_object_set_new(doc, "status", json_string(status));
        json_object_set_new(doc, "probed_now", json_boolean(probed));
        if (s->args->write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 1, s->args->force, doc) != TOOL_CLEAN)
            s->failed = TOOL_FOUND;
        json_array_append_new(s->modules, doc);
    } else {
        FacetModuleInfo info = FACET_MODULE_INFO_INIT;
        printf("  %-12s %s", status, facet_report_path(rep));
        if (facet_report_outcome(rep) != FACET_OUTCOME_OK) {
            printf(": %s%s\n", facet_report_reason(rep),
                   probed ? "" : " (skipped until it changes)");
            tool_print_output(stdout, rep, "               ");
        }
        else if (FACET_SUCCEEDED(facet_report_module(&info, rep)))
            printf(": %s %s, %u class%s\n", info.name, info.version,
                   (unsigned)facet_report_class_count(rep),
                   facet_report_class_count(rep) == 1 ? "" : "es");
        else
            printf("\n");
        if (s->args->write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 0, s->args->force, NULL) != TOOL_CLEAN)
            s->failed = TOOL_FOUND;
    }
    facet_report_free(rep);
    return FACET_OK;
}

static const char *state_name(uint32_t state)
{
    static const char *const names[] = {"available", "shadowed", "disabled", "broken"};
    return state < 4 ? names[state] : "unknown";
}

/* The classes of a manifest with their interfaces, as JSON; NULL when the
 * manifest cannot be read again (its problem is listed already). */
static json_t *classes_json(const char *path)
{
    FacetManifest *mf = NULL;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    json_t *classes;
    uint32_t i, j;
    if (path == NULL || FACET_FAILED(facet_manifest_load(&mf, path)) ||
        FACET_FAILED(facet_manifest_info(&info, mf))) {
        facet_manifest_free(mf);
        return NULL;
    }
    classes = json_array();
    for (i = 0; i < info.class_count; i++) {
        FacetClassInfo c = FACET_CLASS_INFO_INIT;
        json_t *itfs = json_array();
        if (FACET_FAILED(facet_manifest_class(&c, mf, i)))
            continue;
        for (j = 0; j < c.interface_count; j++)
            json_array_append_new(itfs, json_string(tool_guid(&c.interfaces[j])));
        json_array_append_new(classes,
                              json_pack("{s:s, s:o?, s:o}", "clsid", tool_guid(&c.clsid),
                                        "contract", tool_json_text(c.contract), "interfaces",
                                        itfs));
    }
    facet_manifest_free(mf);
    return classes;
}

/* Lists the classes of what rt scanned that declare s->iid. */
static int list_implementing(Scan *s, FacetRuntime *rt)
{
    FacetClassList *list = NULL;
    uint32_t i;
    FacetResult r = facet_classes_implementing(&list, rt, &s->iid);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet scan: %s\n", facet_last_error());
        return TOOL_USAGE;
    }
    for (i = 0; i < facet_class_list_count(list); i++) {
        FacetClassMatch m = FACET_CLASS_MATCH_INIT;
        if (FACET_FAILED(facet_class_list_item(&m, list, i)))
            continue;
        if (s->args->json)
            json_array_append_new(
                s->classes, json_pack("{s:o?, s:s, s:s, s:s, s:s}", "contract",
                                      tool_json_text(m.contract), "clsid", tool_guid(&m.clsid),
                                      "module", m.module, "version", m.version, "manifest",
                                      m.manifest));
        else
            printf("  %-12s %s %s in %s %s (%s)\n", "class", tool_guid(&m.clsid),
                   m.contract ? m.contract : "(no contract)", m.module, m.version, m.manifest);
    }
    if (!s->args->json)
        printf("%u class%s declare%s %s\n", (unsigned)facet_class_list_count(list),
               facet_class_list_count(list) == 1 ? "" : "es",
               facet_class_list_count(list) == 1 ? "s" : "", tool_guid(&s->iid));
    facet_class_list_free(list);
    return TOOL_CLEAN;
}

/* Reads the folder's manifests with facet_scan (no code is loaded) and
 * lists each module and each problem. Returns TOOL_USAGE for a folder that
 * cannot be read. */
static int read_manifests(Scan *s, const char *dir)
{
    FacetRuntime *rt = NULL;
    FacetScanReport *rep = NULL;
    uint32_t i;
    int rc;
    FacetResult r = facet_runtime_new(&rt, NULL);
    if (FACET_SUCCEEDED(r))
        r = facet_scan(&rep, rt, dir);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet scan: %s\n", facet_last_error());
        facet_runtime_free(rt);
        return tool_exit_for(r);
    }
    for (i = 0; i < facet_scan_report_module_count(rep); i++) {
        FacetScanModule m = FACET_SCAN_MODULE_INIT;
        if (FACET_FAILED(facet_scan_report_module(&m, rep, i)))
            continue;
        if (s->args->json)
            json_array_append_new(s->manifests,
                                  json_pack("{s:o?, s:o?, s:o?, s:s, s:o?}", "manifest",
                                            tool_json_text(m.manifest), "name",
                                            tool_json_text(m.name), "version",
                                            tool_json_text(m.version), "state",
                                            state_name(m.state), "classes",
                                            classes_json(m.manifest)));
        else if (s->args->interface == NULL)
            printf("  %-12s %s %s (%s)\n", "manifest", m.name ? m.name : "?",
                   m.version ? m.version : "?", m.manifest ? m.manifest : "");
    }
    for (i = 0; i < facet_scan_report_problem_count(rep); i++) {
        FacetScanProblem p = FACET_SCAN_PROBLEM_INIT;
        if (FACET_FAILED(facet_scan_report_problem(&p, rep, i)))
            continue;
        s->problem_count++;
        if (s->args->json)
            json_array_append_new(s->problems,
                                  json_pack("{s:s, s:o?, s:o?}", "code",
                                            facet_result_name(p.code), "path",
                                            tool_json_text(p.path), "message",
                                            tool_json_text(p.message)));
        else
            printf("  %-12s %s\n", "problem", p.message ? p.message : facet_result_name(p.code));
    }
    facet_scan_report_free(rep);
    rc = s->args->interface != NULL ? list_implementing(s, rt) : TOOL_CLEAN;
    facet_runtime_free(rt);
    return rc;
}

int tool_scan(int argc, char **argv)
{
    ToolArgs args;
    Scan s;
    const char *cache_file = NULL;
    FacetResult r;
    int rc = tool_parse(&args, "scan", usage, TOOL_OPT_SCAN | TOOL_OPT_CHECK | TOOL_OPT_WRITE,
                        argc, argv);
    if (rc != TOOL_GO)
        return rc;
    if (args.path_count != 1) {
        tool_args_free(&args);
        return tool_usage_error("scan", "give exactly one folder");
    }
    memset(&s, 0, sizeof(s));
    s.args = &args;
    if (args.interface != NULL && FACET_FAILED(facet_guid_parse(&s.iid, args.interface))) {
        tool_args_free(&args);
        return tool_usage_error("scan", "--interface: %s", facet_last_error());
    }
    if (args.probe) {
        cache_file = args.cache ? args.cache : default_cache();
        if (cache_file == NULL) {
            tool_args_free(&args);
            return tool_usage_error("scan", "no place for the probe cache; give --cache FILE");
        }
        r = facet_probe_cache_open(&s.cache, cache_file);
        if (FACET_FAILED(r)) {
            fprintf(stderr, "facet scan: %s\n", facet_last_error());
            tool_args_free(&args);
            return TOOL_USAGE;
        }
    }
    s.modules = json_array();
    s.manifests = json_array();
    s.problems = json_array();
    s.classes = json_array();
    if (!args.json)
        printf("%s%s%s%s\n", args.paths[0], cache_file ? " (probe cache " : "",
               cache_file ? cache_file : "", cache_file ? ")" : "");
    rc = read_manifests(&s, args.paths[0]);
    if (rc == TOOL_CLEAN)
        rc = tool_each_module("scan", args.paths[0], scan_one, &s);
    if (s.cache != NULL) {
        r = facet_probe_cache_save(s.cache);
        if (FACET_FAILED(r)) {
            fprintf(stderr, "facet scan: %s\n", facet_last_error());
            rc = TOOL_USAGE;
        }
        facet_probe_cache_free(s.cache);
    }
    if (args.json) {
        json_t *doc = json_pack("{s:o, s:o?, s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:i}", "dir",
                                tool_json_text(args.paths[0]), "cache",
                                tool_json_text(cache_file), "manifests", s.manifests,
                                "problems", s.problems, "modules", s.modules, "probed",
                                (int)s.probed, "cached", (int)s.cached, "quarantined",
                                (int)s.quarantined, "with_manifest", (int)s.with_manifest,
                                "unprobed", (int)s.unprobed);
        if (args.interface != NULL) {
            json_object_set_new(doc, "interface", json_string(tool_guid(&s.iid)));
            json_object_set_new(doc, "classes", s.classes);
        } else {
            json_decref(s.classes);
        }
        tool_print_json(doc);
    } else {
        json_decref(s.modules);
        json_decref(s.manifests);
        json_decref(s.problems);
        json_decref(s.classes);
        printf("%u with a manifest, %u manifest problem%s, %u probed now, %u from the cache, "
               "%u quarantined%s\n",
               s.with_manifest, s.problem_count, s.problem_count == 1 ? "" : "s", s.probed,
               s.cached, s.quarantined,
               s.unprobed ? "; modules without a manifest are read with --probe" : "");
    }
    tool_args_free(&args);
    if (rc != TOOL_CLEAN)
        return rc;
    if (s.failed)
        return s.failed;
    return s.quarantined || s.problem_count ? TOOL_FOUND : TOOL_CLEAN;
}
