/*
 * tools/inspect.c - `facet inspect PATH...`: what a module says about
 * itself, read with facet_probe() in a child process.
 */
#include "tool.h"

static const char usage[] =
    "usage: facet inspect [--json] [--timeout MS] [--write-manifest]\n"
    "                     [--idl FILE [-I DIR]...]... PATH...\n"
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
    "                  loaded, from what it says of itself\n"
    "  --idl FILE      names for interfaces the module does not name itself\n"
    "                  (repeatable); -I DIR: where its imports are\n"
    "\n"
    "Exit: 0 every module loaded, 1 one did not (or crashed, hung, exited,\n"
    "flooded its output or damaged its report), 2 bad usage or a path that\n"
    "cannot be read.\n";

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
        if (tm->args.write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 1, entry) != TOOL_CLEAN)
            tm->found = 1;
        json_array_append_new(tm->modules, entry);
    } else {
        printf("%s\n", facet_report_path(rep));
        tool_print_module(stdout, rep, "  ");
        if (tm->args.write_manifest && r == FACET_OK &&
            tool_write_manifest(rep, 0, NULL) != TOOL_CLEAN)
            tm->found = 1;
    }
    facet_report_free(rep);
    return FACET_OK;
}

int tool_inspect(int argc, char **argv)
{
    return tool_module_command("inspect", usage, argc, argv, inspect_one, 0);
}
