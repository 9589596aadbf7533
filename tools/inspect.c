/*
 * tools/inspect.c - `facet inspect PATH...`: what a module says about
 * itself, read with facet_probe() in a child process.
 */
#include "tool.h"

#include "remote/sandbox.h"

static const char usage[] =
    "usage: facet inspect [--json] [--timeout MS] [--write-manifest [--force]]\n"
    "                     [--idl FILE [-I DIR]...]... [--config FILE] PATH...\n"
    "\n"
    "Loads each module (a file, or every module in a folder) in a child process\n"
    "and prints its name, version, the compiler that built it, its ABI version\n"
    "and API level, its manifest if it has one and whether it agrees with the\n"
    "module, and its classes with their\n"
    "contract names, versions, threading and interfaces. Interfaces are named\n"
    "from IDL type info: the module's own (IFacetTypeInfoSource on its factory)\n"
    "or the runtime's (facet.idl), or an --idl FILE's; others show their IID\n"
    "only. A module that fails shows what it wrote to stdout and stderr.\n"
    "\n"
    "  --json          one JSON document: {\"modules\": [...]}\n"
    "  --timeout MS    kill a module that takes longer to load (default 10000)\n"
    "  --write-manifest  write <module>.facet.json next to each module that\n"
    "                  loaded, from what it says of itself; a manifest there is\n"
    "                  merged into (requires, permissions, description and\n"
    "                  isolation stay), and each field that changed is named\n"
    "  --force         with --write-manifest, replace the manifest instead\n"
    "  --idl FILE      names for interfaces the module does not name itself\n"
    "                  (repeatable); -I DIR: where its imports are\n"
    "  --config FILE   a host configuration (facet.conf.json): each permission\n"
    "                  the module's manifest requests, granted or not there\n"
    "                  (a right not granted is simply absent), and the limits\n"
    "                  of its process host\n"
    "\n"
    "Exit: 0 every module loaded, 1 one did not (or crashed, hung, exited,\n"
    "flooded its output or damaged its report), 2 bad usage or a path that\n"
    "cannot be read.\n";

/* --config: what the manifest requests against what the configuration
 * grants, as the runtime computes it for the module's process host. */
static void print_rights(FacetRuntime *rt, const char *config, const char *path, json_t *entry)
{
    const char *manifest = tool_manifest_of(path);
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FacetManifest *mf = NULL;
    FacetSandboxPolicy *p = NULL;
    json_t *list = json_array();
    FacetResult r = FACET_OK;
    uint32_t i;
    size_t k;

    if (manifest != NULL)
        r = facet_manifest_load(&mf, manifest);
    if (FACET_SUCCEEDED(r) && mf != NULL)
        r = facet_manifest_info(&info, mf);
    if (FACET_SUCCEEDED(r) && mf != NULL)
        r = facet__sandbox_policy(rt, info.name, mf, path, &p);
    if (entry == NULL)
        printf("  config     %s\n", config);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet inspect: %s\n", facet_last_error());
    } else if (mf == NULL || info.permission_count == 0) {
        if (entry == NULL)
            printf("  permission none requested%s\n", mf == NULL ? " (no manifest)" : "");
    }
    for (i = 0; p != NULL && i < info.permission_count; i++) {
        const char *name = facet_manifest_permission(mf, i);
        int granted = 1;
        for (k = 0; k < p->denied_count; k++)
            if (strcmp(p->denied[k], name) == 0)
                granted = 0;
        if (entry != NULL)
            json_array_append_new(list, json_pack("{s:o, s:b}", "name", tool_json_text(name),
                                                  "granted", granted));
        else
            printf("  permission %-40s %s\n", name, granted ? "granted" : "not granted");
    }
    if (p != NULL && entry == NULL) {
        if (p->limits.memory_mb == 0 && p->limits.open_files == 0 && p->limits.cpu_seconds == 0)
            printf("  limits     none\n");
        else
            printf("  limits     memory %llu MiB, open files %llu, cpu %llu s (0: no limit)\n",
                   (unsigned long long)p->limits.memory_mb,
                   (unsigned long long)p->limits.open_files,
                   (unsigned long long)p->limits.cpu_seconds);
    }
    if (entry != NULL)
        json_object_set_new(
            entry, "rights",
            json_pack("{s:o, s:o, s:o}", "config", tool_json_text(config), "permissions", list,
                      "limits",
                      p == NULL ? json_null()
                                : json_pack("{s:I, s:I, s:I}", "memory_mb",
                                            (json_int_t)p->limits.memory_mb, "open_files",
                                            (json_int_t)p->limits.open_files, "cpu_seconds",
                                            (json_int_t)p->limits.cpu_seconds)));
    else
        json_decref(list);
    facet__sandbox_policy_free(p);
    facet_manifest_free(mf);
}

static FacetResult inspect_one(const char *path, void *payload)
{
    ToolModules *tm = payload;
    FacetReport *rep = NULL;
    FacetResult r = facet_probe(&rep, path, &tm->args.check);
    if (rep == NULL) {
        fprintf(stderr, "facet inspect: %s\n", facet_last_error());
        tm->failed = tool_exit_for(r);
        return FACET_OK;
    }
    if (r != FACET_OK)
        tm->found = 1;
    if (tm->args.json) {
        json_t *entry = tool_module_json(rep);
        if (tm->rt != NULL)
            print_rights(tm->rt, tm->args.config, facet_report_path(rep), entry);
        if (tm->args.write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 1, tm->args.force, entry) != TOOL_CLEAN)
            tm->found = 1;
        json_array_append_new(tm->modules, entry);
    } else {
        printf("%s\n", facet_report_path(rep));
        tool_print_module(stdout, rep, "  ");
        if (tm->rt != NULL)
            print_rights(tm->rt, tm->args.config, facet_report_path(rep), NULL);
        if (tm->args.write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 0, tm->args.force, NULL) != TOOL_CLEAN)
            tm->found = 1;
    }
    facet_report_free(rep);
    return FACET_OK;
}

int tool_inspect(int argc, char **argv)
{
    return tool_module_command("inspect", usage, argc, argv, inspect_one, 0);
}
