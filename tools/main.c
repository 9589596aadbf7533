/*
 * tools/main.c - `facet`, the command for plugin and host authors:
 * inspect, validate, scan, run and guid. docs/facet.md is its manual.
 */
#include <string.h>

#include "tool.h"

static const char usage[] =
    "usage: facet <command> [options] [args]\n"
    "\n"
    "Commands:\n"
    "  inspect PATH...     module info, compiler, ABI, classes and interfaces of\n"
    "                      modules (files or folders), read in a child process\n"
    "  validate PATH...    conformance run of every class: QueryInterface rules,\n"
    "                      reference counts, leaks, aggregation, CanUnload and a\n"
    "                      multi-thread stress, in a child process\n"
    "  scan DIR            the modules of a folder and their manifests; with\n"
    "                      --probe, modules without one are read in a child\n"
    "                      process, cached, and quarantined when they fail;\n"
    "                      --interface IID lists the classes that declare IID\n"
    "  run NAME [ARGS...]  create class NAME and call its IFacetRunnable\n"
    "  guid [NAME]         a new random GUID, as an .idl, C and manifest write it\n"
    "  help [COMMAND]      this text, or a command's own\n"
    "\n"
    "Every command takes --json (one JSON document on stdout) and --help.\n"
    "Exit codes: 0 clean, 1 violations found or a failed run, 2 bad usage or\n"
    "unreadable input. The manual is docs/facet.md.\n";

typedef struct Command {
    const char *name;
    int (*fn)(int argc, char **argv);
} Command;

static const Command commands[] = {
    {"inspect", tool_inspect},
    {"validate", tool_validate},
    {"scan", tool_scan},
    {"run", tool_run},
    {"guid", tool_guid_new},
};

static const Command *find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const Command *cmd;
    if (argc < 2) {
        fputs(usage, stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return TOOL_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("facet %s (ABI %u)\n", FACET_TOOL_VERSION, (unsigned)FACET_ABI_VERSION);
        return TOOL_CLEAN;
    }
    if (strcmp(argv[1], "help") == 0) {
        char help[] = "--help";
        char *sub[1];
        sub[0] = help;
        if (argc < 3) {
            fputs(usage, stdout);
            return TOOL_CLEAN;
        }
        cmd = find(argv[2]);
        if (cmd == NULL) {
            fprintf(stderr, "facet: no command '%s'\n\n%s", argv[2], usage);
            return TOOL_USAGE;
        }
        return cmd->fn(1, sub);
    }
    cmd = find(argv[1]);
    if (cmd == NULL) {
        fprintf(stderr, "facet: no command '%s'\n\n%s", argv[1], usage);
        return TOOL_USAGE;
    }
    return cmd->fn(argc - 2, argv + 2);
}
